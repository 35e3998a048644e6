"""Access grants: an insured sees exactly the accounts granted to them."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.selectors import billing_account_get, billing_account_granted
from billing.tests.factories import BillingAccountFactory

pytestmark = pytest.mark.django_db


def test_a_user_sees_only_granted_accounts() -> None:
    user = UserFactory()
    mine = [AccountGrantFactory(user=user).account for _ in range(2)]
    AccountGrantFactory()  # someone else's
    BillingAccountFactory()  # nobody's

    assert set(billing_account_granted(user=user)) == set(mine)


def test_an_account_shared_by_two_users_is_seen_by_both_once() -> None:
    first, second = UserFactory(), UserFactory()
    account = AccountGrantFactory(user=first).account
    AccountGrantFactory(user=second, account=account)

    assert list(billing_account_granted(user=first)) == [account]
    assert list(billing_account_granted(user=second)) == [account]


def test_anonymous_and_inactive_users_see_nothing() -> None:
    inactive = UserFactory(is_active=False)
    AccountGrantFactory(user=inactive)

    assert not billing_account_granted(user=AnonymousUser()).exists()  # type: ignore[arg-type]
    assert not billing_account_granted(user=inactive).exists()


@pytest.mark.parametrize("public_id", ["other", "missing", "not-a-uuid", ""])
def test_getting_an_account_not_granted_answers_like_a_missing_one(public_id: str) -> None:
    user = UserFactory()
    other = AccountGrantFactory().account
    ids = {"other": str(other.public_id), "missing": str(uuid.uuid4())}

    assert billing_account_get(user=user, public_id=ids.get(public_id, public_id)) is None


def test_getting_a_granted_account_by_its_opaque_id() -> None:
    grant = AccountGrantFactory()

    found = billing_account_get(user=grant.user, public_id=str(grant.account.public_id))

    assert found == grant.account
