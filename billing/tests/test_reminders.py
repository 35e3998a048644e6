"""Billing reminders: who gets what, opt-out, and that a second run sends nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.models import Invoice
from billing.reminders import reminders_send
from billing.tests.factories import BillingAccountFactory, InvoiceFactory
from portal.models import Notification

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def emails() -> list[dict]:  # type: ignore[type-arg]
    return [
        r.args_kwargs["kwargs"]
        for r in DBTaskResult.objects.filter(task_path="portal.tasks.send_email")
    ]


def due_invoice(account, days: int, **kwargs):  # type: ignore[no-untyped-def]
    due = TODAY + timedelta(days=days)
    kwargs.setdefault("bill_date", min(due, TODAY) - timedelta(days=21))
    return InvoiceFactory.create(account=account, due_date=due, **kwargs)


@pytest.fixture
def settings_7(settings):  # type: ignore[no-untyped-def]
    settings.REMINDER_DAYS_BEFORE_DUE = 7
    settings.SITE_URL = "https://portal.example"
    return settings


def test_an_invoice_due_in_the_window_gets_a_notification_and_an_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create(
        user=UserFactory.create(email="jordan@example.com", full_name="Jordan Avery")
    )
    account = grant.account
    due_invoice(account, 7, number="INV-7", amount=Decimal("412.50"))

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.already_sent) == (1, 1, 0)
    note = Notification.objects.get(user=grant.user)
    assert note.title == f"Payment due 12/10/2026: billing account {account.number}"
    assert note.body == "Invoice INV-7 for $412.50 is due on 12/10/2026."
    assert note.link == reverse("billing:details", kwargs={"public_id": account.public_id})
    [mail] = emails()
    assert mail["to"] == ["jordan@example.com"]
    assert mail["subject"] == note.title
    assert "Hello Jordan," in mail["body"]
    assert f"https://portal.example{note.link}" in mail["body"]


def test_run_twice_sends_nothing_twice(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 3)
    due_invoice(grant.account, -2)

    first = reminders_send(today=TODAY)
    second = reminders_send(today=TODAY)
    third = reminders_send(today=TODAY + timedelta(days=1))

    assert (first.notifications, first.emails) == (2, 2)
    assert (second.notifications, second.emails, second.already_sent) == (0, 0, 2)
    assert (third.notifications, third.emails) == (0, 0)
    assert Notification.objects.count() == 2
    assert len(emails()) == 2


def test_a_lost_race_with_another_run_sends_no_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    """The pre-check misses a reminder another run created meanwhile (simulated by a
    notification older than the look-back); the unique key still stops the email."""
    grant = AccountGrantFactory.create()
    invoice = due_invoice(grant.account, 1)
    key = f"billing-reminder:due:{invoice.pk}:{invoice.due_date:%Y%m%d}"
    note = Notification.objects.create(user=grant.user, title="x", dedupe_key=key)
    Notification.objects.filter(pk=note.pk).update(created_at="2020-01-01T00:00:00Z")

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.already_sent) == (0, 0, 1)
    assert emails() == []


def test_opted_out_users_get_the_notification_but_no_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create(user=UserFactory.create(email_reminders=False))
    due_invoice(grant.account, 5)

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails) == (1, 0)
    assert Notification.objects.filter(user=grant.user).count() == 1
    assert emails() == []


def test_every_granted_user_of_the_account_is_reminded(settings_7) -> None:  # type: ignore[no-untyped-def]
    account = BillingAccountFactory.create()
    owner = AccountGrantFactory.create(account=account).user
    assistant = AccountGrantFactory.create(account=account).user
    inactive = AccountGrantFactory.create(
        account=account, user=UserFactory.create(is_active=False)
    ).user
    stranger = UserFactory.create()
    due_invoice(account, 2)

    reminders_send(today=TODAY)

    assert set(Notification.objects.values_list("user_id", flat=True)) == {owner.pk, assistant.pk}
    assert not Notification.objects.filter(user__in=[inactive, stranger]).exists()
    assert sorted(m["to"][0] for m in emails()) == sorted([owner.email, assistant.email])


def test_past_due_invoices_get_a_past_due_reminder(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(
        grant.account, -1, number="INV-LATE", amount=Decimal("100.00"), amount_paid=Decimal("40.00")
    )

    reminders_send(today=TODAY)

    note = Notification.objects.get()
    assert note.title == f"Past due: billing account {grant.account.number}"
    assert note.body.startswith(
        "Invoice INV-LATE for $60.00 was due 12/02/2026 and is now past due."
    )


@pytest.mark.parametrize(
    ("days", "kwargs"),
    [
        (8, {}),  # not due soon enough yet
        (-8, {}),  # past due longer than the catch-up window: left to billing staff
        (3, {"amount_paid": Decimal("100.00"), "status": Invoice.Status.PAID}),
        (3, {"status": Invoice.Status.VOID}),
        (3, {"bill_date": TODAY + timedelta(days=1)}),  # not billed yet
    ],
    ids=["too-far", "long-past-due", "paid", "void", "not-billed"],
)
def test_no_reminder_for(settings_7, days: int, kwargs: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, days, **kwargs)
    assert reminders_send(today=TODAY).notifications == 0
    assert Notification.objects.count() == 0


def test_the_window_follows_the_setting(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 10)
    assert reminders_send(today=TODAY).notifications == 0
    settings_7.REMINDER_DAYS_BEFORE_DUE = 10
    assert reminders_send(today=TODAY).notifications == 1


def test_a_moved_due_date_is_reminded_again(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    invoice = due_invoice(grant.account, 2)
    reminders_send(today=TODAY)
    invoice.due_date = TODAY + timedelta(days=6)
    invoice.save()
    assert reminders_send(today=TODAY).notifications == 1


def test_reads_do_not_grow_with_the_number_of_accounts(settings_7) -> None:  # type: ignore[no-untyped-def]
    """A second run writes nothing, so its queries are the reads alone: three, for 3
    accounts as for 30."""

    def second_run_queries(accounts: int) -> int:
        user = UserFactory.create()
        for _ in range(accounts):
            grant = AccountGrantFactory.create(user=user)
            due_invoice(grant.account, 4)
            due_invoice(grant.account, -3)
        reminders_send(today=TODAY)
        with CaptureQueriesContext(connection) as queries:
            run = reminders_send(today=TODAY)
        assert run.notifications == 0
        return len(queries)

    assert second_run_queries(3) == second_run_queries(30) == 3


def test_command_runs_for_a_given_date_and_reports(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 1)
    out = StringIO()
    call_command("send_billing_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "1 notifications, 1 emails enqueued, 0 already sent" in out.getvalue()
    out = StringIO()
    call_command("send_billing_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "0 notifications, 0 emails enqueued, 1 already sent" in out.getvalue()


def test_command_enqueue_hands_the_job_to_the_worker(settings_7) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("send_billing_reminders", "--enqueue", stdout=out)
    assert (
        DBTaskResult.objects.filter(task_path="billing.tasks.send_billing_reminders").count() == 1
    )
    assert "Enqueued billing reminders" in out.getvalue()


def test_command_rejects_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_billing_reminders", "--date", "03/12/2026")


def test_the_task_runs_todays_reminders(settings_7) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from billing.tasks import send_billing_reminders

    grant = AccountGrantFactory.create()
    InvoiceFactory.create(
        account=grant.account,
        due_date=timezone.localdate() + timedelta(days=2),
        bill_date=timezone.localdate() - timedelta(days=19),
    )
    assert send_billing_reminders.call() == {"notifications": 1, "emails": 1, "already_sent": 0}
