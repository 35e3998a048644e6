"""Service hours: open now, closed, next opening, grouped week; table tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from billing.hours import hours_week, service_hours_status, time_label

NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class H:
    weekday: int
    opens: time
    closes: time


# Monday–Friday 8–20, Saturday 9–13, closed Sunday (the demo's Personal Lines team).
WEEK = [H(d, time(8), time(20)) for d in range(5)] + [H(5, time(9), time(13))]
# Dec 2026: Monday 7th … Sunday 13th.


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("now", "is_open", "closes_at", "next_opens_at", "summary"),
    [
        # open in the middle of a weekday
        (ny(9, 12), True, ny(9, 20), None, "Open now · closes at 8:00 PM EST"),
        # the opening minute is open, the closing minute is closed
        (ny(9, 8), True, ny(9, 20), None, "Open now · closes at 8:00 PM EST"),
        (ny(9, 20), False, None, ny(10, 8), "Closed · opens tomorrow at 8:00 AM EST"),
        # before opening: opens later today
        (ny(9, 6, 30), False, None, ny(9, 8), "Closed · opens today at 8:00 AM EST"),
        # Friday evening: next is Saturday's short day
        (ny(11, 21), False, None, ny(12, 9), "Closed · opens tomorrow at 9:00 AM EST"),
        # Saturday afternoon and Sunday: next weekday is Monday
        (ny(12, 14), False, None, ny(14, 8), "Closed · opens Monday at 8:00 AM EST"),
        (ny(13, 10), False, None, ny(14, 8), "Closed · opens tomorrow at 8:00 AM EST"),
        (ny(12, 10), True, ny(12, 13), None, "Open now · closes at 1:00 PM EST"),
    ],
)
def test_status_in_the_teams_own_time_zone(
    now: datetime,
    is_open: bool,
    closes_at: datetime | None,
    next_opens_at: datetime | None,
    summary: str,
) -> None:
    status = service_hours_status(team_hours=WEEK, tz="America/New_York", now=now)
    assert status.is_open is is_open
    assert status.closes_at == closes_at
    assert status.next_opens_at == next_opens_at
    assert status.summary == summary


def test_now_in_another_zone_is_converted_to_the_teams_zone() -> None:
    # 14:30 UTC on Monday is 9:30 in New York (open) and 6:30 in Los Angeles (closed).
    now = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    assert service_hours_status(team_hours=WEEK, tz=NEW_YORK, now=now).is_open
    west = service_hours_status(team_hours=WEEK, tz="America/Los_Angeles", now=now)
    assert not west.is_open
    assert west.next_opens_at == datetime(2026, 12, 7, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert west.summary == "Closed · opens today at 8:00 AM PST"


def test_late_utc_evening_is_still_the_previous_day_in_chicago() -> None:
    # Saturday 02:00 UTC = Friday 20:00 in Chicago, where the team works until 18:00.
    hours = [H(d, time(7, 30), time(18)) for d in range(5)]
    status = service_hours_status(
        team_hours=hours, tz="America/Chicago", now=datetime(2026, 12, 12, 2, tzinfo=UTC)
    )
    assert not status.is_open
    assert status.next_opening_label == "Monday at 7:30 AM CST"


def test_daylight_saving_time_abbreviation_follows_the_date() -> None:
    status = service_hours_status(
        team_hours=WEEK, tz=NEW_YORK, now=datetime(2026, 7, 8, 12, tzinfo=NEW_YORK)
    )
    assert status.is_open
    assert status.tz_abbrev == "EDT"


def test_split_day_is_closed_over_lunch_and_reopens_the_same_day() -> None:
    hours = [H(0, time(8), time(12)), H(0, time(13), time(17))]
    status = service_hours_status(team_hours=hours, tz=NEW_YORK, now=ny(7, 12, 30))
    assert not status.is_open
    assert status.next_opens_at == ny(7, 13)


def test_same_weekday_next_week_when_the_only_slot_has_passed() -> None:
    hours = [H(0, time(8), time(12))]
    status = service_hours_status(team_hours=hours, tz=NEW_YORK, now=ny(7, 15))
    assert status.next_opens_at == ny(14, 8)
    assert status.next_opening_label == "Monday at 8:00 AM EST"


def test_a_team_without_hours_is_never_open() -> None:
    status = service_hours_status(team_hours=[], tz=NEW_YORK, now=ny(7, 12))
    assert not status.is_open
    assert status.next_opens_at is None
    assert not status.has_hours
    assert status.summary == "No service hours listed"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        service_hours_status(team_hours=WEEK, tz=NEW_YORK, now=datetime(2026, 12, 7, 12))


def test_week_groups_consecutive_days_with_the_same_hours() -> None:
    rows = hours_week(team_hours=WEEK)
    assert [(r.days, r.hours, r.is_closed) for r in rows] == [
        ("Monday–Friday", "8:00 AM–8:00 PM", False),
        ("Saturday", "9:00 AM–1:00 PM", False),
        ("Sunday", "Closed", True),
    ]


def test_week_lists_split_days_and_closed_runs() -> None:
    hours = [H(0, time(13), time(17)), H(0, time(8), time(12)), H(3, time(8), time(12))]
    assert [(r.days, r.hours) for r in hours_week(team_hours=hours)] == [
        ("Monday", "8:00 AM–12:00 PM, 1:00 PM–5:00 PM"),
        ("Tuesday–Wednesday", "Closed"),
        ("Thursday", "8:00 AM–12:00 PM"),
        ("Friday–Sunday", "Closed"),
    ]


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (time(0), "12:00 AM"),
        (time(7, 30), "7:30 AM"),
        (time(12), "12:00 PM"),
        (time(23, 5), "11:05 PM"),
    ],
)
def test_time_label(value: time, label: str) -> None:
    assert time_label(value) == label
