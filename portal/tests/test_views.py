from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from portal.models import Notification

pytestmark = pytest.mark.django_db


def notification_for(user, title="Invoice 1001 is due soon", **fields):
    return Notification.objects.create(user=user, title=title, body="Body text", **fields)


class TestHelpPage:
    def test_asks_an_anonymous_visitor_to_sign_in(self, client):
        response = client.get(reverse("portal:help"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_explains_each_summary_column_how_to_pay_and_how_to_reach_support(self, client):
        client.force_login(UserFactory())

        response = client.get(reverse("portal:help"))

        assert response.status_code == 200
        html = response.content.decode()
        for term in ("BILLING ACCT #", "TOTAL DUE", "DUE DATE", "ACTIONS"):
            assert f"<dt>{term}</dt>" in html
        for button in ("Download as Excel", "Billing Support", "Payment Options"):
            assert f"<dt>{button}</dt>" in html
        assert 'id="pay"' in html and "payment mailing address" in html
        assert "Email Us" in html and "reference number" in html
        assert f'href="{reverse("accounts:profile")}"' in html


class TestNotificationList:
    def test_shows_only_the_users_own_notifications(self, client):
        user, other = UserFactory(), UserFactory()
        notification_for(user, title="Yours")
        notification_for(other, title="Someone else's")
        client.force_login(user)

        html = client.get(reverse("portal:notifications")).content.decode()

        assert "Yours" in html
        assert "Someone else" not in html

    def test_an_unread_one_has_a_mark_as_read_form_and_a_read_one_has_none(self, client):
        user = UserFactory()
        unread = notification_for(user, title="Unread one")
        read = notification_for(user, title="Read one", read_at=timezone.now())
        client.force_login(user)

        html = client.get(reverse("portal:notifications")).content.decode()

        assert f'action="{reverse("portal:notification_read", args=[unread.pk])}"' in html
        assert reverse("portal:notification_read", args=[read.pk]) not in html
        assert f'action="{reverse("portal:notifications_read_all")}"' in html
        assert html.count(">Unread</span>") == 1

    def test_without_unread_notifications_there_is_no_mark_all_button(self, client):
        user = UserFactory()
        notification_for(user, read_at=timezone.now())
        client.force_login(user)

        html = client.get(reverse("portal:notifications")).content.decode()

        assert reverse("portal:notifications_read_all") not in html

    def test_an_empty_list_says_what_will_appear(self, client):
        client.force_login(UserFactory())

        html = client.get(reverse("portal:notifications")).content.decode()

        assert "You have no notifications." in html


class TestMarkRead:
    def test_marks_one_notification_read_and_returns_to_the_list(self, client):
        user = UserFactory()
        first, second = notification_for(user), notification_for(user)
        client.force_login(user)

        response = client.post(reverse("portal:notification_read", args=[first.pk]))

        assert response.status_code == 302
        assert response["Location"] == reverse("portal:notifications")
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.read_at is not None
        assert second.read_at is None

    def test_cannot_mark_another_users_notification(self, client):
        theirs = notification_for(UserFactory())
        client.force_login(UserFactory())

        client.post(reverse("portal:notification_read", args=[theirs.pk]))

        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_mark_all_read_marks_only_the_users_own(self, client):
        user, other = UserFactory(), UserFactory()
        mine = [notification_for(user), notification_for(user)]
        theirs = notification_for(other)
        client.force_login(user)

        client.post(reverse("portal:notifications_read_all"))

        assert all(n.read_at for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_returns_to_a_local_next_page_but_never_to_another_site(self, client):
        user = UserFactory()
        client.force_login(user)
        url = reverse("portal:notifications_read_all")

        local = client.post(url, {"next": "/notifications/?page=2"})
        foreign = client.post(url, {"next": "https://evil.example/"})

        assert local["Location"] == "/notifications/?page=2"
        assert foreign["Location"] == reverse("portal:notifications")

    def test_a_get_changes_nothing(self, client):
        user = UserFactory()
        notification = notification_for(user)
        client.force_login(user)

        response = client.get(reverse("portal:notification_read", args=[notification.pk]))

        assert response.status_code == 405
        notification.refresh_from_db()
        assert notification.read_at is None
