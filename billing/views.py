from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from .selectors import billing_account_granted


class BillingSummaryView(LoginRequiredMixin, ListView):
    """The insured's billing accounts: the page they land on after signing in."""

    template_name = "billing/summary.html"
    context_object_name = "accounts"
    paginate_by = 25

    def get_queryset(self) -> Any:
        return billing_account_granted(user=self.request.user).order_by("number")  # type: ignore[arg-type]
