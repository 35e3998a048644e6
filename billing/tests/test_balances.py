"""The balances kept on a billing account follow from its invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import BillingAccount, Invoice
from billing.services import billing_account_refresh_balances
from billing.tests.factories import BillingAccountFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def refreshed(account: BillingAccount) -> BillingAccount:
    billing_account_refresh_balances(today=TODAY, account_ids=[account.pk])
    account.refresh_from_db()
    return account


def test_unpaid_invoices_past_their_due_date_are_past_due_and_the_rest_current() -> None:
    account = BillingAccountFactory()
    InvoiceFactory(account=account, due_date=date(2026, 11, 15), amount=Decimal("412.50"))
    InvoiceFactory(
        account=account,
        due_date=date(2026, 12, 15),
        amount=Decimal("412.50"),
        amount_paid=Decimal("100.00"),
    )

    account = refreshed(account)

    assert account.past_due == Decimal("412.50")
    assert account.current_due == Decimal("312.50")
    assert account.total_due == Decimal("725.00")
    assert account.next_due_date == date(2026, 11, 15)
    assert account.is_past_due


def test_paid_void_and_not_yet_billed_invoices_owe_nothing() -> None:
    account = BillingAccountFactory()
    InvoiceFactory(
        account=account,
        due_date=date(2026, 11, 1),
        amount=Decimal("50.00"),
        amount_paid=Decimal("50.00"),
        status=Invoice.Status.PAID,
    )
    InvoiceFactory(
        account=account,
        due_date=date(2026, 11, 2),
        amount=Decimal("75.00"),
        status=Invoice.Status.VOID,
    )
    InvoiceFactory(
        account=account,
        due_date=date(2027, 3, 1),
        bill_date=date(2027, 2, 1),
        amount=Decimal("90.00"),
    )

    account = refreshed(account)

    assert (account.total_due, account.past_due, account.current_due) == (0, 0, 0)
    assert account.next_due_date is None
    assert not account.is_past_due


def test_an_invoice_due_today_is_current_not_past_due() -> None:
    account = BillingAccountFactory()
    InvoiceFactory(account=account, due_date=TODAY, amount=Decimal("20.00"))

    account = refreshed(account)

    assert account.past_due == 0
    assert account.current_due == Decimal("20.00")


def test_refresh_touches_only_the_accounts_asked_for() -> None:
    asked, other = BillingAccountFactory(), BillingAccountFactory()
    InvoiceFactory(account=asked, amount=Decimal("10.00"))
    InvoiceFactory(account=other, amount=Decimal("10.00"))

    billing_account_refresh_balances(today=TODAY, account_ids=[asked.pk])

    other.refresh_from_db()
    assert refreshed(asked).total_due == Decimal("10.00")
    assert other.total_due == 0


def test_the_database_refuses_a_total_that_is_not_past_plus_current() -> None:
    account = BillingAccountFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        BillingAccount.objects.filter(pk=account.pk).update(
            total_due=Decimal("10.00"), past_due=Decimal("1.00"), current_due=Decimal("1.00")
        )


def test_the_database_refuses_a_payment_above_the_invoice_amount() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(amount=Decimal("10.00"), amount_paid=Decimal("10.01"))


def test_the_periodic_refresh_moves_an_invoice_due_yesterday_into_past_due(settings) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from billing.tasks import refresh_account_balances

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    today = timezone.localdate()
    account = BillingAccountFactory()
    InvoiceFactory(account=account, due_date=today - timedelta(days=1), amount=Decimal("30.00"))
    BillingAccount.objects.filter(pk=account.pk).update(
        current_due=Decimal("30.00"), total_due=Decimal("30.00")
    )

    refresh_account_balances.enqueue()

    account.refresh_from_db()
    assert (account.past_due, account.current_due) == (Decimal("30.00"), 0)
