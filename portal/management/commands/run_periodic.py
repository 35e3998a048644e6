from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.periodic import periodic_jobs_enqueue_due, periodic_jobs_from_setting


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs of settings.PERIODIC_TASKS when they are due. "
        "Loops until stopped; --once checks once (for cron)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs_from_setting(settings.PERIODIC_TASKS)
        running = True

        def stop(signum: int, frame: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            for path in periodic_jobs_enqueue_due(jobs=jobs):
                self.stdout.write(f"enqueued {path}")
            if options["once"] or not running:
                return
            deadline = time.monotonic() + options["interval"]
            while running and time.monotonic() < deadline:
                time.sleep(0.5)
            if not running:
                return
