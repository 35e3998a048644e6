"""Sign-in, lockout, sign-out, password reset and the staff admin boundary."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.roles import BILLING_SUPERVISORS
from accounts.tests.factories import PASSWORD, AccountGrantFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:login")


def sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_sign_in_lands_on_the_billing_summary_with_the_users_accounts(client: Client) -> None:
    user = UserFactory(email="jordan@example.com")
    mine = AccountGrantFactory(user=user).account
    others = AccountGrantFactory().account

    response = sign_in(client, "Jordan@Example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:summary")
    page = client.get(reverse("billing:summary")).content.decode()
    assert mine.number in page
    assert others.number not in page


def test_wrong_password_shows_a_clear_message_and_keeps_the_email(client: Client) -> None:
    UserFactory(email="jordan@example.com")

    response = sign_in(client, "jordan@example.com", "wrong password")

    assert response.status_code == 200
    page = response.content.decode()
    assert "don&#x27;t match our records" in page
    assert 'value="jordan@example.com"' in page


def test_five_failures_lock_the_sign_in_with_a_clear_message_and_a_log_line(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    UserFactory(email="jordan@example.com")
    caplog.set_level(logging.WARNING, logger="portal.security")

    for _ in range(5):
        sign_in(client, "jordan@example.com", "wrong password")
    locked = sign_in(client, "jordan@example.com", PASSWORD)

    assert locked.status_code == 429
    assert "Sign-in is paused" in locked.content.decode()
    assert any(
        "locked out" in r.getMessage() and "jordan@example.com" in r.getMessage()
        for r in caplog.records
    )
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_lock_out_colleagues_behind_the_same_address(client: Client) -> None:
    UserFactory(email="jordan@example.com")
    UserFactory(email="sam@example.com")
    for _ in range(5):
        sign_in(client, "jordan@example.com", "wrong password")

    response = sign_in(Client(), "sam@example.com", PASSWORD)

    assert response.status_code == 302


def test_sign_out_ends_the_session(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("billing:summary")).status_code == 302


def test_billing_pages_require_sign_in(client: Client) -> None:
    response = client.get(reverse("billing:summary"))

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_password_reset_emails_a_working_link_through_the_worker(
    client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",  # type: ignore[attr-defined]
            "QUEUES": ["default", "email"],
        }
    }
    UserFactory(email="jordan@example.com")

    response = client.post(reverse("accounts:password_reset"), {"email": "jordan@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/password-reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a brand new passphrase 2026",
            "new_password2": "a brand new passphrase 2026",
        },
    )
    assert done.status_code == 302
    assert sign_in(Client(), "jordan@example.com", "a brand new passphrase 2026").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",  # type: ignore[attr-defined]
            "QUEUES": ["default", "email"],
        }
    }

    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_billing_supervisors_reach_the_staff_admin(client: Client) -> None:
    supervisor = UserFactory(is_staff=True)
    supervisor.groups.add(Group.objects.get(name=BILLING_SUPERVISORS))
    client.force_login(supervisor)

    response = client.get(reverse("admin:billing_billingaccount_changelist"))

    assert response.status_code == 200


def test_insureds_never_reach_the_staff_admin(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_groups_exist_after_migrate_with_their_permissions() -> None:
    supervisors = Group.objects.get(name=BILLING_SUPERVISORS)
    codenames = set(supervisors.permissions.values_list("codename", flat=True))

    assert {"change_serviceteam", "view_billingaccount", "add_accountgrant"} <= codenames
    assert "delete_billingaccount" not in codenames
