from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the top navigation needs on every page. The unread count is lazy: pages
    that do not render the shell do not pay for the query."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return user.notifications.filter(read_at__isnull=True).count()  # type: ignore[union-attr]

    return {
        "claims_url": settings.CLAIMS_URL,
        "portal_name": settings.PORTAL_NAME,
        "unread_notifications": unread,
    }
