"""Reads of billing data. Every query an insured can reach starts from the accounts
granted to that user, so a view cannot forget the grant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, StringAgg, Subquery, TextField, Value

from .filters import BillingAccountQuery, Status
from .models import BillingAccount, Company, Invoice, Policy

if TYPE_CHECKING:
    from accounts.models import User


def billing_account_granted(*, user: User) -> QuerySet[BillingAccount]:
    """All billing accounts the user was granted; nothing for anonymous or inactive users."""
    if not user.is_authenticated or not user.is_active:
        return BillingAccount.objects.none()
    return BillingAccount.objects.filter(grants__user=user)


def billing_account_get(*, user: User, public_id: str) -> BillingAccount | None:
    """One granted account by its opaque id; None when it does not exist or is not granted,
    so callers answer both alike."""
    try:
        return (
            billing_account_granted(user=user)
            .select_related("company", "team", "representative")
            .get(public_id=str(public_id))
        )
    except (BillingAccount.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is answered like a missing one.
        return None


# --- Billing Summary and its export (issue 3) -------------------------------------------
def billing_company_choices(*, user: User) -> list[tuple[str, str]]:
    """(code, name) of the companies that bill at least one of the user's accounts: the
    Company filter's choices. One query; companies are few, so each EXISTS probe stops at
    the first granted account it finds."""
    granted = billing_account_granted(user=user).filter(company=OuterRef("pk"))
    return list(
        Company.objects.filter(Exists(granted)).order_by("name").values_list("code", "name")
    )


def billing_account_list(*, user: User, query: BillingAccountQuery) -> QuerySet[BillingAccount]:
    """The user's accounts that the search and filters select, in the chosen order.

    The Billing Summary pages through it and the Excel export writes all of it, so both
    show the same rows in the same order. One query, whatever the number of accounts.
    """
    accounts = billing_account_granted(user=user)
    if query.search:
        term = query.search
        accounts = accounts.filter(
            Q(number__icontains=term)
            | Q(insured_name__icontains=term)
            | Exists(Policy.objects.filter(account=OuterRef("pk"), number__icontains=term))
            | Exists(Invoice.objects.filter(account=OuterRef("pk"), number__icontains=term))
        )
    if query.statuses:
        wanted = Q()
        if Status.PAST_DUE in query.statuses:
            wanted |= Q(past_due__gt=0)
        if Status.DUE_SOON in query.statuses:
            wanted |= Q(
                total_due__gt=0,
                next_due_date__gte=query.today,
                next_due_date__lte=query.due_soon_until,
            )
        if Status.NOTHING_DUE in query.statuses:
            wanted |= Q(total_due=0)
        accounts = accounts.filter(wanted)
    if query.due_from:
        accounts = accounts.filter(next_due_date__gte=query.due_from)
    if query.due_to:
        accounts = accounts.filter(next_due_date__lte=query.due_to)
    if query.total_min is not None:
        accounts = accounts.filter(total_due__gte=query.total_min)
    if query.total_max is not None:
        accounts = accounts.filter(total_due__lte=query.total_max)
    if query.company:
        accounts = accounts.filter(company__code=query.company)
    if query.line_of_business:
        accounts = accounts.filter(
            Exists(
                Policy.objects.filter(
                    account=OuterRef("pk"), line_of_business=query.line_of_business
                )
            )
        )
    if query.autopay:
        accounts = accounts.filter(autopay=query.autopay == "on")
    return accounts.order_by(*query.ordering)


def billing_account_summary_page(
    *, user: User, query: BillingAccountQuery
) -> QuerySet[BillingAccount]:
    """The summary's rows: only the columns the table shows."""
    return billing_account_list(user=user, query=query).only(
        "public_id", "number", "total_due", "past_due", "next_due_date"
    )


EXPORT_FIELDS = (
    "number",
    "insured_name",
    "company__name",
    "total_due",
    "past_due",
    "next_due_date",
    "status",
    "policy_numbers",
)


def billing_account_export_rows(
    *, user: User, query: BillingAccountQuery, chunk_size: int = 2000
) -> Iterator[tuple[Any, ...]]:
    """Every row the summary's query selects (all pages), as tuples in ``EXPORT_FIELDS``
    order, streamed from the database in chunks so memory stays flat.

    The policy numbers come from a correlated subquery on the policy's account index:
    still one query, no per-row round trip.
    """
    policies = (
        Policy.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(numbers=StringAgg("number", Value(", ")))
        .values("numbers")
    )
    return (
        billing_account_list(user=user, query=query)
        .annotate(policy_numbers=Subquery(policies, output_field=TextField()))
        .values_list(*EXPORT_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
