"""Fixtures of the Billing Support tests: a real SMTP server (aiosmtpd) on localhost,
short delivery intervals, and a household insured with two accounts at two companies."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time as clock
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.tasks import default_task_backend
from django.utils import timezone

from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.tests.factories import (
    BillingAccountFactory,
    BillingRepresentativeFactory,
    CompanyFactory,
    InvoiceFactory,
    PolicyFactory,
    ServiceHoursFactory,
    ServiceTeamFactory,
    TeamAddressFactory,
    TeamPhoneFactory,
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A port nobody else on the machine holds, chosen once per test run (the SMTP server is
# stopped and started again on it by the "down, then up" tests).
SMTP_PORT = _free_port()


@dataclass
class Inbox:
    """What the SMTP server received; ``mode`` makes it accept, refuse or hang the DATA
    of every message, ``replies`` answers MAIL FROM or RCPT TO of one address."""

    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)
    mode: str = "accept"  # accept | reject (451) | refuse (554) | hang
    # address -> the server's reply to its MAIL FROM or RCPT TO, e.g. "550 5.1.1 No such user"
    replies: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.replies:
            return self.replies[address]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "reject":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "refuse":
            return "554 5.6.0 Message content rejected"
        if self.mode == "hang":
            await asyncio.sleep(60)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]).strip() for _, m in self.messages]

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(autouse=True)
def _support_settings(settings: Any) -> Iterator[None]:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": SMTP_PORT, "timeout": 2},
        }
    }
    settings.SUPPORT_EMAIL_RETRY_BASE_SECONDS = 0.05
    settings.SUPPORT_EMAIL_RETRY_CAP_SECONDS = 0.2
    settings.SUPPORT_EMAIL_MAX_ATTEMPTS = 4
    settings.SUPPORT_EMAIL_LEASE_SECONDS = 30
    settings.SUPPORT_RATE_LIMIT = "5/10m"
    settings.DEFAULT_BILLING_INBOX = "billing-inbox@insurer.example"
    settings.DEFAULT_FROM_EMAIL = "Insured Portal <no-reply@portal.example>"
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "email"],
        }
    }
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(SMTP_PORT)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def run_tasks() -> Callable[..., int]:
    """Run the tasks enqueued on the dummy backend like a worker would: each when its
    run_after is due, until none is left (or the timeout)."""

    def run(timeout: float = 10.0) -> int:
        backend: Any = default_task_backend
        ran = 0
        deadline = time.monotonic() + timeout
        while backend.results and time.monotonic() < deadline:
            due = [
                r
                for r in backend.results
                if not r.task.run_after or r.task.run_after <= timezone.now()
            ]
            if not due:
                time.sleep(0.02)
                continue
            result = due[0]
            backend.results.remove(result)
            result.task.call(*result.args, **result.kwargs)
            ran += 1
        return ran

    return run


@pytest.fixture
def household(db: Any) -> dict[str, Any]:
    """An insured with two accounts at two companies; the first has a representative."""
    company_a: Any = CompanyFactory(name="American Insurance Group")
    company_b: Any = CompanyFactory(name="Harbor Casualty Company")
    team_a = ServiceTeamFactory(
        name="Personal Lines Billing",
        company=company_a,
        mailbox="personal.billing@insurer.example",
        response_time="within one business day",
    )
    team_b = ServiceTeamFactory(
        name="Western Region Billing",
        company=company_b,
        mailbox="west.billing@insurer.example",
        time_zone="America/Los_Angeles",
        response_time="within two business days",
    )
    for team in (team_a, team_b):
        for day in range(5):
            ServiceHoursFactory(team=team, weekday=day, opens=clock(8), closes=clock(17))
        TeamPhoneFactory(team=team, label="billing", number="+18005550142")
        TeamPhoneFactory(team=team, label="fax", number="+18605550199")
        TeamAddressFactory(team=team)
    company_a.general_team = team_a
    company_a.save()
    company_b.general_team = team_b
    company_b.save()
    rep = BillingRepresentativeFactory(
        name="Dana Whitfield", email="dana.whitfield@insurer.example", team=team_a
    )
    user = UserFactory(email="jordan@example.com", full_name="Jordan Avery", phone="+16145550110")
    first = BillingAccountFactory(
        number="4000012345",
        company=company_a,
        team=team_a,
        representative=rep,
        phone="+16145550111",
        state="OH",
    )
    second = BillingAccountFactory(
        number="5200087731", company=company_b, team=team_b, phone="+14155550100", state="CA"
    )
    policy = PolicyFactory(account=first, number="PA-2026-118204")
    invoice = InvoiceFactory(account=first, number="INV-4000012345-03")
    AccountGrantFactory(user=user, account=first)
    AccountGrantFactory(user=user, account=second)
    return {
        "user": user,
        "first": first,
        "second": second,
        "rep": rep,
        "team_a": team_a,
        "team_b": team_b,
        "policy": policy,
        "invoice": invoice,
    }
