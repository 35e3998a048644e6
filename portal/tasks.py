"""Background work of the portal shell. Tasks stay thin: they call Django's mail API."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task


@task(queue_name="email")
def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send a plain system email (password reset). Support email has its own outbox."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()
