"""Billing Details: balances and statuses on the page, the 404 rule, no per-row queries."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.models import BillingAccount, Invoice, Payment
from billing.selectors import billing_account_detail_get
from billing.services import billing_account_refresh_balances
from billing.tests.factories import (
    BillingAccountFactory,
    InvoiceFactory,
    PaymentFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return UserFactory.create()


@pytest.fixture
def client_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def account(user: User) -> BillingAccount:
    """Past due 100.00 (due 10 days ago), 250.00 due in 5 days, 300.00 not billed yet,
    one posted and one pending payment."""
    today = timezone.localdate()
    account = BillingAccountFactory.create(
        number="4000012345",
        insured_name="Jordan Avery",
        payment_plan=BillingAccount.PaymentPlan.QUARTERLY,
        autopay=False,
        paperless=True,
    )
    AccountGrantFactory.create(user=user, account=account)
    PolicyFactory.create(account=account, number="PA-2026-000001")
    InvoiceFactory.create(
        account=account,
        number="INV-PAID",
        due_date=today - timedelta(days=40),
        amount=Decimal("80.00"),
        amount_paid=Decimal("80.00"),
        status=Invoice.Status.PAID,
    )
    InvoiceFactory.create(
        account=account,
        number="INV-LATE",
        due_date=today - timedelta(days=10),
        amount=Decimal("100.00"),
    )
    InvoiceFactory.create(
        account=account,
        number="INV-SOON",
        due_date=today + timedelta(days=5),
        amount=Decimal("250.00"),
    )
    InvoiceFactory.create(
        account=account,
        number="INV-LATER",
        due_date=today + timedelta(days=60),
        amount=Decimal("300.00"),
    )
    PaymentFactory.create(
        account=account,
        received_on=today - timedelta(days=41),
        amount=Decimal("80.00"),
        reference="PMT-OLD",
    )
    PaymentFactory.create(
        account=account,
        received_on=today - timedelta(days=1),
        amount=Decimal("100.00"),
        status=Payment.Status.PENDING,
        reference="PMT-NEW",
    )
    billing_account_refresh_balances(today=today)
    account.refresh_from_db()
    return account


def details_url(account: BillingAccount) -> str:
    return reverse("billing:details", kwargs={"public_id": account.public_id})


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_url_carries_the_opaque_id_not_the_account_number(account: BillingAccount) -> None:
    url = details_url(account)
    assert str(account.public_id) in url
    assert account.number not in url


def test_header_shows_the_balances_due_date_and_account_facts(
    client_in: Client, account: BillingAccount
) -> None:
    response = client_in.get(details_url(account))
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert account.total_due == Decimal("350.00")
    assert "Total Due $350.00" in page
    assert "Past Due $100.00" in page
    assert "Current Due $250.00" in page
    # Outstanding includes the installment not billed yet.
    assert "Outstanding Balance $650.00 Including $300.00 not billed yet" in page
    was_due = (timezone.localdate() - timedelta(days=10)).strftime("%m/%d/%Y")
    assert f"Was due {was_due} Past due" in page
    assert "Jordan Avery" in page
    assert "1 Main Street" in page and "Columbus, OH 43215" in page
    assert "Payment Plan Quarterly (4 installments)" in page
    assert "Automatic Payments Off" in page
    assert "Paperless Billing On" in page
    last = (timezone.localdate() - timedelta(days=41)).strftime("%m/%d/%Y")
    assert f"Last Payment Received $80.00 on {last}" in page


def test_invoices_are_marked_past_due_in_text_and_upcoming_as_not_billed(
    client_in: Client, account: BillingAccount
) -> None:
    page = text_of(client_in.get(details_url(account)).content.decode())
    late = re.search(r"INV-LATE .*?(?=INV-SOON)", page)
    assert late is not None and "Past due" in late.group(0)
    assert "$100.00 $0.00 $100.00" in late.group(0)  # amount, paid, balance
    soon = re.search(r"INV-SOON .*?(?=INV-LATER)", page)
    assert soon is not None and "Past due" not in soon.group(0)
    assert re.search(r"INV-LATER .*?Not billed yet", page)
    assert re.search(r"INV-PAID .*?\$80\.00 \$80\.00 \$0\.00 Paid", page)


def test_pending_payment_is_shown_as_pending_and_explains_the_balance(
    client_in: Client, account: BillingAccount
) -> None:
    page = text_of(client_in.get(details_url(account)).content.decode())
    assert re.search(r"PMT-NEW Pending Not yet applied to your balance", page)
    assert "A payment of $100.00" in page and "is pending" in page
    assert "You don't need to pay again" in page
    assert re.search(r"PMT-OLD Posted", page)


def test_without_pending_payments_there_is_no_pending_notice(client_in: Client, user: User) -> None:
    account = AccountGrantFactory.create(user=user).account
    page = client_in.get(details_url(account)).content.decode()
    assert "is pending" not in page
    assert "Nothing due" in text_of(page)
    assert "not billed yet" not in page


def test_policies_are_listed(client_in: Client, account: BillingAccount) -> None:
    page = text_of(client_in.get(details_url(account)).content.decode())
    assert re.search(r"PA-2026-000001 Personal Auto 01/01/2026 – 01/01/2027 In force", page)


def test_buttons_open_this_accounts_payment_options_and_download(
    client_in: Client, account: BillingAccount
) -> None:
    html = client_in.get(details_url(account)).content.decode()
    options = reverse("billing:payment_options") + f"?account={account.public_id}"
    assert f'hx-get="{options}"' in html
    assert reverse("billing:account_export", kwargs={"public_id": account.public_id}) in html
    # No link on the page reveals the account number in a URL.
    for href in re.findall(r'(?:href|hx-get)="([^"]*)"', html):
        assert account.number not in href


@pytest.mark.parametrize(
    "path",
    [
        lambda other: reverse("billing:details", kwargs={"public_id": other.public_id}),
        lambda other: reverse("billing:details", kwargs={"public_id": uuid.uuid4()}),
        lambda other: "/billing/accounts/not-a-uuid/",
        lambda other: "/billing/accounts/4000012345/",
        lambda other: reverse("billing:account_export", kwargs={"public_id": other.public_id}),
        lambda other: reverse("billing:account_export", kwargs={"public_id": uuid.uuid4()}),
    ],
    ids=[
        "other-users",
        "nonexistent",
        "malformed",
        "account-number",
        "export-other",
        "export-none",
    ],
)
def test_foreign_missing_or_malformed_accounts_answer_404_alike(
    client_in: Client, account: BillingAccount, path
) -> None:  # type: ignore[no-untyped-def]
    other = AccountGrantFactory.create().account  # granted to someone else
    response = client_in.get(path(other))
    assert response.status_code == 404
    assert other.number not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, account: BillingAccount) -> None:
    response = client.get(details_url(account))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_queries_do_not_grow_with_the_rows_of_the_account(client_in: Client, user: User) -> None:
    small = AccountGrantFactory.create(user=user).account
    InvoiceFactory.create(account=small)
    PaymentFactory.create(account=small)
    PolicyFactory.create(account=small)
    large = AccountGrantFactory.create(user=user).account
    for _ in range(15):
        InvoiceFactory.create(account=large)
        PaymentFactory.create(account=large)
        PolicyFactory.create(account=large)
    client_in.get(details_url(small))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client_in.get(details_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client_in.get(details_url(large)).status_code == 200
    assert len(many) == len(few)


def test_selector_loads_an_account_in_four_queries(
    user: User, account: BillingAccount, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(4):
        detail = billing_account_detail_get(
            user=user, public_id=account.public_id, today=timezone.localdate()
        )
        assert detail is not None
        assert [i.number for i in detail.invoices][:2] == ["INV-PAID", "INV-LATE"]
        assert detail.pending_total == Decimal("100.00")


def test_selector_answers_none_for_an_inactive_user(account: BillingAccount, user: User) -> None:
    user.is_active = False
    user.save()
    assert (
        billing_account_detail_get(
            user=user, public_id=account.public_id, today=timezone.localdate()
        )
        is None
    )
