"""Billing Summary benchmark (issue 3).

    python -m bench.summary                 # SQLite and PostgreSQL, one after the other
    python -m bench.summary --db sqlite     # or only one of them
    python -m bench.summary --db postgres --skip-rps

Databases (created and filled on first use, reused afterwards):
    BENCH_SQLITE_URL    default sqlite:///<repo>/var/bench.sqlite3
    BENCH_POSTGRES_URL  default postgres://postgres@127.0.0.1:5432/portal_bench
    BENCH_PORT          port of the gunicorn started for requests/second (default 8765)

What it measures, for insureds with 1,000, 10,000 and 100,000 accounts:
  * server time (in-process through the whole middleware stack, Django's test client,
    no network) of the default page, a search, a sort by total due, the Past due filter
    and the export; median and 90th percentile of repeated runs after a warm-up;
  * requests/second of the summary at 10,000 accounts and of the lightest signed-in page
    (the profile page), served by the same gunicorn with the same settings, with wrk;
  * the export of 100,000 rows against XlsxWriter alone writing the same rows from a
    Python list, and the export's peak memory growth (tracemalloc and RSS).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASES = {
    "sqlite": os.environ.get("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"),
    "postgres": os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
    ),
}


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--repeat", type=int, default=15, help="timed runs per page")
    p.add_argument("--export-repeat", type=int, default=3)
    p.add_argument("--skip-rps", action="store_true")
    p.add_argument("--skip-export", action="store_true")
    p.add_argument("--rps-seconds", type=int, default=10)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.db == "both":
        rc = 0
        for db in ("sqlite", "postgres"):
            cmd = [sys.executable, "-m", "bench.summary", *(argv or sys.argv[1:])]
            cmd = [c for c in cmd if c not in ("--db", "both")] + ["--db", db]
            rc |= subprocess.call(cmd, cwd=ROOT)
        return rc
    os.environ["DATABASE_URL"] = DATABASES[args.db]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.db == "postgres":
        _postgres_database_ensure(DATABASES["postgres"])
    import django

    django.setup()
    return _run(args)


def _postgres_database_ensure(url: str) -> None:
    import psycopg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- measurements ---------------------------------------------------------------------
def _timed(fn: Any, repeat: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[min(len(times) - 1, int(len(times) * 0.9))], 2),
        "min_ms": round(times[0], 2),
        "runs": repeat,
    }


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _get(client: Any, url: str, params: dict[str, str]) -> Any:
    response = client.get(url, params)
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")
    if getattr(response, "streaming", False):
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def _search_term(size: int) -> str:
    # A partial account number, as an insured would type it: 6 of its 10 digits.
    return f"{size // 2:08d}"[2:]


def _pages(user: Any, size: int, repeat: int) -> dict[str, Any]:
    client = _client(user)
    cases = {
        "default page": {},
        "search": {"q": _search_term(size)},
        "sort by total due": {"sort": "-total"},
        "past due filter": {"status": "past_due"},
    }
    return {
        name: _timed(lambda p=params: _get(client, "/billing/", p), repeat)
        for name, params in cases.items()
    }


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class _RssPeak:
    """Samples the process's resident set every 5 ms while the block runs."""

    def __enter__(self) -> _RssPeak:
        self.start = self.peak = _rss_kb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_kb())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kb())

    @property
    def growth_mb(self) -> float:
        return round((self.peak - self.start) / 1024, 1)


def _xlsxwriter_alone(rows: list[tuple[Any, ...]]) -> None:
    """The baseline: XlsxWriter writing the same cells (same types and formats) from a
    Python list, with nothing else: no database, no escaping, no response."""
    import xlsxwriter

    with tempfile.TemporaryFile() as file:
        wb = xlsxwriter.Workbook(
            file, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        ws = wb.add_worksheet()
        money = wb.add_format({"num_format": '"$"#,##0.00'})
        day = wb.add_format({"num_format": "mm/dd/yyyy"})
        ws.write_row(0, 0, ["a", "b", "c", "d", "e", "f", "g", "h"])
        for r, (number, insured, company, total, past, due, status, policies) in enumerate(
            rows, start=1
        ):
            ws.write_string(r, 0, number)
            ws.write_string(r, 1, insured)
            ws.write_string(r, 2, company)
            ws.write_number(r, 3, float(total), money)
            ws.write_number(r, 4, float(past), money)
            if due is None:
                ws.write_blank(r, 5, None, day)
            else:
                ws.write_datetime(r, 5, due, day)
            ws.write_string(r, 6, status)
            if policies:
                ws.write_string(r, 7, policies)
        wb.close()


def _export(user: Any, size: int, repeat: int, compare: bool) -> dict[str, Any]:
    from django.utils import timezone

    from billing.filters import BillingAccountQuery
    from billing.selectors import billing_account_export_rows

    client = _client(user)
    if not compare:
        return {
            "export": _timed(lambda: _get(client, "/billing/export.xlsx", {}), repeat, warmup=1)
        }
    result: dict[str, Any] = {}
    # Memory first, while the process has not yet grown for the comparison below; in
    # separate runs, since tracemalloc slows down everything it traces.
    with _RssPeak() as rss:
        _get(client, "/billing/export.xlsx", {})
    tracemalloc.start()
    _get(client, "/billing/export.xlsx", {})
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result["memory"] = {
        "rss_growth_mb": rss.growth_mb,
        "tracemalloc_peak_mb": round(traced_peak / 1024 / 1024, 1),
    }
    rows = list(
        billing_account_export_rows(
            user=user, query=BillingAccountQuery(today=timezone.localdate())
        )
    )
    assert len(rows) == size
    # Alternate the two so a noisy neighbour slows both alike; the minimum of each is
    # the least disturbed run.
    export_ms: list[float] = []
    alone_ms: list[float] = []
    for _ in range(repeat):
        for fn, out in (
            (lambda: _get(client, "/billing/export.xlsx", {}), export_ms),
            (lambda: _xlsxwriter_alone(rows), alone_ms),
        ):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    rows.clear()
    for name, times in (("export", export_ms), ("xlsxwriter_alone", alone_ms)):
        result[name] = {
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "runs": times,
        }
    result["ratio"] = round(
        result["export"]["median_ms"] / result["xlsxwriter_alone"]["median_ms"], 2
    )
    result["ratio_of_minimums"] = round(
        result["export"]["min_ms"] / result["xlsxwriter_alone"]["min_ms"], 2
    )
    return result


def _wrk(url: str, cookie: str, seconds: int) -> dict[str, Any]:
    # A connection per request, as a reverse proxy such as nginx talks to gunicorn by
    # default: with keep-alive, wrk's 8 connections can all land on one of the two
    # gunicorn workers, and the same page measured 140 or 340 requests/s from run to run.
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "-H",
            f"Cookie: sessionid={cookie}",
            "-H",
            "Connection: close",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"Latency\s+(\S+)", out)
    return {
        "rps": rps,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "avg_latency": latency.group(1) if latency else "",
    }


