from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save


def _sqlite_indexes_ensure(*, using: str = "default", **kwargs: Any) -> None:
    from . import past_due_index, search_index

    search_index.ensure(connections[using])
    past_due_index.ensure(connections[using])


def _grant_changed(*, instance: Any, **kwargs: Any) -> None:
    from django.core.exceptions import ObjectDoesNotExist

    from .selectors import billing_user_cache_clear

    try:
        user = instance.user
    except ObjectDoesNotExist:  # the user is gone too: nothing of theirs to serve
        return
    billing_user_cache_clear(user=user)


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
        # What the summary caches about a user's grants (their count, the companies of
        # the Company filter) is forgotten when one of them changes.
        for signal in (post_save, post_delete):
            signal.connect(
                _grant_changed, sender="accounts.AccountGrant", dispatch_uid="billing_grant_changed"
            )
