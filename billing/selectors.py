"""Reads of billing data. Every query an insured can reach starts from the accounts
granted to that user, so a view cannot forget the grant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from . import past_due_index, search_index
from .filters import BillingAccountQuery, Status
from .models import ZERO, BillingAccount, Company, Invoice, Payment, Policy

if TYPE_CHECKING:
    from accounts.models import User

from accounts.models import AccountGrant


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
COMPANY_CHOICES_SECONDS = 300


def billing_company_choices(*, user: User) -> list[tuple[str, str]]:
    """(code, name) of the companies that bill at least one of the user's accounts: the
    Company filter's choices.

    Finding them reads every grant of the user (a third of a second for 100,000 accounts
    on PostgreSQL), yet the answer changes only when a grant does: it is cached per user
    for five minutes, and a grant saved or deleted clears it (``billing_user_cache_clear``).
    """
    if not user.is_authenticated:
        return []
    key = _user_cache_key("company-choices", user)
    choices: list[tuple[str, str]] | None = cache.get(key)
    if choices is None:
        granted = billing_account_granted(user=user).filter(company=OuterRef("pk"))
        choices = list(
            Company.objects.filter(Exists(granted)).order_by("name").values_list("code", "name")
        )
        cache.set(key, choices, COMPANY_CHOICES_SECONDS)
    return choices


GRANT_COUNT_SECONDS = 60
TABLE_SIZE_SECONDS = 60


def _user_cache_key(name: str, user: User) -> str:
    # date_joined too: two databases (a test run's and the e2e app's) may share a cache
    # and reuse the same user ids.
    return f"billing:{name}:{user.pk}:{user.date_joined.timestamp()}"


def billing_grant_count(*, user: User) -> int:
    """How many accounts the user is granted: the summary's "of 2,500 accounts" when
    nothing narrows it. Counting reads every one of the user's grants (a few
    milliseconds at 10,000), on every page of the summary, so it is cached; a grant
    saved or deleted clears it (``billing_user_cache_clear``), and bulk changes that
    send no signal show within GRANT_COUNT_SECONDS."""
    key = _user_cache_key("grant-count", user)
    count: int | None = cache.get(key)
    if count is None:
        count = AccountGrant.objects.filter(user=user).count()
        cache.set(key, count, GRANT_COUNT_SECONDS)
    return count


def billing_user_cache_clear(*, user: User) -> None:
    """Forget what is cached about the user's grants (their count, the companies)."""
    cache.delete_many([_user_cache_key(name, user) for name in ("grant-count", "company-choices")])


def billing_table_size() -> int:
    """The highest account id: a cheap stand-in for the number of accounts in the
    table, used only to choose how to read a page (BillingAccountPaginator), so a
    minute-old value serves as well as a new one."""
    size: int | None = cache.get("billing:table-size")
    if size is None:
        size = BillingAccount.objects.aggregate(n=Max("id"))["n"] or 0
        cache.set("billing:table-size", size, TABLE_SIZE_SECONDS)
    return size


def billing_account_list(*, user: User, query: BillingAccountQuery) -> QuerySet[BillingAccount]:
    """The user's accounts that the search and filters select, in the chosen order.

    The Billing Summary pages through it and the Excel export writes all of it, so both
    show the same rows in the same order. One query, whatever the number of accounts.
    """
    return _narrowed(billing_account_granted(user=user), query, user=user).order_by(*query.ordering)


def _granted_by_exists(*, user: User) -> QuerySet[BillingAccount]:
    """The same set as ``billing_account_granted``, written as a correlated EXISTS, so the
    database can walk an index in the page's order and stop after one page."""
    if not user.is_authenticated or not user.is_active:
        return BillingAccount.objects.none()
    return BillingAccount.objects.filter(
        Exists(AccountGrant.objects.filter(user=user, account=OuterRef("pk")))
    )


def _narrowed(
    accounts: QuerySet[BillingAccount], query: BillingAccountQuery, *, user: User
) -> QuerySet[BillingAccount]:
    if query.search:
        accounts = _searched(accounts, query.search, user=user)
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
    return accounts


