"""Reads of billing data. Every query an insured can reach starts from the accounts
granted to that user, so a view cannot forget the grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from .models import ZERO, BillingAccount, Company, Invoice, Payment, Policy

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
