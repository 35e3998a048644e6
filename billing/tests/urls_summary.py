"""A URLconf for the summary's tests: the real one, plus stand-ins for the modal views of
other issues (Payment Options, Billing Support) when this branch does not have them yet,
at the paths the URL contract gives them, so the row menu's links can be tested."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

import billing.urls
import config.urls


def _stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


def _names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    return {p.name for p in patterns if isinstance(p, URLPattern) and p.name}


billing_patterns = list(billing.urls.urlpatterns)
if "payment_options" not in _names(billing_patterns):
    billing_patterns.append(path("billing/payment-options/", _stand_in, name="payment_options"))
if "details" not in _names(billing_patterns):
    billing_patterns.append(path("billing/accounts/<uuid:public_id>/", _stand_in, name="details"))

try:
    import support.urls

    support_patterns = list(support.urls.urlpatterns)
except ImportError:  # pragma: no cover - the support app always exists
    support_patterns = []
if "email_us" not in _names(support_patterns):
    support_patterns.append(path("email-us/", _stand_in, name="email_us"))

urlpatterns = [
    p
    for p in config.urls.urlpatterns
    if not (isinstance(p, URLResolver) and p.namespace in {"billing", "support"})
] + [
    path("support/", include((support_patterns, "support"))),
    path("", include((billing_patterns, "billing"))),
]
