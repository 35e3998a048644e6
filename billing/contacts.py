"""The contact directory: who serves an account or a company, when and where.

The billing people behind an account are its service team (hours, phones, addresses)
and its representative; behind a company (General Inquiry), the company's general
team. Everything comes from the data billing supervisors keep in the staff admin.

Queries are constant: the team rows come with the account (select_related), then one
query each for the hours, phones and addresses of all the teams asked for at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from .hours import HoursStatus, WeekRow, hours_week, service_hours_status
from .models import (
    BillingAccount,
    BillingRepresentative,
    Company,
    ServiceHours,
    ServiceTeam,
    TeamAddress,
    TeamPhone,
)

# Which phone answers "pay by phone", best first.
PAY_BY_PHONE_LABELS = (
    TeamPhone.Label.PAY_BY_PHONE,
    TeamPhone.Label.BILLING,
    TeamPhone.Label.TOLL_FREE,
)


@dataclass
class ContactDirectory:
    """The billing contacts of one account or company, ready for a template."""

    company: Company | None
    team: ServiceTeam | None
    representative: BillingRepresentative | None = None
    hours: Sequence[ServiceHours] = field(default_factory=list)
    phones: Sequence[TeamPhone] = field(default_factory=list)
    addresses: Sequence[TeamAddress] = field(default_factory=list)

    def phone(self, *labels: str) -> TeamPhone | None:
        """The first phone with one of ``labels``, in the order the labels are given."""
        for label in labels:
            for phone in self.phones:
                if phone.label == label:
                    return phone
        return None

    def address(self, label: str) -> TeamAddress | None:
        return next((a for a in self.addresses if a.label == label), None)

    @property
    def pay_by_phone(self) -> TeamPhone | None:
        return self.phone(*PAY_BY_PHONE_LABELS)

    @property
    def voice_phones(self) -> list[TeamPhone]:
        """Phones a person can call (fax last, since it cannot be called)."""
        return sorted(self.phones, key=lambda p: p.label == TeamPhone.Label.FAX)

    @property
    def week(self) -> list[WeekRow]:
        return hours_week(team_hours=self.hours)

    def status(self, *, now: datetime) -> HoursStatus | None:
        if self.team is None:
            return None
        return service_hours_status(team_hours=self.hours, tz=self.team.time_zone, now=now)


def _team_prefetches() -> list[Prefetch]:  # type: ignore[type-arg]
    return [
        Prefetch("hours", queryset=ServiceHours.objects.order_by("weekday", "opens")),
        Prefetch("phones", queryset=TeamPhone.objects.order_by("position", "id")),
        Prefetch("addresses", queryset=TeamAddress.objects.order_by("position", "id")),
    ]


def _teams_load(team_ids: Iterable[int]) -> dict[int, ServiceTeam]:
    ids = {i for i in team_ids if i is not None}
    if not ids:
        return {}
    teams = ServiceTeam.objects.filter(pk__in=ids).prefetch_related(*_team_prefetches())
    return {team.pk: team for team in teams}


def _directory(
    *,
    company: Company | None,
    team: ServiceTeam | None,
    representative: BillingRepresentative | None = None,
) -> ContactDirectory:
    if team is None:
        return ContactDirectory(company=company, team=None, representative=representative)
    return ContactDirectory(
        company=company,
        team=team,
        representative=representative,
        hours=list(team.hours.all()),
        phones=list(team.phones.all()),
        addresses=list(team.addresses.all()),
    )


def _account_team_id(account: BillingAccount) -> int | None:
    """The team that serves an account: its own, else its representative's, else the
    company's general billing team."""
    if account.team_id is not None:
        return account.team_id
    if account.representative is not None:
        return account.representative.team_id
    return account.company.general_team_id


def contact_directory_for_account(*, account: BillingAccount) -> ContactDirectory:
    """The account's team, hours, phones, addresses and representative.

    ``account`` should come from a grant-checked selector with company and
    representative selected (``billing_account_get`` does): then this costs four
    queries (the team and one each for its hours, phones, addresses).
    """
    team_id = _account_team_id(account)
    teams = _teams_load([team_id] if team_id else [])
    representative = account.representative
    if representative is not None and not representative.is_active:
        representative = None
    return _directory(
        company=account.company,
        team=teams.get(team_id) if team_id else None,
        representative=representative,
    )


def contact_directory_for_companies(*, companies: Iterable[Company]) -> list[ContactDirectory]:
    """The general billing contacts of each company (General Inquiry), in four queries
    whatever the number of companies."""
    companies = list(companies)
    teams = _teams_load(c.general_team_id for c in companies if c.general_team_id)
    return [
        _directory(
            company=company,
            team=teams.get(company.general_team_id) if company.general_team_id else None,
        )
        for company in companies
    ]
