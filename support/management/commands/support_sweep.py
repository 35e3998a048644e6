"""Re-enqueue support email whose worker died mid-send or whose retry task was lost.

Run it every minute: from cron (``manage.py support_sweep``), or as a long-running
process beside the workers (``manage.py support_sweep --every 60``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from support.services import outgoing_message_sweep


class Command(BaseCommand):
    help = "Re-enqueue support email that is overdue or whose sending worker died."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="Keep running, sweeping every this many seconds (default: sweep once).",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=60.0,
            help="Seconds a due retry may wait for its own task before it is re-enqueued.",
        )

    def handle(self, *args: Any, every: float, grace: float, **options: Any) -> None:
        while True:
            count = outgoing_message_sweep(grace_seconds=grace)
            if count or options["verbosity"] > 1:
                self.stdout.write(f"Re-enqueued {count} support email(s).")
            if every <= 0:
                return
            time.sleep(every)
            # A long-running sweeper drops connections the database has closed meanwhile.
            close_old_connections()
