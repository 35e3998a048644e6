"""Send and delivery, against a real SMTP server (aiosmtpd) on localhost."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.tasks import default_task_backend
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from billing.services import billing_account_refresh_balances
from portal.models import Notification
from support.models import OutgoingMessage, RoutingRule, SupportRequest, Topic
from support.selectors import Reference
from support.services import (
    header_safe,
    outgoing_message_claim,
    outgoing_message_deliver,
    outgoing_message_resend,
    outgoing_message_sweep,
    retry_delay,
    smtp_permanent_refusal,
    support_request_create,
    topic_derive,
)

GENERAL = Reference("general", "General Question", "general")


def _send(household: dict[str, Any], capture: Any, **overrides: Any) -> SupportRequest:
    kwargs: dict[str, Any] = {
        "user": household["user"],
        "account": household["first"],
        "phone": None,
        "reference": GENERAL,
        "topic": Topic.GENERAL,
        "message": "Where can I send my payment?",
        "form_token": "a" * 32,
    } | overrides
    with capture(execute=True):
        request, created = support_request_create(**kwargs)
    assert created
    return request


@pytest.mark.django_db
def test_send_stores_request_routing_messages_and_notification_then_enqueues(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    backend: Any = default_task_backend
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request, created = support_request_create(
            user=household["user"],
            account=household["first"],
            phone=None,
            reference=GENERAL,
            topic=Topic.GENERAL,
            message="Where can I send my payment?",
            form_token="b" * 32,
        )
    # Nothing is enqueued before the commit...
    assert created and backend.results == []
    year = timezone.localdate().year
    assert request.reference == f"BS-{year}-{request.pk:06d}"
    assert request.recipient == "dana.whitfield@insurer.example"
    assert request.routing_reason == "The account's assigned billing representative"
    assert request.team_name == "Personal Lines Billing"  # never the personal address
    assert request.email == household["user"].email
    messages = {m.kind: m for m in request.messages.all()}
    assert messages["staff"].to == "dana.whitfield@insurer.example"
    assert messages["confirmation"].to == household["user"].email
    assert all(m.status == OutgoingMessage.Status.QUEUED for m in messages.values())
    assert Notification.objects.filter(
        user=household["user"], dedupe_key=f"support:{request.reference}"
    ).exists()
    # ...and one delivery task per message after it.
    for callback in callbacks:
        callback()
    assert sorted(r.kwargs["message_id"] for r in backend.results) == sorted(
        m.pk for m in messages.values()
    )


@pytest.mark.django_db
def test_the_same_form_token_creates_one_request(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    first = _send(household, django_capture_on_commit_callbacks)
    again, created = support_request_create(
        user=household["user"],
        account=None,
        phone=None,
        reference=GENERAL,
        topic=Topic.GENERAL,
        message="a second click",
        form_token="a" * 32,
    )
    assert (again, created) == (first, False)
    assert SupportRequest.objects.count() == 1 and OutgoingMessage.objects.count() == 2


@pytest.mark.django_db
def test_staff_email_and_confirmation_arrive_with_recipients_reply_to_subject_and_body(
    household: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    smtp: Any,
    run_tasks: Any,
) -> None:
    account = household["first"]
    billing_account_refresh_balances(today=household["invoice"].due_date + timedelta(days=1))
    account.refresh_from_db()
    request = _send(
        household,
        django_capture_on_commit_callbacks,
        account=account,
        reference=Reference("invoice:1", "Invoice INV-4000012345-03", "invoice"),
        topic=Topic.PAYMENT,
        message="Where can I send my payment?\nThank you.",
        phone=PhoneNumber.from_string("+16145550199"),
    )
    run_tasks()
    smtp.inbox.wait_for(2)
    received = {tuple(rcpt): msg for rcpt, msg in smtp.inbox.messages}
    staff = received[("dana.whitfield@insurer.example",)]
    assert staff["Subject"] == (
        f"[Billing Support {request.reference}] Account 4000012345 – Payment"
    )
    assert staff["Reply-To"].addresses[0].addr_spec == "jordan@example.com"
    assert staff["From"].addresses[0].addr_spec == "no-reply@portal.example"
    assert staff["Message-ID"].strip() == request.messages.get(kind="staff").message_id
    body = staff.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    for expected in (
        "Jordan Avery",
        "jordan@example.com",
        "(614) 555-0199",
        "4000012345",
        "Invoice INV-4000012345-03",
        request.reference,
        f"${account.total_due:,.2f}",
        account.next_due_date.strftime("%m/%d/%Y"),
        "Where can I send my payment?\nThank you.",
    ):
        assert expected in body, expected
    assert account.total_due > Decimal("0")
    assert staff.get_body(preferencelist=("html",)) is not None
    confirmation = received[("jordan@example.com",)]
    assert request.reference in confirmation["Subject"]
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "Personal Lines Billing" in text and "within one business day" in text
    assert "dana.whitfield" not in text  # the insured never sees a personal address
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_smtp_down_then_up_delivers_every_message_after_retries(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    from .conftest import SMTP_PORT, SmtpServer

    request = _send(household, django_capture_on_commit_callbacks)
    # The server is down: every first attempt fails and is scheduled again.
    backend: Any = default_task_backend
    for result in list(backend.results):
        backend.results.remove(result)
        assert result.task.call(**result.kwargs) == "retry"
    for message in request.messages.all():
        assert message.status == "queued" and message.attempts == 1
        assert "Connection" in message.last_error or "refused" in message.last_error.lower()
        assert message.next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert all(r.task.run_after for r in backend.results)
    server = SmtpServer(SMTP_PORT)
    server.start()
    try:
        run_tasks()
        server.inbox.wait_for(2)
    finally:
        server.stop()
    assert sorted(server.inbox.message_ids()) == sorted(
        request.messages.values_list("message_id", flat=True)
    )
    assert set(request.messages.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_refusing_server_exhausts_the_attempts_then_resend_delivers(
    household: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    smtp: Any,
    run_tasks: Any,
    settings: Any,
) -> None:
    smtp.inbox.mode = "reject"
    request = _send(household, django_capture_on_commit_callbacks)
    run_tasks()
    for message in request.messages.all():
        assert message.status == "failed"
        assert message.attempts == settings.SUPPORT_EMAIL_MAX_ATTEMPTS
        assert "451" in message.last_error
    smtp.inbox.mode = "accept"
    ids = list(request.messages.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing_message_resend(message_ids=ids) == 2
    run_tasks()
    smtp.inbox.wait_for(2)
    assert set(request.messages.values_list("status", flat=True)) == {"sent"}


def _deliver_each_once() -> dict[int, str]:
    """Run each queued delivery task once, like a worker's first pass: message pk -> outcome."""
    backend: Any = default_task_backend
    outcomes = {}
    for result in list(backend.results):
        backend.results.remove(result)
        outcomes[result.kwargs["message_id"]] = result.task.call(**result.kwargs)
    return outcomes


