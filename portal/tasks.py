"""Background work of the portal shell. Tasks stay thin: they call Django's mail API."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from .mail import retry_delay, smtp_permanent_refusal

logger = logging.getLogger(__name__)


@task(queue_name="email")
def send_email(*, subject: str, body: str, to: list[str], attempt: int = 1) -> str:
    """Send a plain system email (password reset, billing reminders). Support email has
    its own outbox.

    A mail server that is down or answers "try again later" (4xx) gets the message
    again later: the task enqueues its next attempt with the support outbox's backoff
    (SUPPORT_EMAIL_RETRY_*), up to SUPPORT_EMAIL_MAX_ATTEMPTS. A permanent refusal
    (5xx) is logged and not retried. Returns what happened: sent, retry or refused.
    """
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    try:
        message.send()
    except Exception as error:
        refusal = smtp_permanent_refusal(error)
        if refusal is not None:
            logger.error("system email %r to %s refused for good: %s", subject, to, refusal)
            return "refused"
        if attempt >= settings.SUPPORT_EMAIL_MAX_ATTEMPTS:
            logger.error("system email %r to %s failed %s times; giving up", subject, to, attempt)
            raise
        delay = retry_delay(attempts=attempt)
        logger.warning(
            "system email %r to %s failed (attempt %s: %s: %s); again in %ss",
            subject,
            to,
            attempt,
            type(error).__name__,
            error,
            delay.total_seconds(),
        )
        send_email.using(run_after=timezone.now() + delay).enqueue(
            subject=subject, body=body, to=to, attempt=attempt + 1
        )
        return "retry"
    return "sent"
