"""Download as Excel: a real .xlsx of every row the summary's query selects."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.export import billing_accounts_xlsx_write, export_file_name
from billing.filters import BillingAccountQuery
from billing.models import BillingAccount
from billing.selectors import billing_account_list
from billing.tests.factories import BillingAccountFactory, PolicyFactory

URL = "/billing/export.xlsx"


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def write(rows: list[tuple[Any, ...]]) -> Any:
    file = io.BytesIO()
    count = billing_accounts_xlsx_write(rows=rows, file=file)
    assert count == len(rows)
    return workbook(file.getvalue())


ROW = (
    "7100000001",
    "Atlas Freight",
    "Harbor Casualty Company",
    Decimal("20801.05"),
    Decimal("801.05"),
    date(2023, 12, 26),
    "pending_cancellation",
    "CA-1, GL-2",
)


def test_the_sheet_has_a_bold_frozen_header_with_an_autofilter() -> None:
    sheet = write([ROW, ROW])

    assert [c.value for c in sheet[1]] == [
        "Billing account number",
        "Insured",
        "Company",
        "Total due",
        "Past due",
        "Due date",
        "Status",
        "Policies",
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H3"


def test_money_is_currency_dates_are_dates_and_statuses_are_words() -> None:
    sheet = write([ROW])

    number, insured, company, total, past, due, status, policies = sheet[2]
    assert number.value == "7100000001" and number.data_type == "s"
    assert (insured.value, company.value) == ("Atlas Freight", "Harbor Casualty Company")
    assert total.value == pytest.approx(20801.05) and total.number_format == '"$"#,##0.00'
    assert past.value == pytest.approx(801.05) and past.number_format == '"$"#,##0.00'
    assert due.value == datetime(2023, 12, 26) and due.number_format == "mm/dd/yyyy"
    assert status.value == "Pending cancellation"
    assert policies.value == "CA-1, GL-2"


@pytest.mark.parametrize(
    "evil",
    ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR"],
)
def test_text_that_looks_like_a_formula_stays_text(evil: str) -> None:
    sheet = write([("1", evil, evil, Decimal(0), Decimal(0), None, "active", evil)])

    for cell in (sheet["B2"], sheet["C2"], sheet["H2"]):
        assert cell.data_type == "s"  # a string, never a formula
        # XlsxWriter stores a carriage return as Excel's escape _x000D_; Excel reads it back.
        assert cell.value == "'" + evil.replace("\r", "_x000D_")
    assert sheet["A2"].value == "1"


def test_urls_and_numbers_in_text_are_not_converted() -> None:
    sheet = write([("00123", "http://example.com", "", Decimal(0), Decimal(0), None, "x", None)])

    assert sheet["A2"].value == "00123"
    assert sheet["B2"].hyperlink is None
    assert sheet["C2"].value is None and sheet["F2"].value is None


def test_the_file_name_says_what_and_when() -> None:
    assert export_file_name(today=date(2026, 12, 3)) == "billing-accounts-2026-12-03.xlsx"


@pytest.mark.django_db
class TestDownload:
    @pytest.fixture
    def user(self) -> User:
        user = UserFactory()
        for i in range(30):
            past = Decimal(i % 3)
            account = BillingAccountFactory(
                number=f"71{i:08d}", past_due=past, total_due=past + Decimal(i), current_due=i
            )
            PolicyFactory(account=account)
            AccountGrantFactory(user=user, account=account)
        AccountGrantFactory(account=BillingAccountFactory(number="9999999999"))  # not theirs
        return user

    def download(self, user: User, params: dict[str, str]) -> tuple[Any, Any]:
        client = Client()
        client.force_login(user)
        response = client.get(URL, params)
        assert response.status_code == 200
        return response, workbook(b"".join(response.streaming_content))

    def test_it_is_an_xlsx_attachment_named_with_the_date(self, user: User) -> None:
        response, _ = self.download(user, {})

        assert reverse("billing:export") == URL
        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert response["Content-Disposition"].startswith('attachment; filename="billing-accounts-')

    def test_it_has_every_page_of_the_query_in_the_same_order(self, user: User) -> None:
        params = {"status": "past_due", "sort": "-total", "page": "2", "page_size": "10"}
        _, sheet = self.download(user, params)

        numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
        expected = list(
            billing_account_list(
                user=user, query=BillingAccountQuery(statuses=("past_due",), sort="-total")
            ).values_list("number", flat=True)
        )
        assert numbers == expected
        assert len(numbers) == 20  # all pages, not the 10 rows of page 2
        assert "9999999999" not in numbers

    def test_it_never_contains_another_users_accounts(self, user: User) -> None:
        _, sheet = self.download(user, {"q": "9999999999"})

        assert sheet.max_row == 1

    def test_it_needs_sign_in(self) -> None:
        assert Client().get(URL).status_code == 302

    def test_an_empty_result_is_a_sheet_with_only_the_header(self, user: User) -> None:
        _, sheet = self.download(UserFactory(), {})

        assert sheet["A1"].value == "Billing account number"
        assert sheet.max_row == 1
        assert BillingAccount.objects.exists()
