"""The Billing Summary page: what an insured sees, and that bad input never hurts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.models import BillingAccount
from billing.tests.factories import BillingAccountFactory, PolicyFactory

pytestmark = pytest.mark.django_db
URL = "/billing/"


@pytest.fixture
def user() -> User:
    return UserFactory()


@pytest.fixture
def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def grant(user: User, count: int = 1, **fields: Any) -> list[BillingAccount]:
    past = Decimal(fields.pop("past_due", "0"))
    current = Decimal(fields.pop("current_due", "0"))
    accounts = []
    for _ in range(count):
        account = BillingAccountFactory(
            past_due=past, current_due=current, total_due=past + current, **fields
        )
        AccountGrantFactory(user=user, account=account)
        accounts.append(account)
    return accounts


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_summary_is_at_the_contract_url_and_needs_sign_in() -> None:
    assert reverse("billing:summary") == URL
    assert reverse("billing:export") == "/billing/export.xlsx"

    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_has_the_buttons_controls_and_columns_of_the_user_guide(
    client: Client, user: User
) -> None:
    grant(user)

    page = text(client.get(URL))

    for label in ("Download as Excel", "Billing Support", "Payment Options"):
        assert f"{label}</a>" in page or f"{label} </a>" in page
    assert '<button class="btn btn--primary" type="submit">Search</button>' in page
    assert '<label for="id_sort">Sort by</label>' in page
    assert '<option value="" selected>None</option>' in page
    assert "Filters" in page
    for column in ("Billing Acct #", "Total Due", "Due Date", "Actions"):
        assert f">{column}</th>" in page


def test_the_modal_buttons_open_support_and_payment_options_in_the_shared_dialog(
    client: Client, user: User
) -> None:
    grant(user)

    page = client.get(URL).content.decode()

    support = reverse("support:email_us")
    payments = reverse("billing:payment_options")
    assert (
        f'<a class="btn btn--secondary" href="{support}" hx-get="{support}" '
        'hx-target="#modal-content" data-modal>Billing Support</a>'
    ) in page
    assert (
        f'<a class="btn btn--secondary" href="{payments}" hx-get="{payments}" '
        'hx-target="#modal-content" data-modal>Payment Options</a>'
    ) in page


def test_rows_show_money_and_dates_as_the_guide_does_and_mark_past_due_in_text(
    client: Client, user: User
) -> None:
    [account] = grant(
        user, past_due="801.05", current_due="20000.00", next_due_date=date(2023, 12, 26)
    )
    grant(user, current_due="10.00", next_due_date=date(2024, 1, 2))

    page = text(client.get(URL))

    assert "$20,801.05" in page
    assert "12/26/2023" in page
    assert "01/02/2024" in page
    assert page.count('<span class="tag tag--past-due">Past due</span>') == 1
    assert "$801.05 past due" in page
    assert account.number in page


def test_the_row_menu_offers_details_payment_options_and_support_for_that_account(
    client: Client, user: User
) -> None:
    [account] = grant(user)

    page = text(client.get(URL))

    pid = account.public_id
    assert f"Actions for account {account.number}" in page
    assert '<summary class="row-menu__toggle"' in page  # a native, keyboard-usable toggle
    assert f'href="{reverse("billing:details", args=[pid])}">View details</a>' in page
    payments = f"{reverse('billing:payment_options')}?account={pid}"
    assert f'href="{payments}" hx-get="{payments}"' in page
    assert ">Payment options</a>" in page
    support = f"{reverse('support:email_us')}?account={pid}"
    assert f'href="{support}" hx-get="{support}"' in page
    assert ">Billing support</a>" in page


def test_the_result_count_and_pages(client: Client, user: User) -> None:
    grant(user, 30)

    first = text(client.get(URL))
    second = text(client.get(URL, {"page": 2}))
    tens = text(client.get(URL, {"page_size": 10, "page": 3}))

    assert "1–25 of 30 accounts" in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "26–30 of 30 accounts" in second
    assert "21–30 of 30 accounts" in tens


def test_a_page_past_the_end_shows_the_last_page_with_a_note(client: Client, user: User) -> None:
    grant(user, 30)

    for page in ("99", "999999999999999999999", "-1", "abc", "2.5"):
        response = client.get(URL, {"page": page})
        assert response.status_code == 200
        body = text(response)
        assert "does not exist" in body
    assert "26–30 of 30 accounts" in text(client.get(URL, {"page": "99"}))


def test_the_url_carries_search_filters_sort_and_page_into_links_and_the_export(
    client: Client, user: User
) -> None:
    grant(user, 30, past_due="5")

    page = client.get(URL, {"q": "9", "status": "past_due", "sort": "-total"}).content.decode()

    assert 'href="/billing/export.xlsx?q=9&amp;status=past_due&amp;sort=-total"' in page
    assert 'href="?q=9&amp;status=past_due&amp;sort=-total&amp;page=2"' in page
    assert '<option value="-total" selected>' in page
    assert 'name="status" value="past_due" checked' in page


def test_htmx_gets_the_partial_and_the_same_url_without_htmx_the_whole_page(
    client: Client, user: User
) -> None:
    grant(user, 3)

    partial = client.get(URL, {"sort": "-acct"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="summary")
    full = client.get(URL, {"sort": "-acct"})
    restore = client.get(
        URL,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="summary",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert partial.content.decode().lstrip().startswith('<div id="summary"')
    assert "<html" not in partial.content.decode()
    assert "<html" in full.content.decode() and 'id="summary"' in full.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_applied_filters_show_as_chips_with_clear_all(client: Client, user: User) -> None:
    grant(user, past_due="5")

    page = text(client.get(URL, {"status": "past_due", "autopay": "off", "q": "9"}))

    assert "Past due</span>" in page and "Autopay: off" in page
    assert "Remove Past due" in page
    assert 'class="chips__clear"' in page and "Clear all</a>" in page
    assert 'Filters <span class="filters__count">(2' in page


def test_no_accounts_at_all_says_what_to_do(client: Client) -> None:
    page = text(client.get(URL))

    assert "No billing accounts yet" in page
    assert "0 accounts" in page


def test_nothing_matching_offers_to_clear_the_search_and_filters(
    client: Client, user: User
) -> None:
    grant(user, 2)

    page = text(client.get(URL, {"q": "no such account", "sort": "-total"}))

    assert "No accounts match your search and filters" in page
    assert 'href="?sort=-total"' in page and "Clear search and filters</a>" in page


BAD_QUERIES = [
    {"sort": "number; DROP TABLE billing_billingaccount"},
    {"sort": "__class__"},
    {"due_from": "2026-02-30", "due_to": "yesterday"},
    {"total_min": "abc", "total_max": "1e999999"},
    {"total_min": "NaN", "total_max": "Infinity"},
    {"q": "7" * 10_000},
    {"q": "' OR 1=1 --"},
    {"q": "<script>alert(1)</script>"},
    {"q": "%_%"},
    {"q": "\x00"},
    {"company": "<b>", "lob": "x", "autopay": "yes", "status": "any"},
    {"page_size": "0", "page": "-5"},
    {"page_size": "-1"},
]


@pytest.mark.parametrize("params", BAD_QUERIES)
def test_bad_input_never_answers_500_nor_shows_another_users_data(
    client: Client, user: User, params: dict[str, str]
) -> None:
    grant(user)
    [theirs] = grant(UserFactory())

    for url in (URL, reverse("billing:export")):
        response = client.get(url, params)
        assert response.status_code == 200
    page = client.get(URL, params).content.decode()
    assert theirs.number not in page
    assert "<script>alert(1)</script>" not in page


def test_a_bad_field_is_named_next_to_the_field_and_what_was_typed_is_kept(
    client: Client, user: User
) -> None:
    grant(user)

    page = text(client.get(URL, {"total_min": "12,5x", "q": "Atlas"}))

    assert "Enter an amount such as 1500 or 1,500.00." in page
    assert 'value="12,5x"' in page
    assert 'value="Atlas"' in page
    assert '<details class="filters" open>' in page
    assert 'role="alert"' in page


def test_the_number_of_queries_per_page_does_not_depend_on_the_number_of_accounts(
    user: User,
) -> None:
    def queries(client: Client, params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, params).status_code == 200
        return len(ctx.captured_queries)

    few, many = UserFactory(), UserFactory()
    today = timezone.localdate()
    for who, count in ((few, 2), (many, 60)):
        for account in grant(who, count, past_due="5", next_due_date=today - timedelta(days=2)):
            PolicyFactory(account=account)
    clients = {}
    for who in (few, many):
        clients[who] = Client()
        clients[who].force_login(who)

    for params in ({}, {"q": "9", "status": "past_due", "lob": "personal_auto", "sort": "due"}):
        for who in (few, many):  # what the page caches (grant count, table size) is filled
            clients[who].get(URL, {**params, "page_size": "50"})
        counts = {
            who.email: queries(clients[who], {**params, "page_size": "50"}) for who in (few, many)
        }
        assert counts[few.email] == counts[many.email], counts
    assert queries(clients[many], {"page_size": "50"}) <= 8


def test_empty_form_fields_are_dropped_from_the_address(client: Client, user: User) -> None:
    grant(user)
    params = {"q": "", "sort": "-total", "due_from": "", "status": "past_due"}

    plain = client.get(URL, params)
    htmx = client.get(URL, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="summary")

    assert plain.status_code == 302
    assert plain["Location"] == "/billing/?sort=-total&status=past_due"
    assert htmx.status_code == 200
    assert htmx["HX-Push-Url"] == "/billing/?sort=-total&status=past_due"
    assert 'href="/billing/export.xlsx?sort=-total&amp;status=past_due"' in htmx.content.decode()
