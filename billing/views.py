from __future__ import annotations

import tempfile
import uuid
from typing import Any
from uuid import UUID

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView
from django_htmx.middleware import HtmxDetails

from .account_export import account_export_filename, account_export_write
from .export import billing_accounts_xlsx_write, export_file_name
from .filters import (
    DEFAULT_PAGE_SIZE,
    FILTER_FIELDS,
    SEARCH_MAX_LENGTH,
    SORTS,
    BillingAccountFilterForm,
    filter_chips,
)
from .payment_options import payment_options_for_account, payment_options_general
from .selectors import (
    BillingAccountPaginator,
    billing_account_detail_get,
    billing_account_export_rows,
    billing_account_get,
    billing_account_granted,
    billing_company_choices,
    company_granted_list,
)

# General Payment Options lists per-account links only for a household-sized insured.
PAYMENT_OPTIONS_ACCOUNT_LINKS = 10


# --- Billing Summary and Download as Excel (issue 3) -----------------------------------
def _filter_form(request: HttpRequest) -> BillingAccountFilterForm:
    form = BillingAccountFilterForm(
        request.GET,
        companies=billing_company_choices(user=request.user),  # type: ignore[arg-type]
    )
    form.is_valid()  # errors are shown at their fields; the valid fields still apply
    return form


# One table row of the summary. Written with format_html rather than a template loop:
# the rows are the page's hot loop, and the template engine spent more on 25 rows than
# the query did (decision 0031). Every value is escaped by format_html.
_SUMMARY_ROW_HTML = """<tr{row_class}>
  <th scope="row" data-label="Billing Acct #">
    <a href="{details_url}">{number}</a>{past_due_tag}
  </th>
  <td class="num" data-label="Total Due">{total_due}{past_due_line}</td>
  <td data-label="Due Date">{due_date}</td>
  <td class="summary__actions-cell" data-label="Actions">
    <details class="menu row-menu">
      <summary class="row-menu__toggle" title="Actions for account {number}">
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="5" r="2" fill="currentColor"/>
          <circle cx="12" cy="12" r="2" fill="currentColor"/>
          <circle cx="12" cy="19" r="2" fill="currentColor"/>
        </svg>
        <span class="visually-hidden">Actions for account {number}</span>
      </summary>
      <div class="menu__panel">
        <a class="menu__item" href="{details_url}">View details</a>
        <a class="menu__item" href="{payment_url}" hx-get="{payment_url}"
           hx-target="#modal-content" data-modal>Payment options</a>
        <a class="menu__item" href="{support_url}" hx-get="{support_url}"
           hx-target="#modal-content" data-modal>Billing support</a>
      </div>
    </details>
  </td>
</tr>"""
_PAST_DUE_TAG = mark_safe(' <span class="tag tag--past-due">Past due</span>')
_NOTHING_DUE = mark_safe('<span class="muted">Nothing due</span>')


def _summary_row_html(row: dict[str, Any]) -> str:
    past = row["is_past_due"]
    return format_html(
        _SUMMARY_ROW_HTML,
        row_class=mark_safe(' class="is-past-due"') if past else "",
        number=row["number"],
        details_url=row["details_url"],
        payment_url=row["payment_url"],
        support_url=row["support_url"],
        past_due_tag=_PAST_DUE_TAG if past else "",
        total_due=row["total_due"],
        past_due_line=format_html('<span class="summary__sub">{} past due</span>', row["past_due"])
        if past
        else "",
        due_date=row["due_date"] or _NOTHING_DUE,
    )


def _summary_rows(accounts: Any) -> list[dict[str, Any]]:
    """What each table row shows, formatted here rather than by template filters: the
    table is the page's hot loop (floatformat and per-row {% url %} cost more than the
    query)."""
    placeholder = str(uuid.UUID(int=0))
    details = reverse("billing:details", kwargs={"public_id": placeholder})
    payment = reverse("billing:payment_options")
    support = reverse("support:email_us")
    rows = []
    for account in accounts:
        pid = account.public_id
        rows.append(
            {
                "number": account.number,
                "is_past_due": account.past_due > 0,
                "total_due": f"${account.total_due:,.2f}",
                "past_due": f"${account.past_due:,.2f}",
                "due_date": f"{account.next_due_date:%m/%d/%Y}" if account.next_due_date else "",
                # One reverse() for the page, not one per row.
                "details_url": details.replace(placeholder, str(pid)),
                "payment_url": f"{payment}?account={pid}",
                "support_url": f"{support}?account={pid}",
            }
        )
        rows[-1]["html"] = _summary_row_html(rows[-1])
    return rows


