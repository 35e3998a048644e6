"""Download of one account: the .xlsx read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.export import spreadsheet_text
from billing.models import Invoice, Payment
from billing.tests.factories import BillingAccountFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("INV-1", "INV-1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_text_escapes_leading_formula_characters(value: str, written: str) -> None:
    assert spreadsheet_text(value) == written


@pytest.fixture
def download(client: Client):  # type: ignore[no-untyped-def]
    user = UserFactory.create()
    account = BillingAccountFactory.create(number="4000012345")
    AccountGrantFactory.create(user=user, account=account)
    InvoiceFactory.create(
        account=account,
        number="INV-A",
        bill_date=date(2026, 10, 1),
        due_date=date(2026, 10, 22),
        amount=Decimal("412.50"),
        amount_paid=Decimal("412.50"),
        status=Invoice.Status.PAID,
    )
    InvoiceFactory.create(
        account=account,
        number="=CMD|'/C calc'!A0",
        bill_date=date(2000, 1, 1),
        due_date=date(2000, 1, 22),
        amount=Decimal("1234567.89"),
        amount_paid=Decimal("0.01"),
    )
    PaymentFactory.create(
        account=account,
        received_on=date(2026, 10, 20),
        amount=Decimal("412.50"),
        method=Payment.Method.CARD,
        reference="@cmd|' /C calc'!A0",
    )
    PaymentFactory.create(
        account=account,
        received_on=date(2026, 11, 30),
        amount=Decimal("99.99"),
        method=Payment.Method.ACH,
        reference="PMT-2",
        status=Payment.Status.PENDING,
    )
    client.force_login(user)
    response = client.get(
        reverse("billing:account_export", kwargs={"public_id": account.public_id})
    )
    return response


def test_download_is_an_xlsx_attachment_named_for_the_account(download) -> None:  # type: ignore[no-untyped-def]
    assert download.status_code == 200
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert download["Content-Disposition"] == (
        f'attachment; filename="billing-account-4000012345-{today}.xlsx"'
    )
    assert "no-store" in download["Cache-Control"]


def test_one_sheet_for_invoices_and_one_for_payments_with_typed_cells(download) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["Invoices", "Payments"]

    invoices = book["Invoices"]
    rows = list(invoices.iter_rows(values_only=True))
    assert rows[0] == (
        "Invoice #",
        "Bill Date",
        "Due Date",
        "Amount",
        "Paid",
        "Balance",
        "Status",
        "Past Due",
    )
    # Ordered by due date: the old, partly paid, past-due invoice first.
    assert rows[1] == (
        "'=CMD|'/C calc'!A0",
        datetime(2000, 1, 1),
        datetime(2000, 1, 22),
        1234567.89,
        0.01,
        1234567.88,
        "Open",
        "Yes",
    )
    assert rows[2] == (
        "INV-A",
        datetime(2026, 10, 1),
        datetime(2026, 10, 22),
        412.5,
        412.5,
        0,
        "Paid",
        "No",
    )
    assert invoices["A2"].data_type == "s"  # text, never a formula
    assert invoices["B2"].is_date and invoices["B2"].number_format == "mm/dd/yyyy"
    assert "$" in invoices["D2"].number_format and "0.00" in invoices["D2"].number_format
    assert invoices["A1"].font.b
    assert invoices.freeze_panes == "A2"
    assert invoices.auto_filter.ref == "A1:H3"

    payments = book["Payments"]
    rows = list(payments.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Amount", "Method", "Reference", "Status")
    assert rows[1] == (datetime(2026, 11, 30), 99.99, "Bank account (ACH)", "PMT-2", "Pending")
    assert rows[2] == (datetime(2026, 10, 20), 412.5, "Card", "'@cmd|' /C calc'!A0", "Posted")
    assert payments["D3"].data_type == "s"
    assert payments.freeze_panes == "A2"
    assert payments["A1"].font.b


def test_an_account_without_rows_still_has_both_sheets_with_headers(client: Client) -> None:
    user = UserFactory.create()
    account = AccountGrantFactory.create(user=user).account
    client.force_login(user)
    response = client.get(
        reverse("billing:account_export", kwargs={"public_id": account.public_id})
    )
    book = load_workbook(io.BytesIO(response.content))
    assert [ws.max_row for ws in book.worksheets] == [1, 1]
    assert book["Payments"]["A1"].value == "Date"
