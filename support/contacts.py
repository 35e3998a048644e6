"""The contact column of Email Us: who serves the insured, when they are open, how to
reach them. The directory and the open-now computation are billing's
(billing/contacts.py, billing/hours.py); this adds the General Inquiry choice of company
and shapes the result for the template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone

from billing.contacts import (
    ContactDirectory,
    contact_directory_for_account,
    contact_directory_for_companies,
)
from billing.hours import HoursStatus
from billing.models import (
    BillingAccount,
    BillingRepresentative,
    Company,
    ServiceTeam,
    TeamAddress,
    TeamPhone,
)
from billing.selectors import billing_account_granted

if TYPE_CHECKING:
    from accounts.models import User

ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time (Arizona)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
}


def zone_label(tz_name: str) -> str:
    return ZONE_NAMES.get(tz_name, tz_name.replace("_", " "))


@dataclass
class Contacts:
    team: ServiceTeam | None
    representative: BillingRepresentative | None = None
    company: Company | None = None
    account: BillingAccount | None = None
    hours: list[tuple[str, str]] = field(default_factory=list)
    zone: str = ""
    status: HoursStatus | None = None
    phones: Sequence[TeamPhone] = ()
    addresses: Sequence[TeamAddress] = ()

    @property
    def status_text(self) -> str:
        return self.status.summary if self.status is not None else ""


def primary_company_get(*, user: User) -> Company | None:
    """The company that bills most of the user's accounts (ties: by name)."""
    row = (
        billing_account_granted(user=user)
        .values("company")
        .annotate(n=Count("id"))
        .order_by("-n", "company__name")
        .first()
    )
    if row is None:
        return None
    return Company.objects.select_related("general_team").get(pk=row["company"])


def contacts_get(
    *, user: User, account: BillingAccount | None, now: datetime | None = None
) -> Contacts:
    """Contacts for a chosen (already granted) account, or for a General Inquiry the
    general team of the insured's primary company."""
    directory: ContactDirectory | None
    if account is not None:
        directory = contact_directory_for_account(account=account)
    else:
        company = primary_company_get(user=user)
        directory = contact_directory_for_companies(companies=[company])[0] if company else None
    if directory is None:
        return Contacts(team=None)
    contacts = Contacts(
        team=directory.team,
        representative=directory.representative,
        company=directory.company,
        account=account,
    )
    if directory.team is None:
        return contacts
    contacts.hours = [(row.days, row.hours) for row in directory.week]
    contacts.zone = zone_label(directory.team.time_zone)
    contacts.status = directory.status(now=now or timezone.now())
    contacts.phones = directory.voice_phones
    contacts.addresses = directory.addresses
    return contacts