def _without_empty(request: HttpRequest) -> str | None:
    """The request's URL without empty parameters, or None when it has none."""
    pairs = [(k, v) for k in request.GET for v in request.GET.getlist(k)]
    kept = [(k, v) for k, v in pairs if v != ""]
    if len(kept) == len(pairs):
        return None
    return request.path + (f"?{urlencode(kept)}" if kept else "")


class BillingSummaryView(LoginRequiredMixin, View):
    """The insured's billing accounts: the page they land on after signing in.

    The search form, sort, filters, chips, table and pagination are one partial
    (``summary.html#summary``): htmx swaps it in place and pushes the URL, and the same
    URL without htmx renders the whole page.
    """

    template_name = "billing/summary.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        htmx: HtmxDetails | None = getattr(request, "htmx", None)
        # A submitted form sends its empty fields too; the address bar (and bookmarks)
        # get the same query without them.
        canonical = _without_empty(request)
        if canonical is not None and not htmx:
            return redirect(canonical)
        form = _filter_form(request)
        today = timezone.localdate()
        query = form.to_query(today=today)
        paginator = BillingAccountPaginator(
            user=request.user,  # type: ignore[arg-type]
            query=query,
            per_page=form.rows_per_page,
        )
        requested = request.GET.get("page", "")
        page = paginator.get_page(requested)
        page_note = ""
        if requested and requested != str(page.number):
            page_note = (
                f"Page {requested[:12]} does not exist; showing page {page.number} "
                f"of {paginator.num_pages}."
            )
        rows = _summary_rows(page.object_list)
        params = {k: [v for v in request.GET.getlist(k) if v] for k in request.GET}
        params = {k: vs for k, vs in params.items() if vs}
        base = {k: v for k, v in params.items() if k != "page"}
        chips = filter_chips(form=form, params=params)
        context: dict[str, Any] = {
            "form": form,
            "query": query,
            "page_obj": page,
            "paginator": paginator,
            "accounts": rows,
            "support_url": reverse("support:email_us"),
            "payment_url": reverse("billing:payment_options"),
            "chips": chips,
            "filters_invalid": bool(set(form.errors) & FILTER_FIELDS),
            "filter_count": len([c for c in chips if not c.is_search]),
            "sort_label": SORTS.get(query.sort, SORTS[""]).label,
            "page_note": page_note,
            "page_size": form.rows_per_page,
            "default_page_size": DEFAULT_PAGE_SIZE,
            # What the rows-per-page form carries along (a new size starts at page 1).
            "hidden_params": [(k, v) for k, vs in base.items() if k != "page_size" for v in vs],
            "query_string": urlencode(base, doseq=True),
            "clean_get": QueryDict(urlencode(params, doseq=True)),
            "search_max_length": SEARCH_MAX_LENGTH,
        }
        template = self.template_name
        if htmx and htmx.target == "summary" and not htmx.history_restore_request:
            template += "#summary"
        response = render(request, template, context)
        if canonical is not None:
            response["HX-Push-Url"] = canonical
        # The same URL answers a fragment or a page depending on HX-Request.
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response


class BillingExportView(LoginRequiredMixin, View):
    """Download as Excel: every row the summary's search, filters and sort select."""

    def get(self, request: HttpRequest) -> FileResponse:
        form = _filter_form(request)
        today = timezone.localdate()
        rows = billing_account_export_rows(user=request.user, query=form.to_query(today=today))  # type: ignore[arg-type]
        # Written to a temporary file (deleted when the response closes it) and streamed
        # from there, so neither the workbook nor the rows are held in memory.
        file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
        billing_accounts_xlsx_write(rows=rows, file=file)
        file.seek(0)
        response = FileResponse(
            file,
            as_attachment=True,
            filename=export_file_name(today=today),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Cache-Control"] = "private, no-store"  # billing data: never in a shared cache
        return response


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
