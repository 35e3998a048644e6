"""Background work of Billing Support. Tasks stay thin: they call services."""

from __future__ import annotations

from django.tasks import task

from .services import outgoing_message_deliver, outgoing_message_sweep


@task(queue_name="email")
def deliver_outgoing_message(*, message_id: int) -> str:
    """Send one support email (claimed atomically; retried with backoff on failure)."""
    return outgoing_message_deliver(message_id=message_id)


@task(queue_name="email")
def sweep_outgoing_messages() -> int:
    """Re-enqueue overdue retries and messages whose worker died mid-send."""
    return outgoing_message_sweep()
