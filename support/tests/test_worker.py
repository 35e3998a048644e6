"""Real `manage.py db_worker` processes against the test database and a real SMTP server:
a worker killed mid-send loses nothing; two workers never send a message twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from support.models import OutgoingMessage, Topic
from support.selectors import Reference
from support.services import _delivery_enqueue, support_request_create

from .conftest import SMTP_PORT

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = str(Path(django_settings.BASE_DIR) / "manage.py")
GENERAL = Reference("general", "General Question", "general")
LEASE_SECONDS = 2


@pytest.fixture
def database_backend(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "email"],
        }
    }


class Database:
    """The test database as another process sees it. SQLite's test database lives in
    this process's memory, so it is copied to a file the workers share."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "workers.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    def url(self) -> str:
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)  # type: ignore[union-attr]
            return f"sqlite:///{self.path}"
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def statuses(self) -> dict[str, str]:
        if self.sqlite:
            with sqlite3.connect(self.path) as db:
                rows = db.execute("SELECT message_id, status FROM support_outgoingmessage")
                return dict(rows.fetchall())
        return dict(OutgoingMessage.objects.values_list("message_id", "status"))


def _env(url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SMTP_PORT),
        "EMAIL_TIMEOUT": "30",
        "SUPPORT_EMAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "SUPPORT_EMAIL_RETRY_BASE_SECONDS": "0.1",
        "SUPPORT_EMAIL_RETRY_CAP_SECONDS": "0.5",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
    }


def _worker(url: str, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            MANAGE,
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.05",
            "--no-reload",
            "--no-startup-delay",
            "--verbosity",
            "0",
            *extra,
        ],
        env=_env(url),
    )


def _requests(user: Any, count: int) -> list[str]:
    ids = []
    for n in range(count):
        request, _ = support_request_create(
            user=user,
            account=None,
            phone=None,
            reference=GENERAL,
            topic=Topic.GENERAL,
            message=f"message {n}",
            form_token=f"{n:032x}",
        )
        ids += list(request.messages.values_list("message_id", flat=True))
    return ids


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_send_is_replaced_and_the_message_delivered(
    household: dict[str, Any], smtp: Any, database_backend: None, tmp_path: Path
) -> None:
    smtp.inbox.mode = "hang"  # the relay takes the message and never answers
    message_ids = _requests(household["user"], 1)
    database = Database(tmp_path)
    url = database.url()
    worker = _worker(url)
    try:
        _wait(lambda: "sending" in database.statuses().values(), 30, "a message being sent")
        worker.send_signal(signal.SIGKILL)  # mid-send: no chance to clean up
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "sending" in database.statuses().values()
    smtp.inbox.mode = "accept"
    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease expires
    sweep = subprocess.run(
        [sys.executable, MANAGE, "support_sweep", "--grace", "0"],
        env=_env(url),
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert b"Re-enqueued" in sweep.stdout
    replacement = _worker(url, "--batch")
    assert replacement.wait(timeout=60) == 0
    assert set(database.statuses().values()) == {"sent"}
    assert set(message_ids) <= set(smtp.inbox.message_ids())


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="concurrent workers on one database are a PostgreSQL deployment",
)
def test_two_workers_on_postgresql_never_send_a_message_twice(
    household: dict[str, Any], smtp: Any, database_backend: None, tmp_path: Path
) -> None:
    assert connection.vendor == "postgresql"
    message_ids = _requests(household["user"], 25)
    # Every message is enqueued twice more, so both workers compete for each of them.
    for message_pk in OutgoingMessage.objects.values_list("pk", flat=True):
        _delivery_enqueue(message_id=message_pk)
        _delivery_enqueue(message_id=message_pk)
    url = Database(tmp_path).url()
    workers = [_worker(url, "--batch"), _worker(url, "--batch")]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    received = Counter(smtp.inbox.message_ids())
    assert set(received) == set(message_ids)
    assert max(received.values()) == 1
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}
    # Both workers really took part.
    workers_seen = {
        worker_id
        for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)
        for worker_id in ids
    }
    assert len(workers_seen) == 2