def _searched(
    accounts: QuerySet[BillingAccount], term: str, *, user: User
) -> QuerySet[BillingAccount]:
    """The accounts with ``term`` in their number, insured name, or one of their policy
    or invoice numbers (case-insensitive substring, ``%`` and ``_`` literal)."""
    number, name = Q(number__icontains=term), Q(insured_name__icontains=term)
    if (
        connections[accounts.db].vendor == "sqlite"
        and search_index.usable(term)
        and _has_more_accounts_than(user=user, count=search_index.MIN_ACCOUNTS)
        and search_index.is_narrow(connection=connections[accounts.db], term=term)
    ):
        # SQLite, a user with many accounts and a term that is not everywhere: the
        # trigram index (decision 0032) finds the accounts that may match anywhere in
        # the table; the same LIKE conditions as below, on those accounts only, make
        # the result exactly the plain search's. ``accounts`` is already limited to
        # the user's grants. (For a few accounts, or a term found in a large part of
        # the table, reading the user's accounts is cheaper.)
        # The SQL is a constant; the term is a bound parameter.
        maybe = RawSQL(search_index.account_ids_sql(), [search_index.phrase(term)])  # noqa: S611
        return accounts.filter(pk__in=maybe).filter(
            number
            | name
            | Exists(Policy.objects.filter(account=OuterRef("pk"), number__icontains=term))
            | Exists(Invoice.objects.filter(account=OuterRef("pk"), number__icontains=term))
        )
    # One set of matching account ids, a UNION of four lookups each limited to the
    # user's accounts and evaluated once: the database can start from the few matches
    # (on PostgreSQL through the trigram indexes of migration 0002) instead of testing
    # every account against four conditions.
    mine = BillingAccount.objects.filter(grants__user=user)
    matches = (
        mine.filter(number)
        .values("id")
        .union(
            mine.filter(name).values("id"),
            Policy.objects.filter(account__grants__user=user, number__icontains=term).values(
                "account_id"
            ),
            Invoice.objects.filter(account__grants__user=user, number__icontains=term).values(
                "account_id"
            ),
        )
    )
    return accounts.filter(pk__in=matches)


def _has_more_accounts_than(*, user: User, count: int) -> bool:
    """Whether the user has more than ``count`` grants: reads at most ``count + 1``
    entries of the grant index, whatever the number of accounts."""
    grants = AccountGrant.objects.filter(user=user).order_by("account_id")
    return grants.values_list("account_id")[count : count + 1].exists()


SUMMARY_COLUMNS = ("public_id", "number", "total_due", "past_due", "next_due_date")


class BillingAccountPaginator(Paginator):
    """Pages of the summary, one indexed query per page whatever the number of accounts.

    Two ways to fetch one page of the same rows in the same order:
    - from the user's grants: read every matching account, sort, keep one page. Cheap
      for a household with a few accounts, but it grows with the number of accounts;
    - along the sort order's index, checking each account's grant (EXISTS) and stopping
      after one page. Cheap when the user's accounts are a large share of the table
      (a commercial insured with 100,000 accounts), hopeless for a household in a table
      of millions.
    The count is known first, so the page picks the cheaper one: walking the index reads
    about ``table_size / count`` rows per row shown, sorting reads ``count`` rows.
    """

    def __init__(self, *, user: User, query: BillingAccountQuery, per_page: int) -> None:
        by_grant = billing_account_list(user=user, query=query).only(*SUMMARY_COLUMNS)
        super().__init__(by_grant, per_page)
        self._user = user
        self._query = query
        self._max_id: int | None = None

    @cached_property
    def count(self) -> int:
        if not self._user.is_authenticated or not self._user.is_active:
            return 0  # sees nothing (billing_account_granted)
        if not self._query.is_narrowed:
            # Grants point at existing accounts (foreign key), so counting them is the
            # same number, read from the grant index alone (and cached).
            return billing_grant_count(user=self._user)
        db = self.object_list.db  # type: ignore[union-attr,attr-defined]
        if (
            connections[db].vendor == "sqlite"
            and _only_past_due(self._query)
            and _has_more_accounts_than(
                user=self._user, count=self._table_size() // past_due_index.MIN_SHARE
            )
        ):
            # SQLite, a user with most of the table: walk the past-due index and probe
            # the grants instead of looking up every account of the user (decision
            # 0032, billing/past_due_index.py). Same number, fewer rows touched.
            return past_due_index.count(connection=connections[db], user_id=self._user.pk)
        return self.object_list.count()  # type: ignore[union-attr,attr-defined]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows: QuerySet[BillingAccount] = self.object_list  # type: ignore[assignment]
        if self.count and self.count * self.count >= self._table_size() * top:
            rows = (
                _narrowed(_granted_by_exists(user=self._user), self._query, user=self._user)
                .order_by(*self._query.ordering)
                .only(*SUMMARY_COLUMNS)
            )
        return self._get_page(rows[bottom:top], number, self)  # type: ignore[attr-defined]

    def _table_size(self) -> int:
        if self._max_id is None:
            self._max_id = billing_table_size()
        return self._max_id