def _rps(user: Any, seconds: int) -> dict[str, Any]:
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    port = int(os.environ.get("BENCH_PORT", "8765"))
    cookie = _client(user).cookies["sessionid"].value
    server_args = ["--workers", "2", "--threads", "4"]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *server_args,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        pages = {
            "summary (10,000 accounts)": "/billing/",
            "profile (lightest)": "/accounts/profile/",
        }
        for path in pages.values():
            req = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
            with urllib.request.urlopen(req) as response:
                assert response.status == 200 and response.url.endswith(path), response.url
        result: dict[str, Any] = {"server": "gunicorn " + " ".join(server_args), "runs": {}}
        # Alternate the two pages twice so a noisy neighbour hurts both alike.
        for _round in (1, 2):
            for name, path in pages.items():
                result["runs"].setdefault(name, []).append(_wrk(base + path, cookie, seconds))
        best = {name: max(r["rps"] for r in runs) for name, runs in result["runs"].items()}
        result["best_rps"] = best
        result["ratio"] = round(best["summary (10,000 accounts)"] / best["profile (lightest)"], 2)
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.data import insured_ensure

    vendor = connection.vendor
    print(f"== Billing Summary benchmark on {vendor} ({os.environ['DATABASE_URL']})")
    call_command("migrate", interactive=False, verbosity=0)
    # Pages are rendered with the production static storage, which needs its manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    today = timezone.localdate()
    sizes = [int(s) for s in args.sizes.split(",")]
    users = {size: insured_ensure(size=size, today=today) for size in sizes}
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results: dict[str, Any] = {
        "database": vendor,
        "when": timezone.now().isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg(),
        "pages": {},
        "export": {},
    }
    for size in sizes:
        print(f"-- {size:,} accounts: pages")
        results["pages"][size] = _pages(users[size], size, args.repeat)
        if not args.skip_export:
            print(f"-- {size:,} accounts: export")
            results["export"][size] = _export(
                users[size], size, args.export_repeat, compare=size == max(sizes)
            )
    if not args.skip_rps and 10_000 in users:
        print("-- requests/second at 10,000 accounts")
        results["rps"] = _rps(users[10_000], args.rps_seconds)
    results["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"summary-{vendor}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(_markdown(results))
    print(f"(results written to {out.relative_to(ROOT)})")
    return 0


def _markdown(results: dict[str, Any]) -> str:
    buf = io.StringIO()
    sizes = list(results["pages"])
    smallest, largest = sizes[0], sizes[-1]
    buf.write(f"\n{results['database']}: median ms (p90)\n\n")
    buf.write("| case | " + " | ".join(f"{s:,}" for s in sizes) + " | ratio largest/smallest |\n")
    buf.write("|---" * (len(sizes) + 2) + "|\n")
    cases = list(results["pages"][smallest])
    for case in cases:
        cells = [
            f"{results['pages'][s][case]['median_ms']} ({results['pages'][s][case]['p90_ms']})"
            for s in sizes
        ]
        ratio = (
            results["pages"][largest][case]["median_ms"]
            / results["pages"][smallest][case]["median_ms"]
        )
        buf.write(f"| {case} | " + " | ".join(cells) + f" | {ratio:.2f} |\n")
    if results["export"]:
        cells = [
            f"{results['export'][s]['export']['median_ms']:.0f}" if s in results["export"] else "–"
            for s in sizes
        ]
        buf.write("| export | " + " | ".join(cells) + " | |\n")
        big = results["export"].get(largest, {})
        if "ratio" in big:
            buf.write(
                f"\nexport of {largest:,} rows: {big['export']['median_ms']:.0f} ms vs XlsxWriter alone "
                f"{big['xlsxwriter_alone']['median_ms']:.0f} ms: ratio {big['ratio']} (of minimums "
                f"{big['ratio_of_minimums']}); memory "
                f"growth RSS {big['memory']['rss_growth_mb']} MB, tracemalloc peak "
                f"{big['memory']['tracemalloc_peak_mb']} MB\n"
            )
    if "rps" in results and "best_rps" in results["rps"]:
        r = results["rps"]
        buf.write(
            f"\nrequests/second ({r['server']}, wrk -t2 -c8): {r['best_rps']}, ratio {r['ratio']}\n"
        )
    buf.write(
        f"\nload average at start {results['load_average_at_start']}, at end {results['load_average_at_end']}\n"
    )
    return buf.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
