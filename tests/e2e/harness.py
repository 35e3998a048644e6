"""The end-to-end harness: the served app, its SMTP server, and the page helpers.

Fixtures live in ``conftest.py``; this module holds what they are made of, so a test
can import the helpers (``axe``, ``screenshot``, ``assert_no_overflow``, ``sign_in``).
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "e2e"
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# The flags Chromium needs on these machines: headless as root, and no calls home
# (the closed network refuses them, many at a time, which slows every start).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "portal-demo-2026"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- SMTP -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[attr-defined]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, for assertions."""

    port: int = 0
    messages: list[ReceivedMail] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._changed:
            self.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,  # type: ignore[arg-type]
                )
            )
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def mark(self) -> int:
        """A bookmark in the mailbox: pass it as ``after`` to look only at what came
        later (the SMTP server is shared by the whole session)."""
        with self._changed:
            return len(self.messages)

    def wait_for(
        self,
        predicate: Callable[[ReceivedMail], bool],
        *,
        after: int = 0,
        timeout: float = 20,
    ) -> ReceivedMail:
        """The first message (already here or arriving within timeout) that matches."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for received in self.messages[after:]:
                    if predicate(received):
                        return received
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.rcpt_tos, m.subject) for m in self.messages]
                    raise AssertionError(f"no matching email within {timeout}s; received {seen}")
                self._changed.wait(left)

    def nothing_since(self, mark: int, *, wait: float = 3) -> None:
        """Assert that no message arrives after ``mark`` within ``wait`` seconds (Cancel
        sends nothing). The worker polls every second, so wait a few."""
        time.sleep(wait)
        with self._changed:
            late = [(m.rcpt_tos, m.subject) for m in self.messages[mark:]]
        assert not late, f"expected no email, got {late}"

    def to(self, address: str) -> list[ReceivedMail]:
        with self._changed:
            return [m for m in self.messages if address.lower() in map(str.lower, m.rcpt_tos)]


def smtp_start() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    return controller, mailbox


# --- The served app -------------------------------------------------------------------
class App:
    """The portal served as ``make run`` serves it (the Procfile's web, worker and
    scheduler), on its own SQLite file, sending mail to the harness's SMTP server."""

    def __init__(self, *, smtp_port: int, port: int | None = None) -> None:
        self.port = port or int(os.environ.get("E2E_PORT", "0")) or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        VAR.mkdir(parents=True, exist_ok=True)
        self.db_path = VAR / "portal.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "DEBUG": "False",
            "SITE_URL": self.base_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": "",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": "False",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run ``manage.py`` against the served app's database; returns its stdout."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python in the app's Django (``manage.py shell -c``): set up data the UI
        cannot (a notification), or read back what a flow stored. Returns its stdout."""
        return self.manage("shell", "--no-imports", "-c", code).strip()

    def prepare(self) -> None:
        # One run at a time per checkout: they would share the database file and logs.
        self._lock = (VAR / ".lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another e2e run is using {VAR}; wait for it") from None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        # collectstatic needs no database: it runs beside migrate and seed_demo.
        static = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.manage("migrate", "--no-input", "-v0")
        self.manage("seed_demo")
        output, _ = static.communicate(timeout=300)
        if static.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{output.decode(errors='replace')}")

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        commands = {
            # As in the Procfile (`make run`).
            "web": [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            "worker": [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "1",
                "--no-reload",
                "--no-startup-delay",
            ],
            "scheduler": [sys.executable, "manage.py", "run_periodic"],
        }
        for name, command in commands.items():
            log = (VAR / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/health/ did not answer within {timeout}s:\n{self.log_tail('web')}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = VAR / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, however it dies (a killed
    pytest or a CI timeout would otherwise leave the server and worker running)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


# --- Page helpers ---------------------------------------------------------------------
def sign_in(page: Any, base_url: str, email_address: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a person does."""
    page.goto(f"{base_url}/accounts/sign-in/")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# Every axe run of the session, for the summary at the end of the test output.
AXE_RESULTS: list[dict[str, Any]] = []

_AXE_RUN = """
async ([context, tags]) => {
  const result = await axe.run(context || document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  const brief = (r) => ({
    id: r.id, impact: r.impact, help: r.help, helpUrl: r.helpUrl,
    nodes: r.nodes.map((n) => ({target: n.target, summary: n.failureSummary, html: n.html})),
  });
  return {
    violations: result.violations.map(brief),
    passes: result.passes.map((r) => r.id),
    incomplete: result.incomplete.map((r) => r.id),
  };
}
"""