def _only_past_due(query: BillingAccountQuery) -> bool:
    """True when the Past due status is the query's only narrowing (sort aside)."""
    return query.statuses == (Status.PAST_DUE,) and not replace(query, statuses=()).is_narrowed


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


# --- Billing Details and Payment Options (issue 4) ------------------------------------


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    is_billed: bool
    is_past_due: bool


@dataclass(frozen=True)
class AccountDetail:
    """One account in full, for Billing Details and its download: the account with its
    policies, invoices and payments, and the figures derived from them for ``today``."""

    account: BillingAccount
    policies: list[Policy]
    invoices: list[Invoice]
    payments: list[Payment]
    today: date

    @property
    def outstanding_balance(self) -> Decimal:
        """Everything left to pay on the account, including installments not billed yet
        (total due counts billed invoices only)."""
        return sum((invoice.balance for invoice in self.invoices), ZERO)

    @property
    def not_billed_total(self) -> Decimal:
        """What is left on installments whose bill date is still to come."""
        return sum(
            (invoice.balance for invoice in self.invoices if invoice.bill_date > self.today), ZERO
        )

    @property
    def last_payment(self) -> Payment | None:
        """The latest payment that posted (payments come newest first)."""
        return next((p for p in self.payments if p.status == Payment.Status.POSTED), None)

    @property
    def pending_payments(self) -> list[Payment]:
        return [p for p in self.payments if p.status == Payment.Status.PENDING]

    @property
    def pending_total(self) -> Decimal:
        return sum((p.amount for p in self.pending_payments), ZERO)

    def invoice_is_past_due(self, invoice: Invoice) -> bool:
        return invoice.is_past_due_on(self.today)

    @property
    def invoice_rows(self) -> list[InvoiceRow]:
        return [
            InvoiceRow(
                invoice=invoice,
                is_billed=invoice.bill_date <= self.today,
                is_past_due=invoice.is_past_due_on(self.today),
            )
            for invoice in self.invoices
        ]


def billing_account_detail_get(
    *, user: User, public_id: str | UUID, today: date
) -> AccountDetail | None:
    """A granted account with its policies, invoices and payments, in four queries
    however many rows it has; None when it does not exist or is not granted (or the id
    is malformed), so callers answer all alike."""
    try:
        account = (
            billing_account_granted(user=user)
            .select_related("company", "team", "representative")
            .prefetch_related(
                Prefetch("policies", queryset=Policy.objects.order_by("number")),
                Prefetch("invoices", queryset=Invoice.objects.order_by("due_date", "number")),
                Prefetch("payments", queryset=Payment.objects.order_by("-received_on", "-id")),
            )
            .get(public_id=str(public_id))
        )
    except (BillingAccount.DoesNotExist, ValidationError, ValueError, TypeError):
        return None
    return AccountDetail(
        account=account,
        policies=list(account.policies.all()),
        invoices=list(account.invoices.all()),
        payments=list(account.payments.all()),
        today=today,
    )


def company_granted_list(*, user: User) -> list[Company]:
    """The companies that bill the user's accounts (for general Payment Options), with
    their general team, in one query."""
    account_companies = billing_account_granted(user=user).values("company_id")
    return list(
        Company.objects.filter(pk__in=account_companies)
        .select_related("general_team")
        .order_by("name")
    )
