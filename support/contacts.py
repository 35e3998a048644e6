"""The contact column of Email Us: who serves the insured, when they are open, how to
reach them. Reads only; the open-now computation is a pure function of the hours."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone

from billing.models import (
    BillingAccount,
    BillingRepresentative,
    Company,
    ServiceHours,
    ServiceTeam,
    TeamAddress,
    TeamPhone,
)
from billing.selectors import billing_account_granted

if TYPE_CHECKING:
    from accounts.models import User

WEEKDAYS = [label for _, label in ServiceHours.Weekday.choices]
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


@dataclass(frozen=True)
class OpenStatus:
    open_now: bool
    # While open: when it closes; while closed: when it next opens (None: never).
    until: datetime | None


def team_open_status(
    *, hours: Iterable[tuple[int, time, time]], tz: zoneinfo.ZoneInfo, now: datetime
) -> OpenStatus:
    """Open now, and until when; or closed, and when it next opens (within a week)."""
    slots = sorted(hours)
    local = now.astimezone(tz)
    for weekday, opens, closes in slots:
        if weekday == local.weekday() and opens <= local.time() < closes:
            return OpenStatus(True, datetime.combine(local.date(), closes, tzinfo=tz))
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for weekday, opens, _closes in slots:
            if weekday != day.weekday():
                continue
            start = datetime.combine(day, opens, tzinfo=tz)
            if start > local:
                return OpenStatus(False, start)
    return OpenStatus(False, None)


def _clock(value: time) -> str:
    return f"{value.hour % 12 or 12}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def hours_lines(hours: Iterable[tuple[int, time, time]]) -> list[tuple[str, str]]:
    """("Monday–Friday", "8:00 AM – 8:00 PM") rows: consecutive days with equal hours
    are joined; days without hours read "Closed"."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in sorted(hours):
        by_day.setdefault(weekday, []).append((opens, closes))
    texts = [
        ", ".join(f"{_clock(o)} – {_clock(c)}" for o, c in by_day.get(d, [])) or "Closed"
        for d in range(7)
    ]
    rows: list[tuple[str, str]] = []
    start = 0
    for d in range(1, 8):
        if d == 7 or texts[d] != texts[start]:
            days = WEEKDAYS[start] if d - 1 == start else f"{WEEKDAYS[start]}–{WEEKDAYS[d - 1]}"
            rows.append((days, texts[start]))
            start = d
    return rows


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
    status: OpenStatus | None = None
    phones: Sequence[TeamPhone] = ()
    addresses: Sequence[TeamAddress] = ()

    @property
    def status_text(self) -> str:
        if self.status is None or self.team is None:
            return ""
        until = self.status.until
        if self.status.open_now and until:
            return f"Open now · closes at {_clock(until.time())} {until.tzname()}"
        if until is None:
            return "Closed"
        local_now = timezone.now().astimezone(self.team.tz)
        if until.date() == local_now.date():
            day = "today"
        elif until.date() == local_now.date() + timedelta(days=1):
            day = "tomorrow"
        else:
            day = WEEKDAYS[until.weekday()]
        return f"Closed now · opens {day} at {_clock(until.time())} {until.tzname()}"


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
    representative = None
    company: Company | None
    if account is not None:
        company = account.company
        team = account.team or company.general_team
        rep = account.representative
        representative = rep if rep is not None and rep.is_active else None
    else:
        company = primary_company_get(user=user)
        team = company.general_team if company else None
    contacts = Contacts(team=team, representative=representative, company=company, account=account)
    if team is None:
        return contacts
    slots = [(h.weekday, h.opens, h.closes) for h in team.hours.all()]
    contacts.hours = hours_lines(slots)
    contacts.zone = zone_label(team.time_zone)
    contacts.status = team_open_status(hours=slots, tz=team.tz, now=now or timezone.now())
    contacts.phones = list(team.phones.all())
    contacts.addresses = list(team.addresses.all())
    return contacts
