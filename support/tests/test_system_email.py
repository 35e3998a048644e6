"""System email (password reset, billing reminders: ``portal.tasks.send_email``) against a
real SMTP server (aiosmtpd): a server that is down or says "try again later" gets the
message again later, with the support outbox's backoff; a permanent refusal is not
retried. (Here because the SMTP server and the task runner fixtures are.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.tasks import default_task_backend
from django.utils import timezone

from portal.tasks import send_email

from .conftest import SMTP_PORT, SmtpServer

MAIL = {"subject": "Payment due 12/10/2026", "body": "Hello", "to": ["jordan@example.com"]}


def pending() -> list[Any]:
    backend: Any = default_task_backend
    return list(backend.results)


def test_a_server_that_is_down_gets_the_email_later(run_tasks: Any) -> None:
    assert send_email.call(**MAIL) == "retry"  # nothing listens on the port yet

    (retry,) = pending()
    assert retry.kwargs == {**MAIL, "attempt": 2}
    assert retry.task.run_after > timezone.now() - timedelta(seconds=1)

    server = SmtpServer(SMTP_PORT)
    server.start()
    try:
        assert run_tasks() == 1
        server.inbox.wait_for(1)
    finally:
        server.stop()
    ((rcpt_tos, message),) = server.inbox.messages
    assert rcpt_tos == ["jordan@example.com"]
    assert message["Subject"] == "Payment due 12/10/2026"
    assert pending() == []


def test_try_again_later_is_retried_until_the_attempts_run_out(
    smtp: Any, run_tasks: Any, settings: Any
) -> None:
    smtp.inbox.mode = "reject"  # 451 for every message

    assert send_email.call(**MAIL) == "retry"
    with pytest.raises(Exception, match="451"):
        run_tasks()  # attempts 2, 3 retry; attempt 4 (SUPPORT_EMAIL_MAX_ATTEMPTS) gives up

    assert pending() == []
    assert smtp.inbox.messages == []


def test_a_permanent_refusal_is_not_retried(smtp: Any) -> None:
    smtp.inbox.replies["jordan@example.com"] = "550 5.1.1 No such user"

    assert send_email.call(**MAIL) == "refused"

    assert pending() == []
    assert smtp.inbox.messages == []


def test_an_accepting_server_gets_it_once(smtp: Any) -> None:
    assert send_email.call(**MAIL) == "sent"

    smtp.inbox.wait_for(1)
    assert pending() == []
