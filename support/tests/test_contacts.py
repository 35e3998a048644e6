from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from typing import Any

import pytest

from accounts.tests.factories import AccountGrantFactory
from billing.tests.factories import BillingAccountFactory
from support.contacts import contacts_get, hours_lines, primary_company_get, team_open_status

NY = zoneinfo.ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = [(d, time(9), time(17)) for d in range(5)]


@pytest.mark.parametrize(
    ("now", "open_now", "until"),
    [
        # Wednesday 10:00 New York: open, closes at 17:00 the same day.
        (datetime(2026, 12, 2, 10, 0, tzinfo=NY), True, datetime(2026, 12, 2, 17, 0, tzinfo=NY)),
        # Wednesday 08:59: closed, opens at 09:00 today.
        (datetime(2026, 12, 2, 8, 59, tzinfo=NY), False, datetime(2026, 12, 2, 9, 0, tzinfo=NY)),
        # Wednesday 17:00 sharp: closed (closing time is exclusive), opens Thursday 09:00.
        (datetime(2026, 12, 2, 17, 0, tzinfo=NY), False, datetime(2026, 12, 3, 9, 0, tzinfo=NY)),
        # Friday evening: next opening is Monday.
        (datetime(2026, 12, 4, 18, 0, tzinfo=NY), False, datetime(2026, 12, 7, 9, 0, tzinfo=NY)),
        # 15:30 UTC on a Wednesday is 10:30 in New York: the team's zone decides.
        (
            datetime(2026, 12, 2, 15, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
            True,
            datetime(2026, 12, 2, 17, 0, tzinfo=NY),
        ),
    ],
)
def test_team_open_status_is_computed_in_the_teams_time_zone(
    now: datetime, open_now: bool, until: datetime
) -> None:
    status = team_open_status(hours=WEEKDAYS_9_TO_5, tz=NY, now=now)
    assert (status.open_now, status.until) == (open_now, until)


def test_a_team_without_hours_never_opens() -> None:
    status = team_open_status(hours=[], tz=NY, now=datetime(2026, 12, 2, 10, tzinfo=NY))
    assert (status.open_now, status.until) == (False, None)


def test_hours_lines_join_days_with_equal_hours() -> None:
    hours = [*WEEKDAYS_9_TO_5, (5, time(9), time(13))]
    assert hours_lines(hours) == [
        ("Monday–Friday", "9:00 AM – 5:00 PM"),
        ("Saturday", "9:00 AM – 1:00 PM"),
        ("Sunday", "Closed"),
    ]


def test_contacts_for_an_account_are_its_team_and_representative(household: dict[str, Any]) -> None:
    contacts = contacts_get(user=household["user"], account=household["first"])
    assert contacts.team == household["team_a"]
    assert contacts.representative == household["rep"]
    assert [p.label for p in contacts.phones] == ["billing", "fax"]
    assert contacts.addresses and contacts.zone == "Eastern Time"


def test_an_inactive_representative_is_not_shown(household: dict[str, Any]) -> None:
    household["rep"].is_active = False
    household["rep"].save()
    household["first"].refresh_from_db()
    assert contacts_get(user=household["user"], account=household["first"]).representative is None


def test_general_inquiry_shows_the_primary_companys_general_team(household: dict[str, Any]) -> None:
    # A third account at the second company makes it the primary one.
    third = BillingAccountFactory(company=household["second"].company)
    AccountGrantFactory(user=household["user"], account=third)
    assert primary_company_get(user=household["user"]) == household["second"].company
    contacts = contacts_get(user=household["user"], account=None)
    assert contacts.team == household["team_b"] and contacts.representative is None
