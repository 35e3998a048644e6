"""Enqueue periodic jobs (reminders, delivery sweep, balance refresh) on a schedule.

The jobs themselves are idempotent tasks run by the ordinary workers; this only decides
when to enqueue them. Each due job takes a cache lock for its interval (``cache.add``),
so several schedulers sharing Redis enqueue a job once per interval; with the local
memory cache, run a single scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.tasks import Task
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str
    every_seconds: int

    @property
    def lock_key(self) -> str:
        return f"periodic:{self.task_path}"


def periodic_jobs_from_setting(value: Iterable[tuple[str, int]]) -> list[PeriodicJob]:
    return [PeriodicJob(task_path=path, every_seconds=int(every)) for path, every in value]


def periodic_jobs_enqueue_due(*, jobs: Iterable[PeriodicJob]) -> list[str]:
    """Enqueue every job whose interval has passed; returns the paths enqueued."""
    enqueued = []
    for job in jobs:
        if not cache.add(job.lock_key, "1", timeout=job.every_seconds):
            continue
        task: Task = import_string(job.task_path)  # type: ignore[type-arg]
        task.enqueue()
        log.info("enqueued periodic job %s", job.task_path)
        enqueued.append(job.task_path)
    return enqueued
