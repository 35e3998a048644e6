"""Email Us: GET shows the form (an htmx request gets the modal partial, a plain request
the full page), POST validates and hands over to support.services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django_htmx.middleware import HtmxDetails
from django_ratelimit.core import is_ratelimited

from accounts.models import User
from billing.models import BillingAccount
from billing.selectors import billing_account_get

from .contacts import contacts_get
from .forms import MESSAGE_MAX_LENGTH, EmailUsForm, form_token_new
from .models import SupportRequest, Topic
from .selectors import (
    GENERAL,
    account_option_groups,
    reference_option_groups,
    reference_resolve,
    support_request_by_token,
    support_request_get,
)
from .services import support_request_create

TEMPLATE = "support/email_us.html"
SENT_TEMPLATE = "support/sent.html"
RATE_LIMITED = (
    "You have sent several messages in the last few minutes. Please wait a few minutes "
    "and press Send again: your message is kept below."
)
PREFILL = {
    Topic.AUTOPAY: "I would like to enrol in automatic payments for this account.",
    Topic.PAPERLESS: "I would like to enrol in paperless billing for this account.",
}
FIELD_LABELS = {
    "account": "Billing Account Number",
    "phone": "Phone Number",
    "reference_to": "In Reference To",
    "message": "Message",
}


def _phone_default(*, user: User, account: BillingAccount | None) -> str:
    number = (account.phone if account is not None else None) or user.phone
    return number.as_national if number else ""  # type: ignore[union-attr]


def _reference_default(*, user: User, account: BillingAccount | None, value: str) -> str:
    """Keep a still valid In Reference To choice; else the chosen account, else General."""
    if value:
        try:
            return reference_resolve(user=user, account=account, value=value).value
        except LookupError:
            pass
    return f"account:{account.public_id}" if account is not None else GENERAL


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _topic(value: str) -> str:
    return value if value in Topic.values else ""


class EmailUsView(LoginRequiredMixin, View):
    """Billing Support's Email Us form: GET/POST /support/email-us/?account=<public_id>."""

    def get(self, request: HtmxHttpRequest) -> HttpResponse:  # type: ignore[override]
        user: User = request.user  # type: ignore[assignment]
        account = None
        public_id = request.GET.get("account", "").strip()
        if public_id and public_id != GENERAL:
            account = billing_account_get(user=user, public_id=public_id)
            if account is None:  # foreign and missing ids are answered alike
                raise Http404("No such billing account.")
        topic = _topic(request.GET.get("topic", ""))
        values = {
            "account": str(account.public_id) if account else "",
            "phone": _phone_default(user=user, account=account),
            "reference_to": _reference_default(
                user=user, account=account, value=request.GET.get("reference_to", "")
            ),
            "message": PREFILL.get(topic, ""),  # type: ignore[call-overload]
            "token": form_token_new(),
            "topic": topic,
        }
        if request.htmx and request.htmx.target == "support-contacts":
            # Another account was chosen: only the parts that depend on it.
            return self._render(request, account=account, values=values, parts=True)
        return self._render(request, account=account, values=values)

    def post(self, request: HtmxHttpRequest) -> HttpResponse:  # type: ignore[override]
        user: User = request.user  # type: ignore[assignment]
        data = request.POST
        if "refresh" in data:
            # Without JavaScript, "Show contacts for this account" re-renders the form on
            # the chosen account, keeping what was typed.
            account = billing_account_get(user=user, public_id=data.get("account", ""))
            values = self._values(data) | {
                "account": str(account.public_id) if account else "",
                "phone": _phone_default(user=user, account=account),
                "reference_to": _reference_default(
                    user=user, account=account, value=data.get("reference_to", "")
                ),
            }
            return self._render(request, account=account, values=values)

        already = support_request_by_token(user=user, form_token=data.get("token", ""))
        if already is not None:  # a double click or a resubmitted form
            return self._sent(request, already)

        form = EmailUsForm(data, user=user)
        if not form.is_valid():
            account = form.cleaned_data.get("account") if "account" not in form.errors else None
            return self._render(
                request,
                account=account,
                values=self._values(data),
                errors={name: [str(e) for e in errs] for name, errs in form.errors.items()},
            )
        cleaned = form.cleaned_data
        values = self._values(data) | {"token": cleaned["token"]}
        if is_ratelimited(
            request,
            group="support:send",
            key="user",
            rate=settings.SUPPORT_RATE_LIMIT,
            method="POST",
            increment=True,
        ):
            return self._render(
                request,
                account=cleaned["account"],
                values=values,
                form_error=RATE_LIMITED,
                status=200 if request.htmx else 429,
            )
        support_request, _created = support_request_create(
            user=user,
            account=cleaned["account"],
            phone=cleaned["phone"],
            reference=cleaned["reference"],
            topic=cleaned["topic"],
            message=cleaned["message"],
            form_token=cleaned["token"],
        )
        return self._sent(request, support_request)

    # --- rendering -----------------------------------------------------------------
    @staticmethod
    def _values(data: QueryDict) -> dict[str, str]:
        return {
            "account": data.get("account", ""),
            "phone": data.get("phone", "")[:40],
            "reference_to": data.get("reference_to", ""),
            "message": data.get("message", ""),
            "token": data.get("token", "") or form_token_new(),
            "topic": _topic(data.get("topic", "")),
        }

    def _render(
        self,
        request: HtmxHttpRequest,
        *,
        account: BillingAccount | None,
        values: dict[str, str],
        errors: dict[str, list[str]] | None = None,
        form_error: str = "",
        status: int = 200,
        parts: bool = False,
    ) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        accounts = account_option_groups(user=user)
        errors = errors or {}
        context: dict[str, Any] = {
            "as_modal": bool(request.htmx),
            "account": account,
            "values": values,
            "email": user.email,
            "errors": errors,
            "error_list": [
                (name, FIELD_LABELS.get(name, name), message)
                for name in FIELD_LABELS
                for message in errors.get(name, [])
            ],
            "form_error": form_error,
            "account_groups": accounts,
            "account_count": sum(len(group.options) for group in accounts),
            "reference_groups": reference_option_groups(account=account, accounts=accounts),
            "contacts": contacts_get(user=user, account=account),
            "message_max": MESSAGE_MAX_LENGTH,
        }
        if parts:
            return render(request, "support/email_us_parts.html", context)
        template = f"{TEMPLATE}#modal" if request.htmx else TEMPLATE
        return render(request, template, context, status=status)

    def _sent(self, request: HtmxHttpRequest, support_request: SupportRequest) -> HttpResponse:
        if request.htmx:
            return render(
                request,
                f"{SENT_TEMPLATE}#confirmation",
                {"support_request": support_request, "as_modal": True},
            )
        # Post/redirect/get: reloading the confirmation page sends nothing.
        return HttpResponseRedirect(
            reverse("support:request_sent", kwargs={"reference": support_request.reference})
        )


class RequestSentView(LoginRequiredMixin, View):
    """The confirmation of one of the user's requests (plain page)."""

    def get(self, request: HtmxHttpRequest, reference: str) -> HttpResponse:  # type: ignore[override]
        support_request = support_request_get(user=request.user, reference=reference)  # type: ignore[arg-type]
        if support_request is None:
            raise Http404("No such support request.")
        template = f"{SENT_TEMPLATE}#confirmation" if request.htmx else SENT_TEMPLATE
        return render(
            request,
            template,
            {"support_request": support_request, "as_modal": bool(request.htmx)},
        )
