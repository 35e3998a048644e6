from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _sqlite_indexes_ensure(*, using: str = "default", **kwargs: Any) -> None:
    from . import past_due_index, search_index

    search_index.ensure(connections[using])
    past_due_index.ensure(connections[using])


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # After every migrate: a migration that rebuilt one of the indexed tables on
        # SQLite dropped its triggers and the indexes Django does not know of; put
        # them back (billing/search_index.py, billing/past_due_index.py).
        post_migrate.connect(
            _sqlite_indexes_ensure, sender=self, dispatch_uid="billing_sqlite_indexes_ensure"
        )
