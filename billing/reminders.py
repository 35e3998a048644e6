"""Billing reminders: a bell notification, and an email where the insured wants one,
for invoices coming due and invoices that became past due.

Run once a day (``manage.py send_billing_reminders`` from cron, or the
``billing.tasks.send_billing_reminders`` task on the worker). Running it again sends
nothing twice: each reminder is a notification with a dedupe key (one per user,
invoice, kind and due date), and its email is enqueued in the same transaction only
when that notification was created by this run.

Windows rather than exact days, so a run that was missed catches up the next day:
- due soon: open invoices due from today up to REMINDER_DAYS_BEFORE_DUE days ahead;
- past due: open invoices whose due date passed at most PAST_DUE_CATCH_UP_DAYS ago
  (older ones are left to billing staff, so switching reminders on never floods
  anyone with reminders for invoices long past due).

The reads are three queries whatever the number of accounts (the invoices in the
windows, the grants of their accounts with their users, the reminders already sent);
only the reminders created cost writes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from accounts.models import AccountGrant
from portal.models import Notification
from portal.services import notification_create
from portal.tasks import send_email

from .models import Invoice

logger = logging.getLogger(__name__)

PAST_DUE_CATCH_UP_DAYS = 7
KEY_PREFIX = "billing-reminder:"


@dataclass
class ReminderRun:
    notifications: int = 0  # bell notifications created by this run
    emails: int = 0  # emails enqueued by this run
    already_sent: int = 0  # reminders found from an earlier run

    def as_dict(self) -> dict[str, int]:
        return {
            "notifications": self.notifications,
            "emails": self.emails,
            "already_sent": self.already_sent,
        }


@dataclass(frozen=True)
class _Reminder:
    kind: str  # "due" or "past-due"
    invoice_id: int
    invoice_number: str
    due_date: date
    balance: Decimal
    account_id: int
    account_number: str
    account_public_id: Any

    @property
    def dedupe_key(self) -> str:
        return f"{KEY_PREFIX}{self.kind}:{self.invoice_id}:{self.due_date:%Y%m%d}"

    def title(self) -> str:
        if self.kind == "past-due":
            return f"Past due: billing account {self.account_number}"
        return f"Payment due {self.due_date:%m/%d/%Y}: billing account {self.account_number}"

    def body(self, *, today: date) -> str:
        amount = f"${self.balance:,.2f}"
        if self.kind == "past-due":
            return (
                f"Invoice {self.invoice_number} for {amount} was due {self.due_date:%m/%d/%Y} "
                "and is now past due. If you have already paid, thank you: payments take a "
                "few business days to post."
            )
        when = "today" if self.due_date == today else f"on {self.due_date:%m/%d/%Y}"
        return f"Invoice {self.invoice_number} for {amount} is due {when}."


def _candidates(*, today: date, days_before_due: int) -> list[_Reminder]:
    due_soon = Q(due_date__gte=today, due_date__lte=today + timedelta(days=days_before_due))
    past_due = Q(due_date__lt=today, due_date__gte=today - timedelta(days=PAST_DUE_CATCH_UP_DAYS))
    rows = (
        Invoice.objects.exclude(status=Invoice.Status.VOID)
        .filter(due_soon | past_due, bill_date__lte=today, amount_paid__lt=F("amount"))
        .order_by("due_date", "id")
        .values_list(
            "id",
            "number",
            "due_date",
            "amount",
            "amount_paid",
            "account_id",
            "account__number",
            "account__public_id",
        )
    )
    return [
        _Reminder(
            kind="past-due" if due < today else "due",
            invoice_id=pk,
            invoice_number=number,
            due_date=due,
            balance=amount - paid,
            account_id=account_id,
            account_number=account_number,
            account_public_id=public_id,
        )
        for pk, number, due, amount, paid, account_id, account_number, public_id in rows
    ]


def reminders_send(*, today: date, days_before_due: int | None = None) -> ReminderRun:
    """Create today's reminders for every granted, active user; idempotent."""
    if days_before_due is None:
        days_before_due = settings.REMINDER_DAYS_BEFORE_DUE
    reminders = _candidates(today=today, days_before_due=days_before_due)
    run = ReminderRun()
    if not reminders:
        return run
    by_account: dict[int, list[_Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_account[reminder.account_id].append(reminder)

    invoices_in_window = Invoice.objects.filter(pk__in=[r.invoice_id for r in reminders])
    grants = (
        AccountGrant.objects.filter(
            account_id__in=invoices_in_window.values("account_id"), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id", "account_id")
    )
    # A reminder can only have been sent while its invoice was in a window, so looking
    # back over both windows finds every earlier one.
    since = today - timedelta(days=days_before_due + PAST_DUE_CATCH_UP_DAYS + 2)
    sent = set(
        Notification.objects.filter(
            user_id__in=grants.values("user_id"),
            dedupe_key__startswith=KEY_PREFIX,
            created_at__date__gte=since,
        ).values_list("user_id", "dedupe_key")
    )

    site = settings.SITE_URL
    profile_url = site + reverse("accounts:profile")
    for grant in grants:
        user = grant.user
        for reminder in by_account.get(grant.account_id, []):
            if (user.pk, reminder.dedupe_key) in sent:
                run.already_sent += 1
                continue
            link = reverse("billing:details", kwargs={"public_id": reminder.account_public_id})
            title, body = reminder.title(), reminder.body(today=today)
            with transaction.atomic():
                _notification, created = notification_create(
                    user=user, title=title, body=body, link=link, dedupe_key=reminder.dedupe_key
                )
                if not created:  # another run got there first
                    run.already_sent += 1
                    continue
                run.notifications += 1
                if user.email_reminders:
                    send_email.enqueue(
                        subject=title,
                        body=(
                            f"Hello {user.get_short_name()},\n\n{body}\n\n"
                            f"See the account and how to pay: {site}{link}\n\n"
                            "You get these reminders because email reminders are on in "
                            f"your profile. To turn them off: {profile_url}\n"
                        ),
                        to=[user.email],
                    )
                    run.emails += 1
    logger.info("billing reminders for %s: %s", today.isoformat(), run.as_dict())
    return run
