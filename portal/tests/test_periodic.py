from __future__ import annotations

import pytest
from django.core.cache import cache
from django.tasks import task

from portal.periodic import PeriodicJob, periodic_jobs_enqueue_due

pytestmark = pytest.mark.django_db

ran: list[str] = []


@task()
def tick() -> None:
    ran.append("tick")


JOB = PeriodicJob(task_path="portal.tests.test_periodic.tick", every_seconds=60)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()
    ran.clear()


def test_a_due_job_is_enqueued_once_per_interval() -> None:
    first = periodic_jobs_enqueue_due(jobs=[JOB])
    second = periodic_jobs_enqueue_due(jobs=[JOB])

    assert first == [JOB.task_path]
    assert second == []
    assert ran == ["tick"]


def test_a_job_is_enqueued_again_after_its_interval() -> None:
    periodic_jobs_enqueue_due(jobs=[JOB])
    cache.delete(JOB.lock_key)  # the interval has passed

    assert periodic_jobs_enqueue_due(jobs=[JOB]) == [JOB.task_path]