STAFF_TO = "dana.whitfield@insurer.example"  # the household's first account's representative
INSURED_TO = "jordan@example.com"


@pytest.mark.django_db
def test_a_550_recipient_fails_at_once_and_a_451_recipient_is_retried(
    household: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    smtp: Any,
    settings: Any,
    caplog: Any,
) -> None:
    settings.SUPPORT_EMAIL_RETRY_BASE_SECONDS = 60  # the retry stays in the future here
    settings.SUPPORT_EMAIL_RETRY_CAP_SECONDS = 60
    smtp.inbox.replies = {
        STAFF_TO: f"550 5.1.1 <{STAFF_TO}>: Recipient address rejected: User unknown",
        INSURED_TO: f"451 4.2.0 <{INSURED_TO}>: Mailbox temporarily unavailable",
    }
    request = _send(household, django_capture_on_commit_callbacks)
    staff = request.messages.get(kind="staff")
    confirmation = request.messages.get(kind="confirmation")

    with caplog.at_level(logging.ERROR, logger="support.services"):
        outcomes = _deliver_each_once()

    assert outcomes == {staff.pk: "failed", confirmation.pk: "retry"}
    staff.refresh_from_db()
    confirmation.refresh_from_db()
    # 550: failed after one attempt, the server's code and text kept for billing staff.
    assert (staff.status, staff.attempts, staff.sending_since) == ("failed", 1, None)
    assert staff.last_error == (
        f"550 5.1.1 <{STAFF_TO}>: Recipient address rejected: User unknown "
        f"(recipient {STAFF_TO}) (permanent, not retried; SMTPRecipientsRefused)"
    )
    assert any(
        "refused for good" in r.getMessage() and "550 5.1.1" in r.getMessage()
        for r in caplog.records
    )
    # 451: queued again for later, with a delivery task for that time.
    assert (confirmation.status, confirmation.attempts) == ("queued", 1)
    assert confirmation.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert "451 4.2.0" in confirmation.last_error
    backend: Any = default_task_backend
    assert [(r.kwargs["message_id"], bool(r.task.run_after)) for r in backend.results] == [
        (confirmation.pk, True)
    ]
    assert smtp.inbox.messages == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("replies", "mode", "outcome", "error"),
    [
        ({"no-reply@portal.example": "550 5.7.1 Sender rejected"}, "accept", "failed", "550"),
        ({}, "refuse", "failed", "554 5.6.0 Message content rejected"),
        ({"no-reply@portal.example": "451 4.7.1 Try again later"}, "accept", "retry", "451"),
        ({}, "reject", "retry", "451 4.3.0"),
    ],
    ids=["sender-550", "data-554", "sender-451", "data-451"],
)
def test_5xx_to_the_sender_or_the_data_fails_at_once_4xx_is_retried(
    household: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    smtp: Any,
    replies: dict[str, str],
    mode: str,
    outcome: str,
    error: str,
) -> None:
    smtp.inbox.replies = replies
    smtp.inbox.mode = mode
    request = _send(household, django_capture_on_commit_callbacks)

    assert set(_deliver_each_once().values()) == {outcome}

    for message in request.messages.all():
        assert message.attempts == 1
        assert message.status == ("failed" if outcome == "failed" else "queued")
        assert error in message.last_error


