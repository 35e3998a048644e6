"""Writes of Billing Support: accept a request (stored with its routing decision and its
outgoing email in one transaction), then deliver that email from a worker with retries.

Delivery guarantees (docs/decisions/0050-support-email-outbox.md): at least once. A
message is claimed with one conditional UPDATE (a compare-and-set on its status and
lease), so two workers never send the same message while its lease holds; a worker that
dies mid-send leaves it "sending" until the lease expires, then the sweep sends it again
with the same Message-ID.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.mail import retry_delay, smtp_error_text, smtp_permanent_refusal
from portal.services import notification_create

from .contacts import primary_company_get
from .models import OutgoingMessage, RoutingRule, SupportRequest, Topic
from .routing import Route, RouteSource, route_request
from .selectors import (
    Reference,
    account_facts_get,
    outgoing_message_due_ids,
    routing_rule_active_list,
    support_request_by_token,
)

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

    from accounts.models import User
    from billing.models import BillingAccount, ServiceTeam

logger = logging.getLogger(__name__)

DEFAULT_TEAM_NAME = "Billing Support"
DEFAULT_RESPONSE_TIME = "within one business day"


def header_safe(value: str, *, limit: int = 200) -> str:
    """One line of printable text: CR, LF and other whitespace runs become one space, so
    no value can add a header (Django would refuse it with an error instead)."""
    return " ".join(str(value).split())[:limit]


def topic_derive(*, reference: Reference, requested: str = "") -> str:
    """The topic of a request: an enrolment or payment asked for by the page that opened
    the form (``?topic=``) wins; otherwise it follows In Reference To."""
    if requested in (Topic.AUTOPAY, Topic.PAPERLESS, Topic.PAYMENT):
        return requested
    if reference.kind == "general":
        return Topic.GENERAL
    if reference.kind == "invoice":
        return Topic.PAYMENT
    return Topic.OTHER


@dataclass(frozen=True)
class _Destination:
    route: Route
    team_name: str
    response_time: str


def _destination(*, user: User, account: BillingAccount | None, topic: str) -> _Destination:
    primary_team: ServiceTeam | None = None
    if account is None:
        company = primary_company_get(user=user)
        primary_team = company.general_team if company else None
        route = route_request(
            account=None,
            topic=topic,
            rules=[],
            default_inbox=settings.DEFAULT_BILLING_INBOX,
            primary_team_mailbox=primary_team.mailbox if primary_team else "",
        )
    else:
        route = route_request(
            account=account_facts_get(account=account),
            topic=topic,
            rules=routing_rule_active_list(),
            default_inbox=settings.DEFAULT_BILLING_INBOX,
        )
    # What the insured is told: a team's name and answer time, never a personal address.
    team: ServiceTeam | None = None
    if route.source == RouteSource.PRIMARY_TEAM:
        team = primary_team
    elif route.source == RouteSource.REPRESENTATIVE and account and account.representative:
        team = account.representative.team
    elif route.source == RouteSource.RULE:
        rule = RoutingRule.objects.select_related("team").filter(pk=route.rule_id or 0).first()
        team = (rule.team if rule else None) or (account.team if account else None)
    elif route.source == RouteSource.TEAM and account:
        team = account.team
    if team is None:
        return _Destination(route, DEFAULT_TEAM_NAME, DEFAULT_RESPONSE_TIME)
    return _Destination(route, team.name, team.response_time or DEFAULT_RESPONSE_TIME)


def _message_id(*, reference: str, kind: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "portal.example"
    return make_msgid(idstring=f"{reference}.{kind}", domain=domain)


def _render(name: str, context: dict[str, object]) -> tuple[str, str, str]:
    subject = header_safe(render_to_string(f"support/email/{name}.subject.txt", context))
    text = render_to_string(f"support/email/{name}.txt", context)
    html = render_to_string(f"support/email/{name}.html", context)
    return subject, text, html


def _messages_build(
    *, request: SupportRequest, user: User, account: BillingAccount | None, now: datetime
) -> list[OutgoingMessage]:
    reference = request.reference or ""
    context: dict[str, object] = {
        "request": request,
        "user": user,
        "account": account,
        "topic_label": Topic(request.topic).label,
        "subject_account": f"Account {account.number}" if account else "General Inquiry",
        "site_url": settings.SITE_URL,
        "portal_name": settings.PORTAL_NAME,
        "request_url": settings.SITE_URL
        + reverse("support:request_sent", kwargs={"reference": reference}),
    }
    staff_subject, staff_text, staff_html = _render("staff", context)
    conf_subject, conf_text, conf_html = _render("confirmation", context)
    common = {"request": request, "from_email": settings.DEFAULT_FROM_EMAIL, "next_attempt_at": now}
    return [
        OutgoingMessage(
            kind=OutgoingMessage.Kind.STAFF,
            to=request.recipient,
            reply_to=formataddr((header_safe(user.get_full_name()), user.email)),
            subject=staff_subject,
            body_text=staff_text,
            body_html=staff_html,
            message_id=_message_id(reference=reference, kind="staff"),
            **common,  # type: ignore[arg-type]
        ),
        OutgoingMessage(
            kind=OutgoingMessage.Kind.CONFIRMATION,
            to=user.email,
            subject=conf_subject,
            body_text=conf_text,
            body_html=conf_html,
            message_id=_message_id(reference=reference, kind="confirmation"),
            **common,  # type: ignore[arg-type]
        ),
    ]


def support_request_create(
    *,
    user: User,
    account: BillingAccount | None,
    phone: PhoneNumber | None,
    reference: Reference,
    topic: str,
    message: str,
    form_token: str,
) -> tuple[SupportRequest, bool]:
    """Store a request, its routing decision, its two emails and a bell notification in
    one transaction; delivery is enqueued once it commits. The same form token sends
    once: the second call returns the first request and False."""
    existing = support_request_by_token(user=user, form_token=form_token)
    if existing is not None:
        return existing, False
    destination = _destination(user=user, account=account, topic=topic)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                user=user,
                account=account,
                form_token=form_token,
                email=user.email,  # always the profile's, never a posted value
                phone=phone or "",
                reference_to=reference.label,
                topic=topic,
                message=message,
                recipient=destination.route.recipient,
                routing_reason=destination.route.reason,
                team_name=destination.team_name,
                response_time=destination.response_time,
            )
            request.reference = f"BS-{timezone.localdate(now).year}-{request.pk:06d}"
            request.save(update_fields=["reference"])
            messages = OutgoingMessage.objects.bulk_create(
                _messages_build(request=request, user=user, account=account, now=now)
            )
            notification_create(
                user=user,
                title=f"Billing Support request {request.reference} sent",
                body=f"Your message went to {request.team_name}. "
                f"Expect an answer {request.response_time}.",
                link=reverse("support:request_sent", kwargs={"reference": request.reference}),
                dedupe_key=f"support:{request.reference}",
            )
            ids = [m.pk for m in messages]
            # The rows are the outbox; the task only wakes a worker. If enqueueing fails
            # after the commit, the sweep still finds the queued rows.
            transaction.on_commit(lambda: _delivery_enqueue_many(ids), robust=True)
    except IntegrityError:
        # A concurrent submit of the same form won the race: answer with its request.
        existing = support_request_by_token(user=user, form_token=form_token)
        if existing is None:
            raise
        return existing, False
    logger.info(
        "support request %s routed to %s (%s)",
        request.reference,
        request.recipient,
        destination.route.source,
    )
    return request, True


# --- delivery ---------------------------------------------------------------------------
def _delivery_enqueue(*, message_id: int, run_after: datetime | None = None) -> None:
    from .tasks import deliver_outgoing_message

    task = deliver_outgoing_message
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message_id)


def _delivery_enqueue_many(ids: list[int]) -> None:
    for message_id in ids:
        _delivery_enqueue(message_id=message_id)


def _lease() -> timedelta:
    return timedelta(seconds=settings.SUPPORT_EMAIL_LEASE_SECONDS)


def outgoing_message_claim(*, message_id: int, now: datetime) -> OutgoingMessage | None:
    """Take a message for sending with one conditional UPDATE, or None if it is not due
    or another worker holds it. On PostgreSQL a concurrent UPDATE of the same row waits
    for the first to commit and then re-checks the condition, so only one wins."""
    claimable = Q(status=OutgoingMessage.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutgoingMessage.Status.SENDING, sending_since__lt=now - _lease()
    )
    claimed = (
        OutgoingMessage.objects.filter(claimable, pk=message_id).update(
            status=OutgoingMessage.Status.SENDING,
            sending_since=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )
    return OutgoingMessage.objects.get(pk=message_id) if claimed else None


def _email_build(message: OutgoingMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=header_safe(message.subject, limit=300),
        body=message.body_text,
        from_email=message.from_email,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={
            "Message-ID": message.message_id,
            "X-Billing-Support-Reference": header_safe(message.request.reference or ""),
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def outgoing_message_deliver(*, message_id: int) -> str:
    """Claim and send one message; on failure schedule a retry or mark it failed.
    Returns what happened: sent, retry, failed or skipped (not due / held elsewhere).

    A permanent refusal by the server (SMTP 5xx, see ``smtp_permanent_refusal``) fails
    the message at once, with the server's code and text in ``last_error``, for billing
    staff to correct and Resend from the admin; anything else is retried with backoff
    until SUPPORT_EMAIL_MAX_ATTEMPTS."""
    message = outgoing_message_claim(message_id=message_id, now=timezone.now())
    if message is None:
        return "skipped"
    mine = OutgoingMessage.objects.filter(
        pk=message.pk, status=OutgoingMessage.Status.SENDING, sending_since=message.sending_since
    )
    try:
        # The SMTP mailer has a timeout (EMAIL_TIMEOUT), so a relay that never answers fails here
        # well within the lease.
        _email_build(message).send()
    except Exception as error:  # other failures of the relay or the network are retried
        now = timezone.now()
        refusal = smtp_permanent_refusal(error)
        if refusal is not None:
            # The server's code and text first: the admin's list shows the start of it.
            text = f"{refusal} (permanent, not retried; {type(error).__name__})"[:2000]
            mine.update(
                status=OutgoingMessage.Status.FAILED,
                sending_since=None,
                last_error=text,
                updated_at=now,
            )
            logger.error(
                "support email %s to %s refused for good on attempt %s: %s",
                message.pk,
                message.to,
                message.attempts,
                text,
            )
            return "failed"
        text = smtp_error_text(error)[:2000]
        if message.attempts >= settings.SUPPORT_EMAIL_MAX_ATTEMPTS:
            mine.update(
                status=OutgoingMessage.Status.FAILED,
                sending_since=None,
                last_error=text,
                updated_at=now,
            )
            logger.error("support email %s failed for good: %s", message.pk, text)
            return "failed"
        when = now + retry_delay(attempts=message.attempts)
        mine.update(
            status=OutgoingMessage.Status.QUEUED,
            sending_since=None,
            next_attempt_at=when,
            last_error=text,
            updated_at=now,
        )
        logger.warning(
            "support email %s attempt %s failed, retry at %s: %s",
            message.pk,
            message.attempts,
            when.isoformat(),
            text,
        )
        try:
            _delivery_enqueue(message_id=message.pk, run_after=when)
        except Exception:  # the sweep re-enqueues due retries
            logger.exception("could not enqueue the retry of support email %s", message.pk)
        return "retry"
    now = timezone.now()
    OutgoingMessage.objects.filter(pk=message.pk).exclude(
        status=OutgoingMessage.Status.SENT
    ).update(
        status=OutgoingMessage.Status.SENT,
        sent_at=now,
        sending_since=None,
        last_error="",
        updated_at=now,
    )
    return "sent"


def outgoing_message_sweep(
    *, now: datetime | None = None, grace_seconds: float = 60.0, limit: int = 1000
) -> int:
    """Enqueue delivery of every message whose retry is overdue by more than the grace
    (its task was lost) or whose sender's lease expired (its worker died). Enqueueing
    twice is harmless: only one claim succeeds."""
    now = now or timezone.now()
    ids = outgoing_message_due_ids(
        due_before=now - timedelta(seconds=grace_seconds),
        lease_expired_before=now - _lease(),
        limit=limit,
    )
    for message_id in ids:
        _delivery_enqueue(message_id=message_id)
    return len(ids)


def outgoing_message_resend(*, message_ids: list[int]) -> int:
    """Send failed (or already sent) messages again from the first attempt."""
    now = timezone.now()
    ids = list(
        OutgoingMessage.objects.filter(
            pk__in=message_ids,
            status__in=[OutgoingMessage.Status.FAILED, OutgoingMessage.Status.SENT],
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=OutgoingMessage.Status.QUEUED,
            attempts=0,
            next_attempt_at=now,
            sending_since=None,
            updated_at=now,
        )
        transaction.on_commit(lambda: _delivery_enqueue_many(ids), robust=True)
    return len(ids)
