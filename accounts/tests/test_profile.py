from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_changes_the_phone_but_never_the_email(client: Client) -> None:
    user = UserFactory(email="jordan@example.com", full_name="Jordan Avery")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Jordan Avery",
            "phone": "(614) 555-0123",
            "email": "evil@example.com",
            "email_reminders": "on",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "jordan@example.com"
    assert user.phone.as_e164 == "+16145550123"


def test_an_invalid_phone_is_refused_at_the_field_and_keeps_what_was_typed(client: Client) -> None:
    user = UserFactory(phone="+16145550100")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"full_name": "Jordan Avery", "phone": "call me maybe"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "field__error" in page
    assert 'value="call me maybe"' in page
    user.refresh_from_db()
    assert user.phone.as_e164 == "+16145550100"


def test_profile_shows_the_email_read_only(client: Client) -> None:
    client.force_login(UserFactory(email="jordan@example.com"))

    page = client.get(reverse("accounts:profile")).content.decode()

    assert 'value="jordan@example.com" readonly' in page


def test_an_active_session_is_given_the_idle_timeout(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(UserFactory())

    client.get(reverse("accounts:profile"))

    assert client.session.get_expiry_age() == 600
