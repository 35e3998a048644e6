"""Writes to billing data. Balances are derived from invoices in one UPDATE statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import (
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from .models import ZERO, BillingAccount, Invoice

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _open_invoices(*, today: date):  # type: ignore[no-untyped-def]
    """Billed invoices of the outer account with something left to pay."""
    return (
        Invoice.objects.filter(account=OuterRef("pk"), bill_date__lte=today)
        .exclude(status=Invoice.Status.VOID)
        .filter(amount_paid__lt=F("amount"))
        .order_by()
        .values("account")
    )


def billing_account_refresh_balances(
    *, today: date, account_ids: Iterable[int] | None = None
) -> int:
    """Recompute total, past and current due and the next due date from invoices.

    Past due is what is left on invoices whose due date has passed; current due is what
    is left on billed invoices not yet due; the next due date is the due date of the
    oldest unpaid invoice. One UPDATE, so concurrent writers never lose a change.
    """
    balance = ExpressionWrapper(F("amount") - F("amount_paid"), output_field=_MONEY)
    zero = Value(ZERO, output_field=_MONEY)
    past = Coalesce(
        Subquery(
            _open_invoices(today=today)
            .filter(due_date__lt=today)
            .annotate(s=Sum(balance))
            .values("s"),
            output_field=_MONEY,
        ),
        zero,
    )
    current = Coalesce(
        Subquery(
            _open_invoices(today=today)
            .filter(due_date__gte=today)
            .annotate(s=Sum(balance))
            .values("s"),
            output_field=_MONEY,
        ),
        zero,
    )
    next_due = Subquery(
        _open_invoices(today=today).annotate(d=Min("due_date")).values("d"),
        output_field=DateField(),
    )
    accounts = BillingAccount.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    return accounts.update(
        past_due=past, current_due=current, total_due=past + current, next_due_date=next_due
    )