def axe(page: Any, context: str | None = None, *, label: str | None = None) -> list[dict]:
    """Run axe-core's WCAG 2.2 A/AA rules on the page (or on the element matched by the
    CSS selector ``context``, e.g. ``'#modal'``); print and record the results; return
    the violations (each with id, impact, help and the failing nodes).

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the page is audited exactly as users get it (no ``bypass_csp``). Not in a context
    with ``java_script_enabled=False``: evaluation never returns there."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {" + AXE_JS.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate(_AXE_RUN, [context, AXE_TAGS])
    violations: list[dict] = result["violations"]
    where = label or page.url.replace(page.url.split("/", 3)[2], "", 1).replace("http://", "")
    if context:
        where = f"{where} [{context}]"
    record = {
        "where": where,
        "violations": {v["id"]: len(v["nodes"]) for v in violations},
        "passes": len(result["passes"]),
        "incomplete": result["incomplete"],
    }
    AXE_RESULTS.append(record)
    print(axe_line(record))
    for violation in violations:
        print(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            print(f"    {node['target']}: {node['summary']}")
    return violations


def axe_line(record: dict[str, Any]) -> str:
    found = ", ".join(f"{rule}×{count}" for rule, count in record["violations"].items())
    needs_review = ", ".join(record["incomplete"]) or "none"
    return (
        f"axe {record['where']}: {len(record['violations'])} violations"
        f"{' (' + found + ')' if found else ''}, {record['passes']} rules passed, "
        f"needs review: {needs_review}"
    )


# --- Modals (the shared <dialog id="modal"> of base.html, filled by htmx) --------------
_FOCUS_IN_MODAL = """() => {
  const el = document.activeElement;
  const inside = !!(el && el.closest("dialog#modal"));
  const name = el ? (el.innerText || el.getAttribute("aria-label") || el.name || el.id ||
    el.tagName).trim().slice(0, 60) : "nothing";
  return {inside, name};
}"""


def modal_open(page: Any, opener: Any) -> Any:
    """Click the control that opens a modal (a link with ``hx-get`` and ``data-modal``),
    wait until the dialog is open with its content, and return the dialog's locator."""
    from playwright.sync_api import expect

    opener.click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#modal-content")).not_to_be_empty()
    return dialog


def focus_in_modal(page: Any) -> dict[str, Any]:
    """Where focus is: ``{"inside": bool, "name": str}``."""
    return dict(page.evaluate(_FOCUS_IN_MODAL))


def assert_focus_stays_in_modal(page: Any, presses: int = 15) -> list[str]:
    """Tab forward, then Shift+Tab back, ``presses`` times each: focus never leaves the
    open modal. Returns the names of the stops, in order, for order assertions."""
    stops = []
    for key in ["Tab"] * presses + ["Shift+Tab"] * presses:
        page.keyboard.press(key)
        where = focus_in_modal(page)
        assert where["inside"], f"after {key} focus left the modal, on {where['name']!r}"
        stops.append(where["name"])
    return stops


def modal_close_with_escape(page: Any, opener: Any) -> None:
    """Escape closes the modal, empties it, and gives focus back to its opener."""
    from playwright.sync_api import expect

    page.keyboard.press("Escape")
    expect(page.locator("dialog#modal")).to_be_hidden()
    expect(page.locator("#modal-content")).to_be_empty()
    expect(opener).to_be_focused()


def screenshot(page: Any, name: str, *, full_page: bool = False) -> list[Path]:
    """Save docs/screenshots/NAME.png at 1440x900 and NAME-phone.png at 390x844, then
    give the page back its own viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    paths = []
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        paths.append(path)
    if original:
        page.set_viewport_size(original)
    return paths


_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    problems.push(`document is ${scrollWidth}px wide in a ${width}px viewport`);
  }
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };
  const name = (el) => {
    const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      classes.filter(Boolean).map((c) => "." + c).join("");
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // A closed <details> keeps its content laid out but not rendered (Chromium hides it
    // with content-visibility); so do visibility: hidden and friends.
    if (!el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) continue;
    if ((r.width > width + 1 || r.right > width + 1) && !scrolls(el)) {
      const span = `${Math.round(r.left)}..${Math.round(r.right)}px`;
      problems.push(`${name(el)} spans ${span} (viewport ${width}px)`);
    }
  }
  return problems;
}
"""


def overflow_problems(page: Any) -> list[str]:
    """What sticks out of the viewport sideways: the document scrolling horizontally,
    or an element wider than (or reaching past) the viewport that is not inside a
    horizontally scrolling container (``overflow-x: auto|scroll``, e.g. .table-wrap)."""
    return list(page.evaluate(_OVERFLOW))


def assert_no_overflow(page: Any) -> None:
    problems = overflow_problems(page)
    size = page.viewport_size
    assert not problems, f"horizontal overflow at {size}: " + "; ".join(problems[:10])


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str)
