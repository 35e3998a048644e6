"""The portal shell on every signed-in page, notifications and health."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from portal.models import Notification
from portal.services import notification_create

pytestmark = pytest.mark.django_db


def test_the_top_navigation_has_claim_help_bell_and_profile(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_URL = "https://claims.example/new"
    user = UserFactory(full_name="Jordan Avery")
    notification_create(user=user, title="Invoice due soon")
    notification_create(user=user, title="Another")
    client.force_login(user)

    page = client.get(reverse("billing:summary")).content.decode()

    assert 'href="https://claims.example/new"' in page and "Start A Claim" in page
    assert f'href="{reverse("portal:help")}"' in page
    assert "Notifications, 2 unread" in page
    assert f'href="{reverse("accounts:profile")}"' in page
    assert "Sign out" in page


def test_marking_a_notification_read_touches_only_the_users_own(client: Client) -> None:
    user, other = UserFactory(), UserFactory()
    mine, _ = notification_create(user=user, title="Mine")
    theirs, _ = notification_create(user=other, title="Theirs")
    client.force_login(user)

    client.post(reverse("portal:notification_read", args=[theirs.pk]))
    client.post(reverse("portal:notification_read", args=[mine.pk]))

    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_does_not_follow_an_offsite_next(client: Client) -> None:
    user = UserFactory()
    notification_create(user=user, title="One")
    client.force_login(user)

    response = client.post(
        reverse("portal:notifications_read_all"), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("portal:notifications")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_a_dedupe_key_makes_a_notification_once() -> None:
    user = UserFactory()

    first = notification_create(user=user, title="Due", dedupe_key="invoice:1:due")
    second = notification_create(user=user, title="Due", dedupe_key="invoice:1:due")

    assert first[1] is True and second[1] is False
    assert first[0].pk == second[0].pk


def test_health_answers_ok(client: Client) -> None:
    response = client.get(reverse("portal:health"))

    assert response.json() == {"status": "ok"}


def test_an_unknown_page_is_a_friendly_404(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert b"We couldn" in response.content


def test_the_server_error_page_renders_without_inline_styles(rf) -> None:  # type: ignore[no-untyped-def]
    from portal.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"style=" not in response.content
