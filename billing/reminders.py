"""Billing reminders: for invoices coming due and invoices that became past due, one
digest per user and run: one bell notification, and one email where the insured wants
it, covering all of that user's new reminders (docs/decisions/0040 and 0042).

Run once a day (``manage.py send_billing_reminders`` from cron, or the
``billing.tasks.send_billing_reminders`` task on the worker). Running it again sends
nothing twice: each reminder of one invoice to one user is an ``InvoiceReminder`` row
(unique per user, invoice, kind and due date), written in the same transaction as the
digest's notification and email task. If a concurrent run wrote one of them first, the
unique constraint rolls the digest back and it is rebuilt from what is left, so no
invoice is ever in two digests.

Windows rather than exact days, so a run that was missed catches up the next day:
- due soon: open invoices due from today up to REMINDER_DAYS_BEFORE_DUE days ahead;
- past due: open invoices whose due date passed at most PAST_DUE_CATCH_UP_DAYS ago
  (older ones are left to billing staff, so switching reminders on never floods
  anyone with reminders for invoices long past due).

The reads are four queries whatever the number of accounts (the invoices in the
windows, the grants of their accounts with their users, the reminders already sent,
and the per-invoice notifications of the version before digests); each user with
something new costs one short transaction of a fixed number of writes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import AccountGrant
from portal.models import Notification
from portal.services import notification_create
from portal.tasks import send_email

from .filters import DUE_SOON_DAYS, Status
from .models import Invoice, InvoiceReminder

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

PAST_DUE_CATCH_UP_DAYS = 7
# An email lists this many invoices, then "and N more" with a link to the summary.
EMAIL_LIST_LIMIT = 50
# Notification.dedupe_key of the per-invoice reminders sent before digests (0040):
# "billing-reminder:<kind>:<invoice id>:<YYYYMMDD>". Still read, so an invoice reminded
# that way is not reminded again; they age out of the look-back within days.
LEGACY_KEY_PREFIX = "billing-reminder:"
# A digest that loses a race with a concurrent run is rebuilt from what is left; after
# this many losses something else is wrong.
MAX_DIGEST_ATTEMPTS = 5

Key = tuple[int, int, str, date]  # user id, invoice id, kind, due date


@dataclass
class ReminderRun:
    notifications: int = 0  # bell notifications (digests) created by this run
    emails: int = 0  # emails enqueued by this run
    reminders: int = 0  # invoice reminders in those digests
    already_sent: int = 0  # invoice reminders found from an earlier (or concurrent) run

    def as_dict(self) -> dict[str, int]:
        return {
            "notifications": self.notifications,
            "emails": self.emails,
            "reminders": self.reminders,
            "already_sent": self.already_sent,
        }


@dataclass(frozen=True)
class _Reminder:
    kind: str  # InvoiceReminder.Kind: "due" or "past-due"
    invoice_id: int
    invoice_number: str
    due_date: date
    balance: Decimal
    account_id: int
    account_number: str
    account_public_id: Any
    account_past_due: bool  # the account shows under the summary's "Past due" filter

    def key(self, user_id: int) -> Key:
        return (user_id, self.invoice_id, self.kind, self.due_date)

    @property
    def is_past_due(self) -> bool:
        return self.kind == InvoiceReminder.Kind.PAST_DUE


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class Digest:
    """What one user is told in one run: the title, body and link of the notification,
    which the email repeats with every invoice listed."""

    reminders: tuple[_Reminder, ...]  # past due first (oldest first), then due soonest
    today: date

    @property
    def past_due(self) -> list[_Reminder]:
        return [r for r in self.reminders if r.is_past_due]

    @property
    def due(self) -> list[_Reminder]:
        return [r for r in self.reminders if not r.is_past_due]

    @property
    def account_ids(self) -> set[int]:
        return {r.account_id for r in self.reminders}

    def title(self) -> str:
        if len(self.reminders) == 1:
            [one] = self.reminders
            if one.is_past_due:
                return f"Past due: billing account {one.account_number}"
            return f"Payment due {one.due_date:%m/%d/%Y}: billing account {one.account_number}"
        due, past_due = len(self.due), len(self.past_due)
        parts = []
        if due:
            parts.append(f"{_plural(due, 'invoice')} due soon")
        if past_due:
            parts.append(
                f"{past_due} past due" if due else f"{_plural(past_due, 'invoice')} past due"
            )
        counts = ", ".join(parts)
        if len(self.account_ids) == 1:
            return f"{counts}: billing account {self.reminders[0].account_number}"
        return counts

    def body(self) -> str:
        if len(self.reminders) == 1:
            [one] = self.reminders
            amount = _money(one.balance)
            if one.is_past_due:
                return (
                    f"Invoice {one.invoice_number} for {amount} was due {one.due_date:%m/%d/%Y} "
                    "and is now past due. If you have already paid, thank you: payments take a "
                    "few business days to post."
                )
            when = "today" if one.due_date == self.today else f"on {one.due_date:%m/%d/%Y}"
            return f"Invoice {one.invoice_number} for {amount} is due {when}."
        sentences = []
        for group, verb in ((self.past_due, "past due"), (self.due, None)):
            if not group:
                continue
            total = _money(sum((r.balance for r in group), Decimal("0.00")))
            if verb is None:
                verb = f"due by {max(r.due_date for r in group):%m/%d/%Y}"
            if len(group) == 1:
                sentences.append(f"1 invoice for {total} is {verb}.")
            else:
                sentences.append(f"{len(group)} invoices totalling {total} are {verb}.")
        accounts = len(self.account_ids)
        if accounts > 1:
            sentences.append(f"They are on {accounts} billing accounts.")
        if self.past_due:
            sentences.append(
                "If you have already paid, thank you: payments take a few days to post."
            )
        return " ".join(sentences)

    def link(self) -> str:
        """The account for one account; for several, the Billing Summary filtered to the
        accounts that need attention, soonest due date first."""
        if len(self.account_ids) == 1:
            public_id = self.reminders[0].account_public_id
            return reverse("billing:details", kwargs={"public_id": public_id})
        summary = reverse("billing:summary")
        if any(r.due_date > self.today + timedelta(days=DUE_SOON_DAYS) for r in self.due):
            # Reminders set further ahead than the summary's "due soon" filter reaches:
            # every account, soonest first, rather than a filter that would hide some.
            return f"{summary}?{urlencode({'sort': 'due'})}"
        statuses = []
        # An account with an older unpaid invoice is "Past due" on the summary, not "due
        # soon", even when only its new invoice is reminded.
        if any(r.is_past_due or r.account_past_due for r in self.reminders):
            statuses.append(Status.PAST_DUE)
        if any(not r.account_past_due for r in self.due):
            statuses.append(Status.DUE_SOON)
        return f"{summary}?{urlencode({'status': statuses, 'sort': 'due'}, doseq=True)}"

    def email_body(self, *, user: User) -> str:
        site = settings.SITE_URL
        lines = [
            {
                "account": r.account_number,
                "invoice": r.invoice_number,
                "amount": _money(r.balance),
                "due_date": f"{r.due_date:%m/%d/%Y}",
                "past_due": r.is_past_due,
            }
            for r in self.reminders[:EMAIL_LIST_LIMIT]
        ]
        return render_to_string(
            "billing/email/reminders.txt",
            {
                "name": user.get_short_name(),
                "summary": self.body(),
                "lines": lines,
                "more": max(0, len(self.reminders) - EMAIL_LIST_LIMIT),
                "link": site + self.link(),
                "one_account": len(self.account_ids) == 1,
                "profile_url": site + reverse("accounts:profile"),
                "portal_name": settings.PORTAL_NAME,
            },
        )


def _candidate_invoices(*, today: date, days_before_due: int) -> QuerySet[Invoice]:
    due_soon = Q(due_date__gte=today, due_date__lte=today + timedelta(days=days_before_due))
    past_due = Q(due_date__lt=today, due_date__gte=today - timedelta(days=PAST_DUE_CATCH_UP_DAYS))
    return Invoice.objects.exclude(status=Invoice.Status.VOID).filter(
        due_soon | past_due, bill_date__lte=today, amount_paid__lt=F("amount")
    )


def _candidates(*, invoices: QuerySet[Invoice], today: date) -> list[_Reminder]:
    rows = invoices.order_by("due_date", "account__number", "number").values_list(
        "id",
        "number",
        "due_date",
        "amount",
        "amount_paid",
        "account_id",
        "account__number",
        "account__public_id",
        "account__past_due",
    )
    reminders = [
        _Reminder(
            kind=InvoiceReminder.Kind.PAST_DUE if due < today else InvoiceReminder.Kind.DUE,
            invoice_id=pk,
            invoice_number=number,
            due_date=due,
            balance=amount - paid,
            account_id=account_id,
            account_number=account_number,
            account_public_id=public_id,
            account_past_due=past_due > 0,
        )
        for pk, number, due, amount, paid, account_id, account_number, public_id, past_due in rows
    ]
    # Past due first, oldest first; then due soon, soonest first (the query's order).
    return sorted(reminders, key=lambda r: not r.is_past_due)


def _legacy_key(user_id: int, dedupe_key: str) -> Key | None:
    kind, _, rest = dedupe_key.removeprefix(LEGACY_KEY_PREFIX).partition(":")
    invoice_id, _, day = rest.partition(":")
    try:
        return (user_id, int(invoice_id), kind, date(int(day[:4]), int(day[4:6]), int(day[6:8])))
    except ValueError:
        return None


def _already_sent(*, invoices: QuerySet[Invoice], user_ids: QuerySet[Any], since: date) -> set[Key]:
    """The reminders of these invoices already sent, to any user: two queries."""
    sent: set[Key] = set(
        InvoiceReminder.objects.filter(invoice__in=invoices).values_list(
            "user_id", "invoice_id", "kind", "due_date"
        )
    )
    legacy = Notification.objects.filter(
        user_id__in=user_ids, dedupe_key__startswith=LEGACY_KEY_PREFIX, created_at__date__gte=since
    ).values_list("user_id", "dedupe_key")
    for user_id, dedupe_key in legacy:
        key = _legacy_key(user_id, dedupe_key)
        if key is not None:
            sent.add(key)
    return sent


def _digest_send(
    *, user: User, reminders: list[_Reminder], invoices: QuerySet[Invoice], today: date
) -> tuple[int, int]:
    """Notify (and email) one user of these reminders in one transaction, unless a
    concurrent run recorded some of them first: then the digest is rolled back and rebuilt
    from the others. Returns (reminders sent now, reminders found sent meanwhile)."""
    found = 0
    for _attempt in range(MAX_DIGEST_ATTEMPTS):
        if not reminders:
            return 0, found
        digest = Digest(reminders=tuple(reminders), today=today)
        try:
            with transaction.atomic():
                title = digest.title()
                note, _ = notification_create(
                    user=user, title=title, body=digest.body(), link=digest.link()
                )
                # Sorted by key, so two runs inserting overlapping sets lock rows in the
                # same order (PostgreSQL: the later one waits, then fails, no deadlock).
                InvoiceReminder.objects.bulk_create(
                    InvoiceReminder(
                        user=user,
                        invoice_id=r.invoice_id,
                        kind=r.kind,
                        due_date=r.due_date,
                        notification=note,
                        emailed=user.email_reminders,
                    )
                    for r in sorted(reminders, key=lambda r: r.key(user.pk))
                )
                if user.email_reminders:
                    # The task row commits or rolls back with the reminders (database
                    # task backend): no email without its records, and the reverse.
                    send_email.enqueue(
                        subject=title, body=digest.email_body(user=user), to=[user.email]
                    )
            return len(reminders), found
        except IntegrityError:
            taken = set(
                InvoiceReminder.objects.filter(user=user, invoice__in=invoices).values_list(
                    "user_id", "invoice_id", "kind", "due_date"
                )
            )
            left = [r for r in reminders if r.key(user.pk) not in taken]
            if len(left) == len(reminders):
                raise  # not a reminder another run recorded: a real error
            found += len(reminders) - len(left)
            reminders = left
    raise RuntimeError(f"billing reminders for user {user.pk}: lost {MAX_DIGEST_ATTEMPTS} races")


def reminders_send(*, today: date, days_before_due: int | None = None) -> ReminderRun:
    """Create today's reminders for every granted, active user, one digest per user;
    idempotent per invoice, kind and due date."""
    if days_before_due is None:
        days_before_due = settings.REMINDER_DAYS_BEFORE_DUE
    invoices = _candidate_invoices(today=today, days_before_due=days_before_due)
    reminders = _candidates(invoices=invoices, today=today)
    run = ReminderRun()
    if not reminders:
        return run
    by_account: dict[int, list[_Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_account[reminder.account_id].append(reminder)

    grants = (
        AccountGrant.objects.filter(
            account_id__in=invoices.values("account_id"), user__is_active=True
        )
        .select_related("user")
        .order_by("user_id", "account_id")
    )
    # A per-invoice notification of the old kind can only have been sent while its
    # invoice was in a window, so looking back over both windows finds every one.
    since = today - timedelta(days=days_before_due + PAST_DUE_CATCH_UP_DAYS + 2)
    sent = _already_sent(invoices=invoices, user_ids=grants.values("user_id"), since=since)

    users: dict[int, User] = {}
    of_user: dict[int, list[_Reminder]] = defaultdict(list)
    for grant in grants:
        users[grant.user_id] = grant.user
        of_user[grant.user_id] += by_account.get(grant.account_id, [])
    # An invoice is in one window on a given day, so it identifies its reminder.
    position = {r.invoice_id: n for n, r in enumerate(reminders)}
    for user_id, user in users.items():
        new = []
        for reminder in of_user[user_id]:
            if reminder.key(user_id) in sent:
                run.already_sent += 1
            else:
                new.append(reminder)
        if not new:
            continue
        new.sort(key=lambda r: position[r.invoice_id])  # past due, then due soon
        created, found = _digest_send(user=user, reminders=new, invoices=invoices, today=today)
        run.already_sent += found
        if created:
            run.reminders += created
            run.notifications += 1
            run.emails += 1 if user.email_reminders else 0
    logger.info("billing reminders for %s: %s", today.isoformat(), run.as_dict())
    return run
