from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import AccountGrant, User
from accounts.roles import BILLING_SUPERVISORS
from billing.management.commands.seed_demo import DEMO_PASSWORD, FLEET_SIZE
from billing.models import BillingAccount, Invoice, Payment, Policy

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (User, BillingAccount, AccountGrant, Policy, Invoice, Payment)
    )


def test_seed_demo_twice_creates_everything_once() -> None:
    call_command("seed_demo", verbosity=0)
    first = counts()

    call_command("seed_demo", verbosity=0)

    assert counts() == first
    assert first[1] == FLEET_SIZE + 3


def test_the_household_insured_has_one_past_due_one_due_soon_and_one_paid_up_account() -> None:
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    accounts = list(BillingAccount.objects.filter(grants__user__email="insured@example.com"))

    assert len(accounts) == 3
    assert len({a.company_id for a in accounts}) == 2
    assert len({a.representative_id for a in accounts}) == 3
    past_due = [a for a in accounts if a.past_due > 0]
    due_soon = [
        a
        for a in accounts
        if a.past_due == 0
        and a.total_due > 0
        and a.next_due_date
        and a.next_due_date <= today + timedelta(days=14)
    ]
    nothing = [a for a in accounts if a.total_due == 0]
    assert (len(past_due), len(due_soon), len(nothing)) == (1, 1, 1)
    for account in accounts:
        assert account.policies.exists() and account.invoices.exists() and account.payments.exists()


def test_the_demo_logins_work_and_only_the_supervisor_is_staff() -> None:
    call_command("seed_demo", verbosity=0)

    request = RequestFactory().post("/accounts/sign-in/")
    insured = authenticate(request, username="insured@example.com", password=DEMO_PASSWORD)
    fleet = authenticate(request, username="fleet@example.com", password=DEMO_PASSWORD)
    supervisor = authenticate(request, username="billing@example.com", password=DEMO_PASSWORD)

    assert insured and fleet and supervisor
    assert not insured.is_staff and not fleet.is_staff
    assert supervisor.is_staff and supervisor.groups.filter(name=BILLING_SUPERVISORS).exists()
    assert AccountGrant.objects.filter(user=fleet).count() == FLEET_SIZE
    fleet_accounts = BillingAccount.objects.filter(grants__user=fleet)
    assert fleet_accounts.values("company").distinct().count() >= 2
    assert fleet_accounts.filter(past_due__gt=0).exists()
    assert fleet_accounts.filter(total_due=0).exists()
