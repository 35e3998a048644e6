"""The staff admin: routing rules, and the sent-mail view with status filter, last
error, the full message and Resend."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.tasks import default_task_backend
from django.test import Client
from django.urls import reverse

from accounts.roles import BILLING_STAFF, roles_sync
from accounts.tests.factories import UserFactory
from support.models import OutgoingMessage, RoutingRule, Topic
from support.selectors import Reference
from support.services import support_request_create


@pytest.fixture
def staff_client(db: Any) -> Client:
    roles_sync()
    user: Any = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=BILLING_STAFF))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def failed_message(household: dict[str, Any]) -> OutgoingMessage:
    request, _ = support_request_create(
        user=household["user"],
        account=household["first"],
        phone=None,
        reference=Reference("general", "General Question", "general"),
        topic=Topic.GENERAL,
        message="Where can I send my payment?",
        form_token="f" * 32,
    )
    message = request.messages.get(kind="staff")
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status="failed",
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    return message


def test_staff_see_failed_mail_with_its_last_error_filtered_by_status(
    staff_client: Client, failed_message: OutgoingMessage
) -> None:
    url = reverse("admin:support_outgoingmessage_changelist")
    html = staff_client.get(url, {"status__exact": "failed"}).content.decode()
    assert failed_message.subject in html
    assert "SMTPServerDisconnected" in html
    queued = staff_client.get(url, {"status__exact": "queued"}).content.decode()
    assert "SMTPServerDisconnected" not in queued


def test_the_sent_mail_view_shows_the_whole_message(
    staff_client: Client, failed_message: OutgoingMessage
) -> None:
    url = reverse("admin:support_outgoingmessage_change", args=[failed_message.pk])
    html = staff_client.get(url).content.decode()
    assert "Where can I send my payment?" in html
    assert "Reply to this email to answer the insured" in html
    assert "jordan@example.com" in html  # Reply-To


def test_resend_queues_a_failed_message_again(
    staff_client: Client,
    failed_message: OutgoingMessage,
    django_capture_on_commit_callbacks: Any,
) -> None:
    backend: Any = default_task_backend
    backend.clear()
    url = reverse("admin:support_outgoingmessage_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"action": "resend", "_selected_action": [failed_message.pk]}, follow=True
        )
    assert "Queued 1 message(s) to send again." in response.content.decode()
    failed_message.refresh_from_db()
    assert (failed_message.status, failed_message.attempts) == ("queued", 0)
    assert [r.kwargs["message_id"] for r in backend.results] == [failed_message.pk]


def test_a_message_refused_for_good_shows_its_error_and_resend_delivers_it(
    staff_client: Client,
    household: dict[str, Any],
    smtp: Any,
    run_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff_to = "dana.whitfield@insurer.example"
    smtp.inbox.replies = {staff_to: "550 5.1.1 Recipient address rejected: User unknown"}
    with django_capture_on_commit_callbacks(execute=True):
        request, _ = support_request_create(
            user=household["user"],
            account=household["first"],
            phone=None,
            reference=Reference("general", "General Question", "general"),
            topic=Topic.GENERAL,
            message="Where can I send my payment?",
            form_token="e" * 32,
        )
    run_tasks()
    message = request.messages.get(kind="staff")
    assert (message.status, message.attempts) == ("failed", 1)
    url = reverse("admin:support_outgoingmessage_changelist")
    listed = staff_client.get(url, {"status__exact": "failed"}).content.decode()
    assert "550 5.1.1 Recipient address rejected: User unknown" in listed
    change = reverse("admin:support_outgoingmessage_change", args=[message.pk])
    assert "permanent, not retried" in staff_client.get(change).content.decode()

    smtp.inbox.replies = {}  # the representative's mailbox is fixed
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "resend", "_selected_action": [message.pk]})
    run_tasks()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    received = [m for rcpt, m in smtp.inbox.messages if rcpt == [staff_to]]
    assert [m["Message-ID"].strip() for m in received] == [message.message_id]


def test_insureds_cannot_reach_the_sent_mail(household: dict[str, Any]) -> None:
    client = Client()
    client.force_login(household["user"])
    response = client.get(reverse("admin:support_outgoingmessage_changelist"))
    assert response.status_code == 302  # to the admin sign-in


def test_supervisors_keep_routing_rules(db: Any) -> None:
    roles_sync()
    supervisor: Any = UserFactory(is_staff=True)
    supervisor.groups.add(Group.objects.get(name="Billing supervisors"))
    client = Client()
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:support_routingrule_add"),
        {
            "description": "Ohio payments",
            "state": "oh",
            "topic": "payment",
            "line_of_business": "",
            "mailbox": "ohio.payments@insurer.example",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.state, rule.topic, rule.mailbox) == (
        "OH",
        "payment",
        "ohio.payments@insurer.example",
    )
