"""Sending email, shared by the support outbox (support/services.py) and the portal's
system email (portal/tasks.py): how long to wait before the next attempt, and which
answers of an SMTP server are final."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from django.conf import settings


def retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2·base, 4·base… ≤ cap."""
    base = settings.SUPPORT_EMAIL_RETRY_BASE_SECONDS
    cap = settings.SUPPORT_EMAIL_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _refused_text(error: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(
        f"{code} {_reply_text(reply)} (recipient {rcpt})"
        for rcpt, (code, reply) in error.recipients.items()
    )


def smtp_error_text(error: BaseException) -> str:
    """The server's replies as it wrote them ("451 4.3.0 Mailbox busy"), not as tuples."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"{name}: {_refused_text(error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: {error.smtp_code} {_reply_text(error.smtp_error)}"
    return f"{name}: {error}"


def smtp_permanent_refusal(error: BaseException) -> str | None:
    """The server's reply when it refused the message for good (an SMTP 5xx), else None.

    Permanent: every recipient refused with 5xx, the sender refused with 5xx, or the
    message data refused with 5xx. Sending the same message again can never succeed, so
    it is not retried. A 4xx ("try again later"), a dropped connection, a refused
    connection or a timeout is transient and is retried with backoff.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = error.recipients.items()
        if replies and all(500 <= code < 600 for _, (code, _reply) in replies):
            return _refused_text(error)
        return None
    if (
        isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError)
        and 500 <= error.smtp_code < 600
    ):
        return f"{error.smtp_code} {_reply_text(error.smtp_error)}"
    return None
