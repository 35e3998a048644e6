from __future__ import annotations

from typing import Any

from accounts.tests.factories import AccountGrantFactory
from billing.tests.factories import BillingAccountFactory
from support.contacts import contacts_get, primary_company_get


def test_contacts_for_an_account_are_its_team_and_representative(household: dict[str, Any]) -> None:
    contacts = contacts_get(user=household["user"], account=household["first"])
    assert contacts.team == household["team_a"]
    assert contacts.representative == household["rep"]
    assert [p.label for p in contacts.phones] == ["billing", "fax"]
    assert contacts.addresses and contacts.zone == "Eastern Time"
    assert contacts.hours[0] == ("Monday–Friday", "8:00 AM–5:00 PM")
    assert contacts.status is not None and contacts.status_text


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
