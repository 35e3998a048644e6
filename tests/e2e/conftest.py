"""Fixtures of the end-to-end suite: one served app, one SMTP server and one Chromium
for the whole session; a fresh browser context per page a test asks for.

Chromium and axe-core are installed by ``make e2e-deps`` (``make test`` runs it). When
either is missing the e2e tests skip on a developer's machine and fail in CI (``CI``
set), so a green CI always means the browser flows ran.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    AXE_JS,
    AXE_RESULTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    App,
    Mailbox,
    axe_line,
    sign_in,
    smtp_start,
)

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not AXE_RESULTS:
        return
    terminalreporter.section("axe-core (WCAG 2.2 A/AA) per page")
    for record in AXE_RESULTS:
        terminalreporter.write_line(axe_line(record))


@pytest.fixture(autouse=True)
def _hang_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser call with no timeout of its own (an evaluate in a page without
    JavaScript) would hang the run until CI's limit: after E2E_TEST_TIMEOUT seconds
    (default 300) print every thread's stack and end the run with exit code 1."""
    seconds = float(os.environ.get("E2E_TEST_TIMEOUT", 300))

    def give_up() -> None:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.suspend_global_capture(in_=False)
        sys.stderr.write(f"\n{request.node.nodeid} ran over {seconds:.0f}s; stacks:\n")
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
    yield
    timer.cancel()


def _missing(what: str) -> None:
    message = f"{what} is missing: run `make e2e-deps`"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """Every email the app sent during the session (a real SMTP server, aiosmtpd)."""
    controller, box = smtp_start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def app(mailbox: Mailbox) -> Iterator[App]:
    """The portal served like `make run`: migrated, seeded, gunicorn + db_worker."""
    served = App(smtp_port=mailbox.port)
    served.prepare()
    # Users only the e2e flows touch, so that locking one out or changing a phone
    # leaves the demo logins as the other flows expect them.
    served.shell(
        "from accounts.models import User\n"
        "for email, name in [('e2e-lockout@example.com', 'Lockout Test'),"
        " ('e2e-profile@example.com', 'Profile Test'), ('e2e-bell@example.com', 'Bell Test'),"
        " ('e2e-reset@example.com', 'Reset Test')]:\n"
        "    if not User.objects.filter(email=email).exists():\n"
        "        User.objects.create_user(email, 'portal-demo-2026', full_name=name,"
        " phone='+16145550100')\n"
        "from django.utils import timezone\n"
        "from portal.services import notification_create\n"
        "reader = User.objects.get(email='e2e-bell@example.com')\n"
        "old, _ = notification_create(user=reader, title='Payment received',"
        " body='We received your payment of $250.00. Thank you.', dedupe_key='e2e-read')\n"
        "old.read_at = timezone.now()\n"
        "old.save(update_fields=['read_at'])\n"
    )
    try:
        served.start()
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def base_url(app: App) -> str:
    return app.base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"Chromium ({CHROMIUM})")
    if not AXE_JS.exists():
        _missing(f"axe-core ({AXE_JS})")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (10 s, set per context): CI shares two cores
    # with the served app, its worker and Chromium, and 5 s is Playwright's default.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class PageProblems:
    """Console errors, uncaught exceptions (a CSP violation is one) and failed
    subresources of the pages a test opened; each test must end with none."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            # A page answering 4xx on purpose (404, the lockout's 403) logs
            # "Failed to load resource" for the document; subresources are checked
            # through their responses below.
            if message.type == "error" and "Failed to load resource" not in message.text:
                self.items.append(f"console on {page.url}: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400 and response.request.resource_type != "document":
                self.items.append(f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.items.append(f"page error: {error}"))
        page.on("response", on_response)


@pytest.fixture
def page_problems() -> Iterator[PageProblems]:
    problems = PageProblems()
    yield problems
    assert not problems.items, "the pages reported problems:\n" + "\n".join(problems.items)


def _context_options(base_url: str, options: dict[str, Any]) -> dict[str, Any]:
    return {"viewport": DESKTOP, "base_url": base_url, **options}


@pytest.fixture
def new_page(
    browser: Any, base_url: str, page_problems: PageProblems
) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)``: a page in a fresh browser context of its own
    (no cookies), for flows that change the session: signing in, out, lockout. Keyword
    arguments go to ``browser.new_context`` (``viewport=PHONE, is_mobile=True``)."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(**_context_options(base_url, options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page_problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def _signed_in_contexts(browser: Any) -> Iterator[dict[str, Any]]:
    contexts: dict[str, Any] = {}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def signed_in_page(
    browser: Any,
    base_url: str,
    page_problems: PageProblems,
    _signed_in_contexts: dict[str, Any],
) -> Iterator[Callable[..., Any]]:
    """``signed_in_page(email, **context_options)``: a new page signed in as ``email``
    (demo password), on the page that user lands on after signing in.

    Browser contexts are reused for the session, one per email and options, so a test
    pays for a page, not a context or a sign-in. The page is closed after the test.
    A flow that signs out or must start with no cookies uses ``new_page`` instead;
    if a session has ended anyway, this signs in again."""
    pages: list[Any] = []

    def open_signed_in(email: str, **options: Any) -> Any:
        key = json.dumps([email, options], sort_keys=True, default=str)
        context = _signed_in_contexts.get(key)
        if context is None:
            same_user = next(
                (c for k, c in _signed_in_contexts.items() if json.loads(k)[0] == email), None
            )
            state = same_user.storage_state() if same_user else None
            context = browser.new_context(
                **_context_options(base_url, options), storage_state=state
            )
            context.set_default_timeout(10_000)
            _signed_in_contexts[key] = context
        page = context.new_page()
        pages.append(page)
        page_problems.watch(page)
        page.goto("/")
        if "/accounts/sign-in/" in page.url:
            sign_in(page, base_url, email)
            assert "/accounts/sign-in/" not in page.url, f"{email} could not sign in"
        return page

    yield open_signed_in
    for page in pages:
        page.close()
