"""Writes of the portal shell: bell notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def notification_create(
    *, user: User, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> tuple[Notification, bool]:
    """Create a bell notification; with a dedupe_key, at most one per user and key.

    Returns the notification and whether it was created now, so a job run twice can
    tell that it already notified (and must not email) this user.
    """
    if not dedupe_key:
        return Notification.objects.create(user=user, title=title, body=body, link=link), True
    try:
        with transaction.atomic():
            return (
                Notification.objects.create(
                    user=user, title=title, body=body, link=link, dedupe_key=dedupe_key
                ),
                True,
            )
    except IntegrityError:
        return Notification.objects.get(user=user, dedupe_key=dedupe_key), False
