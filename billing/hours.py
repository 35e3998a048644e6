"""Service hours: is a team open now, and if not, when does it next open?

A small pure module (no database, no clock of its own): callers pass the team's hour
rows, its time zone and the current moment, so every case is table-testable. Used by
Payment Options ("Pay by phone") and by the Billing Support modal's contact column.

    status = service_hours_status(team_hours=team.hours.all(), tz=team.time_zone,
                                  now=timezone.now())
    status.is_open, status.closes_at, status.next_opens_at, status.summary
    hours_week(team_hours=...)  # grouped rows for display: "Monday–Friday 8:00 AM–8:00 PM"
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HoursSlot(Protocol):
    """What one opening slot needs: ServiceHours rows fit, and so does any simple object."""

    @property
    def weekday(self) -> int: ...  # 0 = Monday, as ServiceHours.Weekday and date.weekday()

    @property
    def opens(self) -> time: ...

    @property
    def closes(self) -> time: ...


@dataclass(frozen=True)
class Slot:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class HoursStatus:
    """Where a team stands at ``now``. Datetimes are aware, in the team's time zone."""

    is_open: bool
    closes_at: datetime | None  # when open: the end of the current slot
    next_opens_at: datetime | None  # when closed: the next opening; None if it has no hours
    now: datetime  # the moment asked about, in the team's time zone
    tz_abbrev: str  # "EST", "CDT"…: the zone's abbreviation at ``now``

    @property
    def has_hours(self) -> bool:
        return self.is_open or self.next_opens_at is not None

    @property
    def summary(self) -> str:
        """One line for people: "Open now · closes at 8:00 PM EST",
        "Closed · opens today at 8:00 AM EST", "Closed · opens Monday at 8:00 AM EST"."""
        if self.is_open and self.closes_at is not None:
            return f"Open now · closes at {time_label(self.closes_at.time())} {self.tz_abbrev}"
        if self.next_opens_at is None:
            return "No service hours listed"
        return f"Closed · opens {self.next_opening_label}"

    @property
    def next_opening_label(self) -> str:
        """ "today at 8:00 AM EST", "tomorrow at …", "Monday at …" ("" when open or no hours)."""
        if self.next_opens_at is None:
            return ""
        when = self.next_opens_at
        days = (when.date() - self.now.date()).days
        if days == 0:
            day = "today"
        elif days == 1:
            day = "tomorrow"
        else:
            day = WEEKDAYS[when.weekday()]
        return f"{day} at {time_label(when.time())} {when.tzname()}"


@dataclass(frozen=True)
class WeekRow:
    """Consecutive weekdays with the same hours, for display."""

    days: str  # "Monday–Friday", "Saturday"
    hours: str  # "8:00 AM–8:00 PM", "9:00 AM–12:00 PM, 1:00 PM–5:00 PM" or "Closed"
    is_closed: bool


def time_label(value: time) -> str:
    """8:00 AM, 12:30 PM: the US format insureds read on bills."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _as_tz(tz: zoneinfo.ZoneInfo | str) -> zoneinfo.ZoneInfo:
    return tz if isinstance(tz, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(tz)


def _slots(team_hours: Iterable[HoursSlot]) -> list[Slot]:
    return sorted(
        (Slot(int(h.weekday), h.opens, h.closes) for h in team_hours),
        key=lambda s: (s.weekday, s.opens),
    )


def service_hours_status(
    *, team_hours: Iterable[HoursSlot], tz: zoneinfo.ZoneInfo | str, now: datetime
) -> HoursStatus:
    """Open now (and until when), or closed (and when it next opens), at ``now``.

    ``team_hours`` are the team's weekly slots in its own time zone ``tz`` (a ZoneInfo
    or an IANA name such as "America/Chicago"); ``now`` must be aware. A slot is open
    from ``opens`` inclusive to ``closes`` exclusive. Looks up to a week ahead.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = _as_tz(tz)
    local = now.astimezone(zone)
    slots = _slots(team_hours)
    abbrev = local.tzname() or str(zone)
    for slot in slots:
        if slot.weekday == local.weekday() and slot.opens <= local.time() < slot.closes:
            closes_at = datetime.combine(local.date(), slot.closes, tzinfo=zone)
            return HoursStatus(True, closes_at, None, local, abbrev)
    for offset in range(8):
        day: date = local.date() + timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            opens_at = datetime.combine(day, slot.opens, tzinfo=zone)
            if opens_at > local:
                return HoursStatus(False, None, opens_at, local, abbrev)
    return HoursStatus(False, None, None, local, abbrev)


def hours_week(*, team_hours: Iterable[HoursSlot]) -> list[WeekRow]:
    """The week Monday to Sunday, consecutive days with equal hours grouped together."""
    slots = _slots(team_hours)
    per_day: list[str] = []
    for weekday in range(7):
        day_slots: Sequence[Slot] = [s for s in slots if s.weekday == weekday]
        per_day.append(
            ", ".join(f"{time_label(s.opens)}–{time_label(s.closes)}" for s in day_slots)
            or "Closed"
        )
    rows: list[WeekRow] = []
    start = 0
    for weekday in range(1, 8):
        if weekday == 7 or per_day[weekday] != per_day[start]:
            days = WEEKDAYS[start]
            if weekday - 1 > start:
                days = f"{WEEKDAYS[start]}–{WEEKDAYS[weekday - 1]}"
            rows.append(WeekRow(days, per_day[start], per_day[start] == "Closed"))
            start = weekday
    return rows
