"""Background work of billing. Tasks stay thin: they call services."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from .reminders import reminders_send


@task()
def send_billing_reminders() -> dict[str, int]:
    """Today's billing reminders (idempotent: safe to enqueue more than once a day)."""
    return reminders_send(today=timezone.localdate()).as_dict()
