"""Fixtures of the end-to-end suite: one served app, one SMTP server and one Chromium
for the whole session; a fresh browser context per page a test asks for.

Chromium and axe-core are installed by ``make e2e-deps`` (``make test`` runs it). When
either is missing the e2e tests skip on a developer's machine and fail in CI (``CI``
set), so a green CI always means the browser flows ran.
"""

from __future__ import annotations

import os
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
        " ('e2e-profile@example.com', 'Profile Test'), ('e2e-bell@example.com', 'Bell Test')]:\n"
        "    if not User.objects.filter(email=email).exists():\n"
        "        User.objects.create_user(email, 'portal-demo-2026', full_name=name,"
        " phone='+16145550100')\n"
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class PageProblems:
    """Console errors, uncaught exceptions (a CSP violation is one) and failed
    subresources of the pages a test opened; each test ends with none."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, context: Any) -> None:
        def on_console(message: Any) -> None:
            # A page answering 4xx on purpose (404, the lockout's 403) logs
            # "Failed to load resource" for the document; subresources are checked
            # through their responses below.
            if message.type == "error" and "Failed to load resource" not in message.text:
                self.items.append(f"console: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400 and response.request.resource_type != "document":
                self.items.append(f"{response.status} {response.url}")

        context.on("console", on_console)
        context.on("weberror", lambda error: self.items.append(f"page error: {error.error}"))
        context.on("response", on_response)


@pytest.fixture
def new_page(browser: Any, base_url: str) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (own cookies). Keyword arguments go to
    ``browser.new_context`` (``viewport=PHONE``, ``storage_state=...``)."""
    contexts: list[Any] = []
    problems = PageProblems()

    def open_page(**options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", base_url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        problems.watch(context)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.items, "the pages reported problems:\n" + "\n".join(problems.items)


@pytest.fixture(scope="session")
def _signed_in_states() -> dict[str, Any]:
    return {}


@pytest.fixture
def signed_in_page(
    new_page: Callable[..., Any], base_url: str, _signed_in_states: dict[str, Any]
) -> Callable[..., Any]:
    """``signed_in_page(email, **context_options)``: a page signed in as ``email``
    (demo password), on the page that user lands on after signing in.

    The first call per email signs in through the form; later ones reuse its cookies
    (a new context each time), signing in again if that session has ended."""

    def open_signed_in(email: str, **options: Any) -> Any:
        state = _signed_in_states.get(email)
        page = new_page(storage_state=state, **options) if state else new_page(**options)
        if state:
            page.goto("/")
            if "/accounts/sign-in/" not in page.url:
                return page
        sign_in(page, base_url, email)
        assert "/accounts/sign-in/" not in page.url, f"{email} could not sign in"
        _signed_in_states[email] = page.context.storage_state()
        return page

    return open_signed_in