def test_only_a_5xx_refusal_is_permanent() -> None:
    def refused(*codes: int) -> smtplib.SMTPRecipientsRefused:
        return smtplib.SMTPRecipientsRefused(
            {f"r{n}@example.com": (code, b"no") for n, code in enumerate(codes)}
        )

    assert smtp_permanent_refusal(refused(550)) == "550 no (recipient r0@example.com)"
    assert smtp_permanent_refusal(refused(550, 553)) is not None
    assert smtp_permanent_refusal(refused(550, 451)) is None  # one may still get through
    assert smtp_permanent_refusal(refused(452)) is None
    assert smtp_permanent_refusal(smtplib.SMTPSenderRefused(550, b"bad", "a@b")) == "550 bad"
    assert smtp_permanent_refusal(smtplib.SMTPSenderRefused(421, b"closing", "a@b")) is None
    assert smtp_permanent_refusal(smtplib.SMTPDataError(552, b"too big")) == "552 too big"
    assert smtp_permanent_refusal(smtplib.SMTPDataError(450, b"later")) is None
    for transient in (
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPConnectError(421, "busy"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),  # socket.timeout
    ):
        assert smtp_permanent_refusal(transient) is None


@pytest.mark.django_db
def test_a_claimed_message_cannot_be_claimed_again_until_its_lease_expires(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    request = _send(household, django_capture_on_commit_callbacks)
    message = request.messages.get(kind="staff")
    now = timezone.now()
    assert outgoing_message_claim(message_id=message.pk, now=now) is not None
    assert outgoing_message_claim(message_id=message.pk, now=now) is None
    assert outgoing_message_deliver(message_id=message.pk) == "skipped"
    later = now + timedelta(seconds=settings.SUPPORT_EMAIL_LEASE_SECONDS + 1)
    claimed = outgoing_message_claim(message_id=message.pk, now=later)
    assert claimed is not None and claimed.attempts == 2


@pytest.mark.django_db
def test_sweep_re_enqueues_stale_sending_and_overdue_messages_only(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    backend: Any = default_task_backend
    request = _send(household, django_capture_on_commit_callbacks)
    backend.clear()
    staff = request.messages.get(kind="staff")
    confirmation = request.messages.get(kind="confirmation")
    now = timezone.now()
    # The staff email's worker died mid-send long ago; the confirmation is due just now.
    OutgoingMessage.objects.filter(pk=staff.pk).update(
        status="sending", sending_since=now - timedelta(hours=1)
    )
    OutgoingMessage.objects.filter(pk=confirmation.pk).update(next_attempt_at=now)
    assert outgoing_message_sweep(now=now, grace_seconds=60) == 1
    assert [r.kwargs["message_id"] for r in backend.results] == [staff.pk]
    assert outgoing_message_sweep(now=now + timedelta(seconds=61), grace_seconds=60) == 2


@pytest.mark.django_db
def test_a_name_with_line_breaks_never_adds_a_header(
    household: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    smtp: Any,
    run_tasks: Any,
) -> None:
    user = household["user"]
    user.full_name = "Jordan\r\nBcc: victim@example.com\nX-Evil: 1"
    user.save()
    _send(household, django_capture_on_commit_callbacks, account=None)
    run_tasks()
    smtp.inbox.wait_for(2)
    for rcpt, message in smtp.inbox.messages:
        assert "victim@example.com" not in rcpt
        assert message["Bcc"] is None and message["X-Evil"] is None
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_general_inquiry_goes_to_the_primary_team_and_rules_route_accounts_without_rep(
    household: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    general = _send(household, django_capture_on_commit_callbacks, account=None)
    assert general.recipient == "personal.billing@insurer.example"
    assert general.team_name == "Personal Lines Billing"
    RoutingRule.objects.create(
        state="CA", topic=Topic.AUTOPAY, mailbox="ca-autopay@insurer.example"
    )
    routed = _send(
        household,
        django_capture_on_commit_callbacks,
        account=household["second"],
        topic=Topic.AUTOPAY,
        form_token="c" * 32,
    )
    assert routed.recipient == "ca-autopay@insurer.example"
    assert "rule #" in routed.routing_reason
    # The insured sees the account's team, not the rule's mailbox.
    assert routed.team_name == "Western Region Billing"
    assert routed.response_time == "within two business days"


def test_retry_delay_doubles_up_to_the_cap(settings: Any) -> None:
    settings.SUPPORT_EMAIL_RETRY_BASE_SECONDS = 30
    settings.SUPPORT_EMAIL_RETRY_CAP_SECONDS = 600
    assert [retry_delay(attempts=n).total_seconds() for n in range(1, 7)] == [
        30,
        60,
        120,
        240,
        480,
        600,
    ]


@pytest.mark.parametrize(
    ("kind", "requested", "topic"),
    [
        ("general", "", Topic.GENERAL),
        ("invoice", "", Topic.PAYMENT),
        ("account", "", Topic.OTHER),
        ("policy", "", Topic.OTHER),
        ("account", "autopay", Topic.AUTOPAY),
        ("general", "paperless", Topic.PAPERLESS),
        ("account", "other", Topic.OTHER),
        ("general", "nonsense", Topic.GENERAL),
    ],
)
def test_topic_follows_the_requested_topic_then_in_reference_to(
    kind: str, requested: str, topic: str
) -> None:
    assert topic_derive(reference=Reference("x", "x", kind), requested=requested) == topic


def test_header_safe_flattens_line_breaks() -> None:
    assert header_safe("a\r\nBcc: x\n\tb") == "a Bcc: x b"
