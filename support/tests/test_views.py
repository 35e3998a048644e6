"""The Email Us modal and page: layout, defaults, validation, tampering, double submit,
rate limit, and the confirmation."""

from __future__ import annotations

import re
import uuid
from typing import Any, cast

import pytest
from django.tasks import default_task_backend
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from billing.tests.factories import BillingAccountFactory, InvoiceFactory, PolicyFactory
from portal.models import Notification
from support.models import OutgoingMessage, SupportRequest, Topic

URL = reverse("support:email_us")
HX = {"HX-Request": "true"}


@pytest.fixture
def client_in(household: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(household["user"])
    return client


def _form(household: dict[str, Any], **overrides: str) -> dict[str, str]:
    return {
        "account": str(household["first"].public_id),
        "phone": "(614) 555-0123",
        "reference_to": "general",
        "message": "Where can I send my payment?",
        "token": uuid.uuid4().hex,
        "topic": "",
    } | overrides


def _labels(html: str) -> list[str]:
    return re.findall(r'<label for="id_\w+">([^<]+)</label>', html)


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.django_db
def test_htmx_gets_the_modal_with_contacts_left_and_the_guides_fields_in_order(
    client_in: Client, household: dict[str, Any]
) -> None:
    response = client_in.get(URL, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial for #modal-content
    assert '<h2 id="email-us-title">Email Us</h2>' in html
    assert "data-modal-close" in html
    assert html.index('id="support-contacts"') < html.index('class="support__form"')
    assert _labels(html) == [
        "Billing Account Number",
        "Email",
        "Phone Number",
        "In Reference To",
        "Message",
    ]
    assert html.index(">Cancel</a>") < html.index(">Send</button>")
    # General Inquiry first; the email is the profile's and read-only.
    assert '<option value="" selected>General Inquiry</option>' in html
    assert re.search(r'id="id_email" name="email" value="jordan@example.com" readonly', html)
    assert 'value="(614) 555-0110"' in html  # the profile's phone
    assert '<option value="general" selected>General Question</option>' in html
    assert 'maxlength="2000"' in html and "Up to 2,000 characters." in html
    # Accounts grouped by company; General Inquiry's contacts are the primary team's.
    assert '<optgroup label="American Insurance Group">' in html
    assert "General billing contacts" in html and "Personal Lines Billing" in html
    assert 'href="tel:+18005550142"' in html
    assert "(860) 555-0199" in html and 'href="tel:+18605550199"' not in html  # fax
    assert "All times Eastern Time." in html


@pytest.mark.django_db
def test_a_plain_request_gets_the_full_page_without_htmx_attributes_on_the_form(
    client_in: Client,
) -> None:
    html = client_in.get(URL).content.decode()
    assert "<html" in html and '<h1 id="email-us-title">Email Us</h1>' in html
    assert 'hx-post="' not in html
    assert "<noscript><button" in html  # choosing an account works without JavaScript


@pytest.mark.django_db
def test_opened_on_an_account_it_starts_there_with_its_phone_team_and_representative(
    client_in: Client, household: dict[str, Any]
) -> None:
    account = household["first"]
    html = client_in.get(URL, {"account": account.public_id}, headers=HX).content.decode()
    assert f'<option value="{account.public_id}" selected>4000012345</option>' in html
    assert 'value="(614) 555-0111"' in html  # the account's phone on file
    assert f'value="account:{account.public_id}" selected' in html
    assert "Contacts for account 4000012345" in html and "Dana Whitfield" in html
    assert "dana.whitfield@insurer.example" not in html
    assert '<optgroup label="Policies on 4000012345">' in html
    assert "Policy PA-2026-118204" in html
    assert "Invoice INV-4000012345-03" in html


@pytest.mark.django_db
def test_another_users_or_a_missing_account_answers_404_alike(client_in: Client) -> None:
    foreign: Any = BillingAccountFactory()
    assert client_in.get(URL, {"account": str(foreign.public_id)}).status_code == 404
    assert client_in.get(URL, {"account": str(uuid.uuid4())}).status_code == 404
    assert client_in.get(URL, {"account": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db
def test_choosing_another_account_returns_only_the_parts_that_change(
    client_in: Client, household: dict[str, Any]
) -> None:
    second = household["second"]
    response = client_in.get(
        URL,
        {"account": second.public_id, "reference_to": "general"},
        headers=HX | {"HX-Target": "support-contacts"},
    )
    html = response.content.decode()
    assert 'id="support-contacts"' in html and "Western Region Billing" in html
    assert 'id="field-phone"' in html and 'value="(415) 555-0100"' in html
    assert 'id="field-reference-to"' in html
    assert '<option value="general" selected>General Question</option>' in html
    assert 'id="id_message"' not in html  # what was typed is not touched
    assert "All times Pacific Time." in html


@pytest.mark.django_db
def test_topic_from_payment_options_prefills_the_message_and_is_kept(
    client_in: Client, household: dict[str, Any]
) -> None:
    html = client_in.get(
        URL, {"account": household["first"].public_id, "topic": "autopay"}, headers=HX
    ).content.decode()
    assert 'name="topic" id="id_topic" value="autopay"' in html
    assert "enrol in automatic payments" in html


@pytest.mark.django_db
def test_send_with_htmx_shows_reference_team_and_response_time(
    client_in: Client, household: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_in.post(URL, _form(household, topic="autopay"), headers=HX)
    html = response.content.decode()
    request = SupportRequest.objects.get()
    assert re.fullmatch(r"BS-\d{4}-\d{6}", request.reference or "")
    assert str(request.reference) in html
    assert "Personal Lines Billing" in html and "within one business day" in html
    assert "dana.whitfield" not in html
    assert request.topic == Topic.AUTOPAY
    assert request.phone.as_e164 == "+16145550123"
    assert request.messages.count() == 2
    backend: Any = default_task_backend
    assert len(backend.results) == 2
    assert Notification.objects.filter(user=household["user"]).count() == 1


@pytest.mark.django_db
def test_send_without_javascript_redirects_to_the_confirmation_page(
    client_in: Client, household: dict[str, Any]
) -> None:
    response = client_in.post(URL, _form(household))
    request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "support:request_sent", kwargs={"reference": request.reference}
    )
    page = client_in.get(response["Location"]).content.decode()
    assert str(request.reference) in page and "Your message was sent" in page


@pytest.mark.django_db
def test_the_confirmation_page_of_another_users_request_is_404(
    client_in: Client, household: dict[str, Any]
) -> None:
    client_in.post(URL, _form(household))
    other = Client()
    other.force_login(cast(Any, UserFactory()))
    reference = SupportRequest.objects.get().reference
    url = reverse("support:request_sent", kwargs={"reference": reference})
    assert other.get(url).status_code == 404


@pytest.mark.django_db
def test_a_double_submit_creates_one_request_and_shows_the_same_confirmation(
    client_in: Client, household: dict[str, Any]
) -> None:
    data = _form(household)
    first = client_in.post(URL, data, headers=HX).content.decode()
    second = client_in.post(URL, data | {"message": "changed"}, headers=HX).content.decode()
    assert SupportRequest.objects.count() == 1 and OutgoingMessage.objects.count() == 2
    reference = SupportRequest.objects.get().reference
    assert str(reference) in first and str(reference) in second


@pytest.mark.django_db
def test_a_posted_email_is_ignored(client_in: Client, household: dict[str, Any]) -> None:
    client_in.post(URL, _form(household, email="attacker@evil.example"))
    request = SupportRequest.objects.get()
    assert request.email == "jordan@example.com"
    tos = set(OutgoingMessage.objects.values_list("to", flat=True))
    reply_tos = set(OutgoingMessage.objects.values_list("reply_to", flat=True))
    assert "attacker@evil.example" not in tos | reply_tos


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("account", lambda foreign: str(foreign.public_id)),
        ("account", lambda foreign: "not-a-uuid"),
        ("reference_to", lambda foreign: f"account:{foreign.public_id}"),
        ("reference_to", lambda foreign: f"policy:{cast(Any, PolicyFactory(account=foreign)).pk}"),
        (
            "reference_to",
            lambda foreign: f"invoice:{cast(Any, InvoiceFactory(account=foreign)).pk}",
        ),
        ("reference_to", lambda foreign: "policy:abc"),
        ("reference_to", lambda foreign: "anything"),
    ],
)
def test_a_tampered_account_or_reference_is_refused_at_the_field(
    client_in: Client, household: dict[str, Any], field: str, value_of: Any
) -> None:
    foreign: Any = BillingAccountFactory()
    data = _form(household, **{field: value_of(foreign)})
    response = client_in.post(URL, data, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert SupportRequest.objects.count() == 0
    assert f'id="id_{field}_error"' in html
    assert "Where can I send my payment?" in html  # what was typed is kept
    assert foreign.number not in html


@pytest.mark.django_db
def test_policies_and_invoices_of_the_chosen_account_are_accepted(
    client_in: Client, household: dict[str, Any]
) -> None:
    data = _form(household, reference_to=f"invoice:{household['invoice'].pk}")
    client_in.post(URL, data)
    request = SupportRequest.objects.get()
    assert request.reference_to == "Invoice INV-4000012345-03"
    assert request.topic == Topic.PAYMENT


@pytest.mark.django_db
def test_errors_are_at_the_field_announced_and_keep_what_was_typed(
    client_in: Client, household: dict[str, Any]
) -> None:
    data = _form(household, message="   ", phone="12")
    html = client_in.post(URL, data).content.decode()
    assert SupportRequest.objects.count() == 0
    assert 'role="alert"' in html
    assert 'aria-invalid="true" aria-describedby="id_phone_error"' in html
    assert "Enter a valid phone number" in html
    assert 'aria-describedby="id_message_error id_message_help" aria-invalid="true"' in html
    assert "Enter a message for billing support." in html
    assert 'value="12"' in html  # the typed phone is kept
    assert f'<option value="{household["first"].public_id}" selected>' in html


@pytest.mark.django_db
def test_the_message_limit_counts_a_line_break_as_one_character(
    client_in: Client, household: dict[str, Any]
) -> None:
    fits = "x" * 1000 + "\r\n" + "y" * 999  # 2,000 in the browser, 2,001 bytes posted
    client_in.post(URL, _form(household, message=fits))
    assert SupportRequest.objects.count() == 1
    html = client_in.post(URL, _form(household, message="z" * 2001)).content.decode()
    assert "2,000 characters or fewer" in html and "z" * 2001 in html
    assert SupportRequest.objects.count() == 1


@pytest.mark.django_db
def test_sends_are_rate_limited_per_user_with_a_clear_message_that_keeps_the_text(
    client_in: Client, household: dict[str, Any]
) -> None:
    for n in range(5):
        assert client_in.post(URL, _form(household, message=f"message {n}")).status_code == 302
    response = client_in.post(URL, _form(household, message="the sixth message"))
    html = response.content.decode()
    assert response.status_code == 429
    assert "wait a few minutes" in html and "the sixth message" in html
    assert SupportRequest.objects.count() == 5
    # Another user is not limited by this one.
    other_user: Any = UserFactory()
    other = Client()
    other.force_login(other_user)
    data = _form(household, account="", message="hello")
    assert other.post(URL, data).status_code == 302


@pytest.mark.django_db
def test_without_javascript_refresh_switches_the_account_and_keeps_the_message(
    client_in: Client, household: dict[str, Any]
) -> None:
    data = _form(household, account=str(household["second"].public_id), refresh="1")
    html = client_in.post(URL, data).content.decode()
    assert SupportRequest.objects.count() == 0
    assert "Contacts for account 5200087731" in html
    assert 'value="(415) 555-0100"' in html
    assert "Where can I send my payment?" in html


@pytest.mark.django_db
def test_hundreds_of_accounts_cost_no_more_queries_and_are_not_listed_twice(
    client_in: Client, household: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    from accounts.models import AccountGrant
    from billing.models import BillingAccount

    company = household["first"].company
    accounts = BillingAccount.objects.bulk_create(
        BillingAccountFactory.build(company=company, team=household["team_a"]) for _ in range(300)
    )
    AccountGrant.objects.bulk_create(
        AccountGrant(user=household["user"], account=a) for a in accounts
    )
    with django_assert_max_num_queries(20):
        response = client_in.get(URL, headers=HX)
    html = response.content.decode()
    account_select, reference_select = html.split('id="id_reference_to"')
    assert account_select.count("<option") == 303  # General Inquiry + 302 accounts
    # In Reference To does not repeat hundreds of account numbers.
    assert reference_select.count('value="account:') == 0
