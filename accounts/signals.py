"""Security events go to the ``portal.security`` log, where operators watch them."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

security_log = logging.getLogger("portal.security")


@receiver(user_locked_out)
def log_lockout(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kw: Any
) -> None:
    security_log.warning("sign-in locked out: username=%r ip=%s", username, ip_address)


@receiver(user_login_failed)
def log_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    security_log.info("sign-in failed: username=%r", credentials.get("username"))


@receiver(user_logged_in)
def log_sign_in(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    security_log.info("signed in: user_id=%s", user.pk)


@receiver(post_migrate)
def sync_roles_after_migrate(
    sender: Any, app_config: Any = None, using: str = "default", **kw: Any
) -> None:
    # Runs after each app's migrations; roles are synced once the last app is done.
    if app_config is not None and app_config.label == "portal":
        from .roles import roles_sync

        roles_sync(using=using)
