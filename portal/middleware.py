from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_TOUCH_KEY = "_last_seen"
_TOUCH_EVERY = 60  # seconds


class IdleSessionMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request.

    The session cookie's age is the idle timeout; refreshing it at most once a minute
    keeps it alive for an active user without writing the session on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_TOUCH_KEY, 0)
            if not isinstance(last, int) or now - last >= _TOUCH_EVERY:
                request.session[_TOUCH_KEY] = now
                request.session.set_expiry(settings.SESSION_IDLE_TIMEOUT)
        return self.get_response(request)
