from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import default_task_backend
from django.utils import timezone

from support.models import OutgoingMessage, Topic
from support.selectors import Reference
from support.services import support_request_create


@pytest.mark.django_db
def test_support_sweep_re_enqueues_a_message_whose_worker_died(household: dict[str, Any]) -> None:
    request, _ = support_request_create(
        user=household["user"],
        account=None,
        phone=None,
        reference=Reference("general", "General Question", "general"),
        topic=Topic.GENERAL,
        message="hello",
        form_token="e" * 32,
    )
    stale = request.messages.get(kind="staff")
    OutgoingMessage.objects.filter(pk=stale.pk).update(
        status="sending", sending_since=timezone.now() - timedelta(hours=1)
    )
    OutgoingMessage.objects.exclude(pk=stale.pk).update(status="sent")
    backend: Any = default_task_backend
    backend.clear()
    out = StringIO()
    call_command("support_sweep", stdout=out)
    assert "Re-enqueued 1 support email(s)." in out.getvalue()
    assert [r.kwargs["message_id"] for r in backend.results] == [stale.pk]
