"""Background work of billing. Tasks stay thin: they call services."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from .reminders import reminders_send
from .services import billing_account_refresh_balances


@task()
def send_billing_reminders() -> dict[str, int]:
    """Today's billing reminders (idempotent: safe to enqueue more than once a day)."""
    return reminders_send(today=timezone.localdate()).as_dict()


@task()
def refresh_account_balances() -> int:
    """Move what became due today from current to past due on every account.

    Balances are derived from invoices relative to today (decision 0001); this keeps
    them right as the calendar turns. Idempotent: the same day gives the same result.
    """
    return billing_account_refresh_balances(today=timezone.localdate())
