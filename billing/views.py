from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import ListView, TemplateView

from .account_export import account_export_filename, account_export_write
from .payment_options import payment_options_for_account, payment_options_general
from .selectors import (
    billing_account_detail_get,
    billing_account_get,
    billing_account_granted,
    company_granted_list,
)

# General Payment Options lists per-account links only for a household-sized insured.
PAYMENT_OPTIONS_ACCOUNT_LINKS = 10


class BillingSummaryView(LoginRequiredMixin, ListView):
    """The insured's billing accounts: the page they land on after signing in."""

    template_name = "billing/summary.html"
    context_object_name = "accounts"
    paginate_by = 25

    def get_queryset(self) -> Any:
        return billing_account_granted(user=self.request.user).order_by("number")  # type: ignore[arg-type]


# --- Billing Details, account download and Payment Options (issue 4) ------------------


class BillingDetailsView(LoginRequiredMixin, TemplateView):
    """One account in full. A foreign, missing or malformed id answers 404 alike."""

    template_name = "billing/details.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        detail = billing_account_detail_get(
            user=self.request.user,  # type: ignore[arg-type]
            public_id=self.kwargs["public_id"],
            today=timezone.localdate(),
        )
        if detail is None:
            raise Http404("No such billing account.")
        context["detail"] = detail
        context["account"] = detail.account
        return context


class AccountExportView(LoginRequiredMixin, View):
    """This account's invoices and payments as an .xlsx, one sheet each."""

    def get(self, request: HttpRequest, public_id: UUID) -> HttpResponse:
        detail = billing_account_detail_get(
            user=request.user,  # type: ignore[arg-type]
            public_id=public_id,
            today=timezone.localdate(),
        )
        if detail is None:
            raise Http404("No such billing account.")
        response = HttpResponse(
            account_export_write(detail=detail),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{account_export_filename(detail=detail)}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


class PaymentOptionsView(LoginRequiredMixin, TemplateView):
    """How to pay, for ?account=<public_id> or in general. An htmx request gets the
    modal partial for #modal-content; a plain request the same content as a page."""

    def get_template_names(self) -> list[str]:
        if self.request.htmx:  # type: ignore[attr-defined]
            return ["billing/payment_options_modal.html"]
        return ["billing/payment_options.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        public_id = self.request.GET.get("account", "").strip()
        if public_id:
            account = billing_account_get(user=user, public_id=public_id)  # type: ignore[arg-type]
            if account is None:
                raise Http404("No such billing account.")
            context["account"] = account
            context["options_list"] = [payment_options_for_account(account=account, now=now)]
        else:
            companies = company_granted_list(user=user)  # type: ignore[arg-type]
            context["options_list"] = payment_options_general(companies=companies, now=now)
            # A household can jump to one account's options; a fleet uses the summary.
            context["account_choices"] = list(
                billing_account_granted(user=user)  # type: ignore[arg-type]
                .order_by("number")
                .only("public_id", "number")[: PAYMENT_OPTIONS_ACCOUNT_LINKS + 1]
            )
            context["account_links_max"] = PAYMENT_OPTIONS_ACCOUNT_LINKS
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response
