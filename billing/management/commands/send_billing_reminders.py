"""Send today's billing reminders: for cron, once a day.

    manage.py send_billing_reminders              # run now, in this process
    manage.py send_billing_reminders --enqueue    # hand it to the worker (db_worker)
    manage.py send_billing_reminders --date 2026-12-24 --days-before-due 7

Each user gets at most one bell notification and one email per run, covering all of
their new reminders. Idempotent per invoice: a second run on the same day sends nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize
from django.utils import timezone

from billing.reminders import reminders_send
from billing.tasks import send_billing_reminders


class Command(BaseCommand):
    help = (
        "Create one bell notification and enqueue one email per user for their invoices "
        "coming due and invoices that became past due. Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Run as if today were this date (YYYY-MM-DD); default: today in TIME_ZONE.",
        )
        parser.add_argument(
            "--days-before-due",
            type=int,
            help="Override the REMINDER_DAYS_BEFORE_DUE setting for this run.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the billing.tasks.send_billing_reminders task for the worker "
            "instead of running here (uses today's date).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            if options["date"] or options["days_before_due"] is not None:
                raise CommandError("--enqueue runs for today with the configured settings.")
            result = send_billing_reminders.enqueue()
            self.stdout.write(f"Enqueued billing reminders as task {result.id}.")
            return
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD: {error}") from None
        days = options["days_before_due"]
        if days is not None and days < 0:
            raise CommandError("--days-before-due must be 0 or more.")
        run = reminders_send(today=today, days_before_due=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Billing reminders for {today:%Y-%m-%d}: "
                f"{_count(run.reminders, 'invoice reminder')} "
                f"in {_count(run.notifications, 'notification')}, "
                f"{_count(run.emails, 'email')} enqueued, "
                f"{run.already_sent} already sent earlier."
            )
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{pluralize(number)}"
