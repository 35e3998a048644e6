"""Billing Support benchmark: time to accept a Send, and support email delivered per
second to a local SMTP server (aiosmtpd) by one and by two `manage.py db_worker`s.

    .venv/bin/python -m bench.support                    # SQLite file in var/
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5_bench .venv/bin/python -m bench.support

The database named by BENCH_DATABASE_URL is migrated and emptied of support data; use a
database of its own. Results are printed as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8152"))
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-support.sqlite3'}")
SENDS = int(os.environ.get("BENCH_SENDS", "200"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "400"))

os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SMTP_PORT),
        "EMAIL_TIMEOUT": "10",
        "SUPPORT_RATE_LIMIT": "1000000/m",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import AccountGrant, User  # noqa: E402
from billing.models import BillingAccount  # noqa: E402
from billing.tests.factories import (  # noqa: E402
    BillingAccountFactory,
    BillingRepresentativeFactory,
    CompanyFactory,
    ServiceTeamFactory,
)
from support.models import OutgoingMessage, SupportRequest  # noqa: E402
from support.selectors import Reference  # noqa: E402
from support.services import support_request_create  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
            self.count += 1
        return "250 OK"


def prepare() -> tuple[User, BillingAccount]:
    call_command("migrate", verbosity=0)
    DBTaskResult.objects.all().delete()
    OutgoingMessage.objects.all().delete()
    SupportRequest.objects.all().delete()
    user = User.objects.filter(email="bench@example.com").first()
    if user is None:
        user = User.objects.create_user(
            email="bench@example.com", password=None, full_name="Bench Insured"
        )
    grant = AccountGrant.objects.filter(user=user).select_related("account").first()
    if grant is not None:
        return user, grant.account
    company: Any = CompanyFactory()
    team: Any = ServiceTeamFactory(company=company)
    company.general_team = team
    company.save()
    rep = BillingRepresentativeFactory(team=team)
    account: Any = BillingAccountFactory(company=company, team=team, representative=rep)
    AccountGrant.objects.create(user=user, account=account)
    return user, account


def bench_accept(user: User, account: BillingAccount) -> dict[str, float]:
    """Server time of POST /support/email-us/ (htmx) until the confirmation is rendered:
    validation, routing, the transaction with 2 outgoing messages and the task rows."""
    client = Client()
    client.force_login(user)
    url = reverse("support:email_us")
    data = {
        "account": str(account.public_id),
        "phone": "(614) 555-0123",
        "reference_to": "general",
        "message": "Where can I send my payment? " * 10,
    }
    for _ in range(10):  # warm up
        client.post(url, data | {"token": uuid.uuid4().hex}, headers={"HX-Request": "true"})
    times = []
    for _ in range(SENDS):
        start = time.perf_counter()
        response = client.post(
            url, data | {"token": uuid.uuid4().hex}, headers={"HX-Request": "true"}
        )
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and b"BS-" in response.content
    get_times = []
    for _ in range(50):
        start = time.perf_counter()
        client.get(url, {"account": str(account.public_id)}, headers={"HX-Request": "true"})
        get_times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "send_median_ms": statistics.median(times),
        "send_p95_ms": times[int(len(times) * 0.95) - 1],
        "open_modal_median_ms": statistics.median(get_times),
    }


def queue_messages(user: User, count: int) -> None:
    DBTaskResult.objects.all().delete()
    OutgoingMessage.objects.all().delete()
    SupportRequest.objects.all().delete()
    general = Reference("general", "General Question", "general")
    for n in range(count // 2):  # two messages per request
        support_request_create(
            user=user,
            account=None,
            phone=None,
            reference=general,
            topic="general",
            message=f"bench message {n}",
            form_token=uuid.uuid4().hex,
        )
    assert OutgoingMessage.objects.filter(status="queued").count() == count


def bench_delivery(user: User, workers: int) -> dict[str, float]:
    queue_messages(user, MESSAGES)
    connection.close()  # the workers get the database to themselves
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "db_worker",
                    "--queue-name",
                    "*",
                    "--batch",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.05",
                    "--verbosity",
                    "0",
                ],
                env=os.environ.copy(),
            )
            for _ in range(workers)
        ]
        for proc in procs:
            assert proc.wait(timeout=600) == 0
        wall = time.perf_counter() - start
    finally:
        controller.stop()
    sent = OutgoingMessage.objects.filter(status="sent").count()
    assert sent == MESSAGES and counter.count == MESSAGES, (sent, counter.count)
    steady = counter.last - counter.first
    return {
        "wall_s": wall,
        "per_s_wall": MESSAGES / wall,
        "per_s_steady": (MESSAGES - 1) / steady if steady else float("nan"),
    }


def main() -> None:
    user, account = prepare()
    vendor = connection.vendor
    accept = bench_accept(user, account)
    one = bench_delivery(user, 1)
    two = bench_delivery(user, 2)
    print(f"\nBilling Support benchmark on {vendor} ({DB_URL.split('@')[-1]})\n")
    print("| measure | result |")
    print("|---|---|")
    print(f"| accept a Send (POST, htmx), median of {SENDS} | {accept['send_median_ms']:.1f} ms |")
    print(f"| accept a Send, 95th percentile | {accept['send_p95_ms']:.1f} ms |")
    print(
        f"| open the modal on an account (GET, htmx), median | {accept['open_modal_median_ms']:.1f} ms |"
    )
    for label, result in (("1 worker", one), ("2 workers", two)):
        print(
            f"| {MESSAGES} emails to aiosmtpd, {label} | {result['wall_s']:.1f} s wall, "
            f"{result['per_s_wall']:.0f} msg/s incl. worker start-up, "
            f"{result['per_s_steady']:.0f} msg/s first to last delivery |"
        )


if __name__ == "__main__":
    main()
