"""Reads for Billing Support. Every account, policy and invoice offered or accepted in
the form comes from the accounts granted to the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q

from billing.models import BillingAccount, Invoice, Policy
from billing.selectors import billing_account_granted

from .models import OutgoingMessage, RoutingRule, SupportRequest
from .routing import AccountFacts, Rule

if TYPE_CHECKING:
    from accounts.models import User

GENERAL = "general"
# Up to this many accounts, In Reference To lists every account number.
REFERENCE_ALL_ACCOUNTS_UP_TO = 50


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: list[Option]


@dataclass(frozen=True)
class Reference:
    """A validated In Reference To choice."""

    value: str
    label: str
    kind: str  # general | account | policy | invoice


def account_option_groups(*, user: User) -> list[OptionGroup]:
    """The user's accounts grouped by company: one query, however many accounts, so an
    insured with thousands of accounts gets a grouped list with type-ahead by number."""
    rows = (
        billing_account_granted(user=user)
        .order_by("company__name", "number")
        .values_list("company__name", "public_id", "number")
    )
    return [
        OptionGroup(company, [Option(str(pid), number) for _, pid, number in group])
        for company, group in groupby(rows, key=lambda r: r[0])
    ]


def _open_invoices(account: BillingAccount) -> list[Invoice]:
    return [
        i
        for i in account.invoices.exclude(status=Invoice.Status.VOID).order_by("due_date", "id")
        if i.balance > 0
    ]


def reference_option_groups(
    *, account: BillingAccount | None, accounts: list[OptionGroup]
) -> list[OptionGroup]:
    """In Reference To: General Question, the chosen account's policies and open
    invoices (grouped), then the account numbers (all of them for a household; only the
    chosen one for an insured with more than REFERENCE_ALL_ACCOUNTS_UP_TO)."""
    groups = [OptionGroup("", [Option(GENERAL, "General Question")])]
    if account is not None:
        policies = [
            Option(f"policy:{p.pk}", f"Policy {p.number} ({p.get_line_of_business_display()})")
            for p in Policy.objects.filter(account=account).order_by("number")
        ]
        if policies:
            groups.append(OptionGroup(f"Policies on {account.number}", policies))
        invoices = [
            Option(f"invoice:{i.pk}", f"Invoice {i.number} (due {i.due_date:%m/%d/%Y})")
            for i in _open_invoices(account)
        ]
        if invoices:
            groups.append(OptionGroup(f"Open invoices on {account.number}", invoices))
    options = [Option(f"account:{o.value}", o.label) for group in accounts for o in group.options]
    if len(options) > REFERENCE_ALL_ACCOUNTS_UP_TO:
        # Thousands of account numbers twice in one form helps nobody: offer the chosen
        # account (Billing Account Number is the place to pick among thousands).
        options = [Option(f"account:{account.public_id}", account.number)] if account else []
    if options:
        groups.append(OptionGroup("Billing accounts", options))
    return groups


def reference_resolve(*, user: User, account: BillingAccount | None, value: str) -> Reference:
    """Validate an In Reference To value against the grant; LookupError if it is not the
    user's (or not offered for the chosen account)."""
    kind, _, key = value.partition(":")
    if value == GENERAL:
        return Reference(GENERAL, "General Question", GENERAL)
    if kind == "account":
        try:
            ref = billing_account_granted(user=user).get(public_id=key)
        except (BillingAccount.DoesNotExist, ValidationError, ValueError) as error:
            raise LookupError(value) from error
        return Reference(value, f"Account {ref.number}", "account")
    if account is not None and key.isdigit():
        if kind == "policy":
            policy = Policy.objects.filter(account=account, pk=int(key)).first()
            if policy is not None:
                return Reference(value, f"Policy {policy.number}", "policy")
        if kind == "invoice":
            invoice = next((i for i in _open_invoices(account) if i.pk == int(key)), None)
            if invoice is not None:
                return Reference(value, f"Invoice {invoice.number}", "invoice")
    raise LookupError(value)


def account_facts_get(*, account: BillingAccount) -> AccountFacts:
    rep = account.representative
    team = account.team
    return AccountFacts(
        representative_email=rep.email if rep is not None and rep.is_active else "",
        company_id=account.company_id,
        lines_of_business=frozenset(
            Policy.objects.filter(account=account).values_list("line_of_business", flat=True)
        ),
        state=account.state,
        team_mailbox=team.mailbox if team is not None else "",
    )


def routing_rule_active_list() -> list[Rule]:
    return [
        Rule(
            id=r.pk,
            mailbox=r.mailbox,
            company_id=r.company_id,
            line_of_business=r.line_of_business,
            state=r.state,
            topic=r.topic,
        )
        for r in RoutingRule.objects.filter(active=True).order_by("id")
    ]


def support_request_get(*, user: User, reference: str) -> SupportRequest | None:
    return (
        SupportRequest.objects.filter(user=user, reference=reference)  # type: ignore[misc]
        .select_related("account")
        .first()
    )


def support_request_by_token(*, user: User, form_token: str) -> SupportRequest | None:
    if not form_token:
        return None
    return (
        SupportRequest.objects.filter(user=user, form_token=form_token)  # type: ignore[misc]
        .exclude(reference=None)
        .first()
    )


def outgoing_message_due_ids(
    *, due_before: datetime, lease_expired_before: datetime, limit: int
) -> list[int]:
    """Messages whose retry is due or whose sender's lease expired (a dead worker)."""
    return list(
        OutgoingMessage.objects.filter(
            Q(status=OutgoingMessage.Status.QUEUED, next_attempt_at__lte=due_before)
            | Q(status=OutgoingMessage.Status.SENDING, sending_since__lt=lease_expired_before)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
