"""Billing reminders: one digest (one bell notification, one email) per user and run,
who gets what, opt-out, and that no invoice is ever reminded twice, also when two runs
race."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing import reminders as reminders_module
from billing.models import Invoice, InvoiceReminder
from billing.reminders import Digest, _Reminder, reminders_send
from billing.tests.factories import BillingAccountFactory, InvoiceFactory
from portal.models import Notification

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
SUMMARY = reverse("billing:summary")


def emails() -> list[dict]:  # type: ignore[type-arg]
    return [
        r.args_kwargs["kwargs"]
        for r in DBTaskResult.objects.filter(task_path="portal.tasks.send_email").order_by(
            "enqueued_at"
        )
    ]


def due_invoice(account, days: int, **kwargs):  # type: ignore[no-untyped-def]
    due = TODAY + timedelta(days=days)
    kwargs.setdefault("bill_date", min(due, TODAY) - timedelta(days=21))
    return InvoiceFactory.create(account=account, due_date=due, **kwargs)


def reminded() -> set[tuple[int, int, str, date]]:
    return set(InvoiceReminder.objects.values_list("user_id", "invoice_id", "kind", "due_date"))


@pytest.fixture
def settings_7(settings):  # type: ignore[no-untyped-def]
    settings.REMINDER_DAYS_BEFORE_DUE = 7
    settings.SITE_URL = "https://portal.example"
    return settings


# --- one invoice: a specific notification, as before digests ------------------------------
def test_an_invoice_due_in_the_window_gets_a_notification_and_an_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create(
        user=UserFactory.create(email="jordan@example.com", full_name="Jordan Avery")
    )
    account = grant.account
    invoice = due_invoice(account, 7, number="INV-7", amount=Decimal("412.50"))

    run = reminders_send(today=TODAY)

    assert run.as_dict() == {"notifications": 1, "emails": 1, "reminders": 1, "already_sent": 0}
    note = Notification.objects.get(user=grant.user)
    assert note.title == f"Payment due 12/10/2026: billing account {account.number}"
    assert note.body == "Invoice INV-7 for $412.50 is due on 12/10/2026."
    assert note.link == reverse("billing:details", kwargs={"public_id": account.public_id})
    [mail] = emails()
    assert mail["to"] == ["jordan@example.com"]
    assert mail["subject"] == note.title
    assert "Hello Jordan," in mail["body"]
    assert (
        f"- billing account {account.number}, invoice INV-7: $412.50 due 12/10/2026\n"
        in (mail["body"])
    )
    assert f"See the account and how to pay: https://portal.example{note.link}" in mail["body"]
    assert f"To turn them off: https://portal.example{reverse('accounts:profile')}" in mail["body"]
    record = InvoiceReminder.objects.get()
    assert (record.user, record.invoice, record.kind, record.due_date) == (
        grant.user,
        invoice,
        "due",
        invoice.due_date,
    )
    assert (record.notification, record.emailed) == (note, True)


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
    [mail] = emails()
    assert (
        f"- PAST DUE: billing account {grant.account.number}, invoice INV-LATE: "
        "$60.00 was due 12/02/2026\n"
    ) in mail["body"]


# --- many invoices: one digest ------------------------------------------------------------
def test_a_user_with_many_reminders_gets_one_notification_and_one_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create(full_name="Riley Chen")
    accounts = [AccountGrantFactory.create(user=user).account for _ in range(4)]
    due_invoice(accounts[0], 2, number="INV-A", amount=Decimal("100.00"))
    due_invoice(accounts[1], 5, number="INV-B", amount=Decimal("200.00"))
    due_invoice(accounts[2], 7, number="INV-C", amount=Decimal("300.50"))
    due_invoice(
        accounts[3], -3, number="INV-D", amount=Decimal("80.00"), amount_paid=Decimal("20.00")
    )

    run = reminders_send(today=TODAY)

    assert run.as_dict() == {"notifications": 1, "emails": 1, "reminders": 4, "already_sent": 0}
    note = Notification.objects.get(user=user)
    assert note.title == "3 invoices due soon, 1 past due"
    assert note.body == (
        "1 invoice for $60.00 is past due. 3 invoices totalling $600.50 are due by "
        "12/10/2026. They are on 4 billing accounts. If you have already paid, thank you: "
        "payments take a few days to post."
    )
    assert note.link == f"{SUMMARY}?status=past_due&status=due_soon&sort=due"
    [mail] = emails()
    assert mail["subject"] == note.title
    body = mail["body"]
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert lines == [
        f"- PAST DUE: billing account {accounts[3].number}, invoice INV-D: $60.00 "
        "was due 11/30/2026",
        f"- billing account {accounts[0].number}, invoice INV-A: $100.00 due 12/05/2026",
        f"- billing account {accounts[1].number}, invoice INV-B: $200.00 due 12/08/2026",
        f"- billing account {accounts[2].number}, invoice INV-C: $300.50 due 12/10/2026",
    ]
    assert f"https://portal.example{note.link}" in body
    assert InvoiceReminder.objects.filter(user=user, notification=note).count() == 4


def test_one_account_with_several_invoices_links_to_the_account(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 1)
    due_invoice(grant.account, 6)

    reminders_send(today=TODAY)

    note = Notification.objects.get()
    assert note.title == f"2 invoices due soon: billing account {grant.account.number}"
    assert note.link == reverse("billing:details", kwargs={"public_id": grant.account.public_id})


def test_a_huge_digest_lists_the_first_invoices_then_how_many_more(settings_7) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create()
    for _ in range(reminders_module.EMAIL_LIST_LIMIT + 12):
        due_invoice(AccountGrantFactory.create(user=user).account, 3)

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.reminders) == (1, 1, 62)
    assert Notification.objects.get().title == "62 invoices due soon"
    [mail] = emails()
    listed = [line for line in mail["body"].splitlines() if line.startswith("- billing account")]
    assert len(listed) == 50
    assert (
        "- and 12 more invoices: see them all at "
        f"https://portal.example{SUMMARY}?status=due_soon&sort=due"
    ) in mail["body"]


def _reminder(kind: str, days: int, account: int = 1, balance: str = "10.00") -> _Reminder:
    return _Reminder(
        kind=kind,
        invoice_id=hash((kind, days, account)),
        invoice_number="INV",
        due_date=TODAY + timedelta(days=days),
        balance=Decimal(balance),
        account_id=account,
        account_number=f"ACCT{account}",
        account_public_id="00000000-0000-0000-0000-000000000000",
        account_past_due=False,
    )


@pytest.mark.parametrize(
    ("reminders", "title"),
    [
        ([("due", 1, 1), ("past-due", -1, 2)], "1 invoice due soon, 1 past due"),
        ([("due", 1, 1), ("due", 2, 2), ("past-due", -1, 3)], "2 invoices due soon, 1 past due"),
        (
            [("due", 1, 1), ("past-due", -1, 2), ("past-due", -2, 3)],
            "1 invoice due soon, 2 past due",
        ),
        ([("past-due", -1, 1), ("past-due", -2, 2)], "2 invoices past due"),
        ([("due", 1, 1), ("due", 2, 2)], "2 invoices due soon"),
        (
            [("due", 1, 1), ("past-due", -2, 1)],
            "1 invoice due soon, 1 past due: billing account ACCT1",
        ),
    ],
)
@pytest.mark.django_db(False)
def test_digest_titles_count_right(reminders: list[tuple[str, int, int]], title: str) -> None:
    digest = Digest(reminders=tuple(_reminder(*r) for r in reminders), today=TODAY)
    assert digest.title() == title


@pytest.mark.django_db(False)
def test_the_summary_link_filters_to_what_needs_attention() -> None:
    def link(*reminders: _Reminder) -> str:
        return Digest(reminders=reminders, today=TODAY).link()

    assert link(_reminder("past-due", -1, 1), _reminder("past-due", -2, 2)) == (
        f"{SUMMARY}?status=past_due&sort=due"
    )
    assert link(_reminder("due", 1, 1), _reminder("due", 2, 2)) == (
        f"{SUMMARY}?status=due_soon&sort=due"
    )
    # An account with an older unpaid invoice shows under "Past due" on the summary.
    older_debt = _Reminder(**{**_reminder("due", 2, 2).__dict__, "account_past_due": True})
    assert link(_reminder("due", 1, 1), older_debt) == (
        f"{SUMMARY}?status=past_due&status=due_soon&sort=due"
    )
    # Reminders set further ahead than the summary's 30-day filter: no filter hides them.
    assert link(_reminder("due", 1, 1), _reminder("due", 45, 2)) == f"{SUMMARY}?sort=due"


# --- idempotence --------------------------------------------------------------------------
def test_run_twice_sends_nothing_twice(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 3)
    due_invoice(grant.account, -2)

    first = reminders_send(today=TODAY)
    second = reminders_send(today=TODAY)
    third = reminders_send(today=TODAY + timedelta(days=1))

    assert first.as_dict() == {"notifications": 1, "emails": 1, "reminders": 2, "already_sent": 0}
    assert second.as_dict() == {"notifications": 0, "emails": 0, "reminders": 0, "already_sent": 2}
    assert (third.notifications, third.emails) == (0, 0)
    assert Notification.objects.count() == 1
    assert len(emails()) == 1


def test_later_runs_remind_only_what_is_new(settings_7) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create()
    first_account, second_account = (AccountGrantFactory.create(user=user).account for _ in "ab")
    soon = due_invoice(first_account, 2, number="INV-SOON")
    due_invoice(second_account, 4, number="INV-OTHER")
    reminders_send(today=TODAY)

    # Tomorrow a new invoice enters the window: a digest with only that invoice.
    entering = due_invoice(second_account, 8, number="INV-NEW")
    run = reminders_send(today=TODAY + timedelta(days=1))
    assert (run.notifications, run.emails, run.reminders, run.already_sent) == (1, 1, 1, 2)
    newest = Notification.objects.first()
    assert newest is not None
    assert newest.title == f"Payment due 12/11/2026: billing account {second_account.number}"
    assert "INV-NEW" in emails()[-1]["body"] and "INV-SOON" not in emails()[-1]["body"]

    # The invoice reminded as due soon is not paid and becomes past due: its past-due
    # reminder still goes out, alone.
    run = reminders_send(today=TODAY + timedelta(days=3))
    assert (run.notifications, run.reminders) == (1, 1)
    newest = Notification.objects.first()
    assert newest is not None
    assert newest.title == f"Past due: billing account {first_account.number}"
    assert "PAST DUE" in emails()[-1]["body"] and "INV-SOON" in emails()[-1]["body"]
    assert (user.pk, soon.pk, "due", soon.due_date) in reminded()
    assert (user.pk, soon.pk, "past-due", soon.due_date) in reminded()
    assert (user.pk, entering.pk, "due", entering.due_date) in reminded()
    assert Notification.objects.count() == 3 and len(emails()) == 3


def test_a_moved_due_date_is_reminded_again(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    invoice = due_invoice(grant.account, 2)
    reminders_send(today=TODAY)
    invoice.due_date = TODAY + timedelta(days=6)
    invoice.save()
    assert reminders_send(today=TODAY).notifications == 1


def test_a_per_invoice_notification_from_before_digests_still_counts_as_sent(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    old = due_invoice(grant.account, 1)
    new = due_invoice(grant.account, 5)
    Notification.objects.create(
        user=grant.user,
        title="Payment due",
        dedupe_key=f"billing-reminder:due:{old.pk}:{old.due_date:%Y%m%d}",
    )
    # Another kind or another due date of the same invoice is not the same reminder.
    Notification.objects.create(
        user=grant.user,
        title="x",
        dedupe_key=f"billing-reminder:past-due:{new.pk}:{new.due_date:%Y%m%d}",
    )

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.reminders, run.already_sent) == (1, 1, 1)
    assert reminded() == {(grant.user.pk, new.pk, "due", new.due_date)}


def test_a_lost_race_with_another_run_leaves_only_the_rest_in_the_digest(
    settings_7, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The pre-check misses what another run recorded meanwhile (simulated by hiding the
    records from it); the unique constraint rolls the digest back and it is rebuilt."""
    user = UserFactory.create()
    accounts = [AccountGrantFactory.create(user=user).account for _ in range(3)]
    invoices = [due_invoice(account, 2 + n) for n, account in enumerate(accounts)]
    reminders_send(today=TODAY)
    InvoiceReminder.objects.filter(invoice=invoices[2]).delete()  # this one is still unsent
    notes, mails = Notification.objects.count(), len(emails())
    monkeypatch.setattr(reminders_module, "_already_sent", lambda **kwargs: set())

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.reminders, run.already_sent) == (1, 1, 1, 2)
    assert Notification.objects.count() == notes + 1
    note = Notification.objects.first()
    assert note is not None and note.title.endswith(f"billing account {accounts[2].number}")
    assert len(emails()) == mails + 1
    # Everything already recorded: the digest is dropped, nothing sent.
    run = reminders_send(today=TODAY)
    assert (run.notifications, run.emails, run.already_sent) == (0, 0, 3)
    assert len(emails()) == mails + 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two runs at once on one database: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_on_postgresql_send_each_reminder_once(
    settings_7, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert connection.vendor == "postgresql"
    fleet = UserFactory.create()
    household = UserFactory.create()
    for n in range(20):
        due_invoice(AccountGrantFactory.create(user=fleet).account, n % 8 - 3)
    due_invoice(AccountGrantFactory.create(user=household).account, 4)
    # Both runs read "nothing sent yet" before either writes: the worst interleaving.
    both_read = threading.Barrier(2, timeout=30)
    read = reminders_module._already_sent

    def read_then_wait(**kwargs: Any) -> Any:
        sent = read(**kwargs)
        both_read.wait()
        return sent

    monkeypatch.setattr(reminders_module, "_already_sent", read_then_wait)
    runs: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            runs.append(reminders_send(today=TODAY))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(runs) == 2
    assert sum(r.reminders for r in runs) == 21
    assert sum(r.already_sent for r in runs) == 21
    assert sum(r.notifications for r in runs) == Notification.objects.count()
    assert Notification.objects.filter(user=fleet).count() == 1
    assert Notification.objects.filter(user=household).count() == 1
    # No invoice in two digests, and one email per digest.
    assert InvoiceReminder.objects.count() == 21
    assert len(emails()) == Notification.objects.count() == sum(r.emails for r in runs)
    listed = [
        line
        for mail in emails()
        for line in mail["body"].splitlines()
        if line.startswith("- ") and "billing account" in line
    ]
    assert len(listed) == 21


# --- who is reminded ----------------------------------------------------------------------
def test_opted_out_users_get_the_notification_but_no_email(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create(user=UserFactory.create(email_reminders=False))
    due_invoice(grant.account, 5)
    due_invoice(grant.account, -1)

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.reminders) == (1, 0, 2)
    assert Notification.objects.filter(user=grant.user).count() == 1
    assert emails() == []
    assert set(InvoiceReminder.objects.values_list("emailed", flat=True)) == {False}


def test_every_granted_user_of_the_account_gets_a_digest(settings_7) -> None:  # type: ignore[no-untyped-def]
    account = BillingAccountFactory.create()
    owner = AccountGrantFactory.create(account=account).user
    assistant = AccountGrantFactory.create(account=account).user
    inactive = AccountGrantFactory.create(
        account=account, user=UserFactory.create(is_active=False)
    ).user
    stranger = UserFactory.create()
    due_invoice(account, 2)
    due_invoice(account, 3)

    run = reminders_send(today=TODAY)

    assert (run.notifications, run.emails, run.reminders) == (2, 2, 4)
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(
        [owner.pk, assistant.pk]
    )
    assert not Notification.objects.filter(user__in=[inactive, stranger]).exists()
    assert sorted(m["to"][0] for m in emails()) == sorted([owner.email, assistant.email])


def test_each_user_is_told_only_of_their_own_accounts(settings_7) -> None:  # type: ignore[no-untyped-def]
    shared = BillingAccountFactory.create()
    alice, bob = UserFactory.create(), UserFactory.create()
    AccountGrantFactory.create(user=alice, account=shared)
    AccountGrantFactory.create(user=bob, account=shared)
    own = AccountGrantFactory.create(user=alice).account
    due_invoice(shared, 2, number="INV-SHARED")
    due_invoice(own, 3, number="INV-ALICE")

    reminders_send(today=TODAY)

    by_user = {m["to"][0]: m["body"] for m in emails()}
    assert "INV-SHARED" in by_user[alice.email] and "INV-ALICE" in by_user[alice.email]
    assert "INV-SHARED" in by_user[bob.email] and "INV-ALICE" not in by_user[bob.email]


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
    assert InvoiceReminder.objects.count() == 0


def test_the_window_follows_the_setting(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 10)
    assert reminders_send(today=TODAY).notifications == 0
    settings_7.REMINDER_DAYS_BEFORE_DUE = 10
    assert reminders_send(today=TODAY).notifications == 1


def test_billing_staff_see_which_reminders_an_insured_was_sent(settings_7, client) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from accounts.roles import BILLING_STAFF, roles_sync

    grant = AccountGrantFactory.create(user=UserFactory.create(email="riley@example.com"))
    due_invoice(grant.account, 2, number="INV-SEEN")
    reminders_send(today=TODAY)
    roles_sync()
    staff = UserFactory.create(is_staff=True)
    staff.groups.add(Group.objects.get(name=BILLING_STAFF))
    client.force_login(staff)

    url = reverse("admin:billing_invoicereminder_changelist")
    html = client.get(url, {"q": "riley@example.com"}).content.decode()

    assert "INV-SEEN" in html and "riley@example.com" in html
    record = InvoiceReminder.objects.get()
    change = reverse("admin:billing_invoicereminder_change", args=[record.pk])
    assert client.post(change, {}).status_code == 403  # read-only


# --- cost ---------------------------------------------------------------------------------
def _fleet(accounts: int) -> None:
    user = UserFactory.create()
    for _ in range(accounts):
        grant = AccountGrantFactory.create(user=user)
        due_invoice(grant.account, 4)
        due_invoice(grant.account, -3)


def test_a_run_costs_the_same_queries_for_3_accounts_as_for_30(settings_7) -> None:  # type: ignore[no-untyped-def]
    """First run: four reads, then one transaction for the user's digest (notification,
    reminders in one bulk insert, email task). Second run: the four reads alone."""

    def queries(accounts: int) -> tuple[int, int]:
        _fleet(accounts)
        with CaptureQueriesContext(connection) as first:
            run = reminders_send(today=TODAY)
        assert (run.notifications, run.reminders) == (1, 2 * accounts)
        with CaptureQueriesContext(connection) as second:
            run = reminders_send(today=TODAY)
        assert run.notifications == 0
        InvoiceReminder.objects.all().delete()
        Notification.objects.all().delete()
        Invoice.objects.all().delete()
        return len(first), len(second)

    small, large = queries(3), queries(30)
    assert small == large
    assert small[1] == 4


# --- command and task ---------------------------------------------------------------------
def test_command_runs_for_a_given_date_and_reports(settings_7) -> None:  # type: ignore[no-untyped-def]
    grant = AccountGrantFactory.create()
    due_invoice(grant.account, 1)
    due_invoice(grant.account, 2)
    out = StringIO()
    call_command("send_billing_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert (
        "2 invoice reminders in 1 notification, 1 email enqueued, 0 already sent" in out.getvalue()
    )
    out = StringIO()
    call_command("send_billing_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert (
        "0 invoice reminders in 0 notifications, 0 emails enqueued, 2 already sent"
        in out.getvalue()
    )


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
    assert send_billing_reminders.call() == {
        "notifications": 1,
        "emails": 1,
        "reminders": 1,
        "already_sent": 0,
    }
