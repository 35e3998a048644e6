"""Payment Options: modal and page, for one account or in general, from admin data."""

from __future__ import annotations

import re
import uuid
from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.contacts import contact_directory_for_account
from billing.models import BillingAccount, Company, ServiceTeam, TeamAddress, TeamPhone
from billing.payment_options import payment_url_build
from billing.tests.factories import (
    BillingAccountFactory,
    BillingRepresentativeFactory,
    CompanyFactory,
    ServiceHoursFactory,
    ServiceTeamFactory,
    TeamAddressFactory,
    TeamPhoneFactory,
)

pytestmark = pytest.mark.django_db

URL = "/billing/payment-options/"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def team() -> ServiceTeam:
    team = ServiceTeamFactory.create(name="Personal Lines Billing", mailbox="pl@insurer.example")
    for day in range(5):
        ServiceHoursFactory.create(team=team, weekday=day, opens=time(8), closes=time(20))
    TeamPhoneFactory.create(team=team, label=TeamPhone.Label.BILLING, number="+18005550142")
    TeamPhoneFactory.create(team=team, label=TeamPhone.Label.PAY_BY_PHONE, number="+18005550188")
    TeamAddressFactory.create(
        team=team,
        label=TeamAddress.Label.PAYMENT_MAILING,
        attention="Payment Processing Center",
        line1="PO Box 6480",
        city="Carol Stream",
        state="IL",
        postal_code="60197-6480",
    )
    TeamAddressFactory.create(
        team=team,
        label=TeamAddress.Label.OVERNIGHT,
        attention="Attn: Lockbox 6480",
        line1="1200 Lakeview Court",
        city="Carol Stream",
        state="IL",
        postal_code="60188",
    )
    return team


@pytest.fixture
def company(team: ServiceTeam) -> Company:
    company = CompanyFactory.create(
        name="American Insurance Group",
        payable_to="American Insurance Group Payments",
        payment_url_template="https://pay.aig.example/p?acct={account}&src=portal",
        general_team=team,
    )
    return company


@pytest.fixture
def user() -> User:
    return UserFactory.create()


@pytest.fixture
def account(user: User, company: Company, team: ServiceTeam) -> BillingAccount:
    account = BillingAccountFactory.create(
        number="4000012345", company=company, team=team, autopay=True
    )
    AccountGrantFactory.create(user=user, account=account)
    return account


@pytest.fixture
def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def options_url(account: BillingAccount) -> str:
    return f"{URL}?account={account.public_id}"


def test_htmx_gets_the_modal_partial_with_title_and_close_button(
    signed_in: Client, account: BillingAccount
) -> None:
    response = signed_in.get(options_url(account), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert re.search(r'<h2 id="modal-title">Payment Options</h2>', html)
    assert re.search(r"<button[^>]*data-modal-close", html)
    assert "HX-Request" in response["Vary"]


def test_without_htmx_the_same_content_is_a_full_page(
    signed_in: Client, account: BillingAccount
) -> None:
    page = signed_in.get(options_url(account)).content.decode()
    modal = signed_in.get(options_url(account), headers={"HX-Request": "true"}).content.decode()
    assert "<html" in page and "<h1>Payment Options</h1>" in page
    assert "data-modal-close" not in page
    for needle in ("PO Box 6480", "tel:+18005550188", "American Insurance Group Payments"):
        assert needle in page and needle in modal


def test_shows_every_way_to_pay_from_the_admin_data(
    signed_in: Client, account: BillingAccount
) -> None:
    html = signed_in.get(options_url(account)).content.decode()
    page = text_of(html)
    assert 'href="https://pay.aig.example/p?acct=4000012345&amp;src=portal"' in html
    # Pay by phone: the pay-by-phone number (not the billing one) with its hours and zone.
    assert 'href="tel:+18005550188"' in html
    assert "(800) 555-0188" in page
    assert "Monday–Friday 8:00 AM–8:00 PM" in page
    assert "Saturday–Sunday Closed" in page
    assert "(America/New_York)" in page
    # Pay by mail: payable to, what to write on the cheque, the mailing address.
    assert "Make your check payable to American Insurance Group Payments" in page
    assert "Write on your check Billing account number 4000012345" in page
    assert "Payment Processing Center PO Box 6480 Carol Stream, IL 60197-6480" in page
    # Overnight delivery.
    assert "Attn: Lockbox 6480 1200 Lakeview Court Carol Stream, IL 60188" in page
    # Automatic payments and paperless: status for this account.
    assert re.search(r"Automatic payments On this account: On", page)
    assert re.search(r"Paperless billing On this account: Off", page)


def test_a_changed_team_address_shows_at_once(
    signed_in: Client, account: BillingAccount, team: ServiceTeam
) -> None:
    address = team.addresses.get(label=TeamAddress.Label.PAYMENT_MAILING)
    address.line1 = "PO Box 99001"
    address.postal_code = "60197-9001"
    address.save()
    page = text_of(signed_in.get(options_url(account)).content.decode())
    assert "PO Box 99001 Carol Stream, IL 60197-9001" in page
    assert "PO Box 6480 " not in page


def test_a_changed_phone_and_payable_to_show_at_once(
    signed_in: Client, account: BillingAccount, team: ServiceTeam, company: Company
) -> None:
    team.phones.filter(label=TeamPhone.Label.PAY_BY_PHONE).update(number="+13125550123")
    company.payable_to = "AIG Premium Receipts"
    company.save()
    html = signed_in.get(options_url(account)).content.decode()
    assert 'href="tel:+13125550123"' in html
    assert "AIG Premium Receipts" in html


def test_without_a_pay_by_phone_number_the_billing_number_is_offered(
    signed_in: Client, account: BillingAccount, team: ServiceTeam
) -> None:
    team.phones.filter(label=TeamPhone.Label.PAY_BY_PHONE).delete()
    assert 'href="tel:+18005550142"' in signed_in.get(options_url(account)).content.decode()


def test_enrolment_requests_reach_billing_staff(signed_in: Client, account: BillingAccount) -> None:
    html = signed_in.get(options_url(account)).content.decode()
    support = reverse("support:email_us")
    assert f"{support}?account={account.public_id}&amp;topic=autopay" in html
    assert f"{support}?account={account.public_id}&amp;topic=paperless" in html
    assert "Ask about automatic payments" in html  # the account is on autopay
    assert "Ask to enroll in paperless billing" in html


@pytest.mark.parametrize(
    "query",
    [
        lambda other: f"?account={other.public_id}",
        lambda o: f"?account={uuid.uuid4()}",
        lambda o: "?account=4000012345",
        lambda o: "?account=%27;--",
    ],
    ids=["other-users", "nonexistent", "account-number", "garbage"],
)
def test_foreign_missing_or_malformed_accounts_answer_404(
    signed_in: Client, account: BillingAccount, query
) -> None:  # type: ignore[no-untyped-def]
    other = AccountGrantFactory.create().account
    response = signed_in.get(URL + query(other))
    assert response.status_code == 404
    assert other.number not in response.content.decode()


def test_in_general_there_is_one_block_per_company_of_the_users_accounts(
    signed_in: Client, user: User, account: BillingAccount
) -> None:
    harbor_team = ServiceTeamFactory.create(name="Western Region Billing")
    TeamAddressFactory.create(
        team=harbor_team, line1="PO Box 742310", city="Los Angeles", state="CA"
    )
    harbor = CompanyFactory.create(name="Harbor Casualty Company", general_team=harbor_team)
    AccountGrantFactory.create(user=user, account=BillingAccountFactory.create(company=harbor))
    AccountGrantFactory.create(user=user, account=BillingAccountFactory.create(company=harbor))
    CompanyFactory.create(name="Not Your Insurer")  # bills none of the user's accounts

    html = signed_in.get(URL).content.decode()
    page = text_of(html)
    assert page.count("Pay by mail") == 2
    assert "American Insurance Group" in page and "Harbor Casualty Company" in page
    assert "Not Your Insurer" not in page
    assert "PO Box 742310" in page and "PO Box 6480" in page
    assert "Write on your check Your billing account number" in page
    # The online link without an account number.
    assert 'href="https://pay.aig.example/p?acct=&amp;src=portal"' in html
    # A household can jump to one account's options.
    assert f"{URL}?account={account.public_id}" in html


def test_in_general_with_no_accounts_says_so(signed_in: Client) -> None:
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "no billing accounts on your sign-in" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize(
    ("template", "setting", "number", "expected"),
    [
        ("https://pay.example/a/{account}", "", "123", "https://pay.example/a/123"),
        ("", "https://fallback.example/?a={account}", "123", "https://fallback.example/?a=123"),
        ("https://pay.example/?a={account}", "", "12 3/&x", "https://pay.example/?a=12%203%2F%26x"),
        ("javascript:alert(1)//{account}", "", "1", ""),
        ("pay.example/{account}", "", "1", ""),
        ("https://pay.example/{other}/{account}", "", "1", "https://pay.example/{other}/1"),
    ],
)
def test_payment_url_build(settings, template, setting, number, expected) -> None:  # type: ignore[no-untyped-def]
    settings.PAYMENT_URL_TEMPLATE = setting
    company = Company(name="X", code="x", payable_to="X", payment_url_template=template)
    assert payment_url_build(company=company, account_number=number) == expected


def test_contact_directory_prefers_the_accounts_team_and_active_representative(
    account: BillingAccount, team: ServiceTeam, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    rep = BillingRepresentativeFactory.create(team=team)
    team.phones.update(position=1)
    TeamPhoneFactory.create(team=team, label=TeamPhone.Label.FAX, number="+18605550199", position=0)
    account.representative = rep
    account.save()
    account = BillingAccount.objects.select_related("company", "representative").get(pk=account.pk)
    with django_assert_max_num_queries(4):
        contacts = contact_directory_for_account(account=account)
        assert contacts.team == team
        assert contacts.representative == rep
        assert contacts.pay_by_phone is not None and contacts.pay_by_phone.label == "pay_by_phone"
        assert contacts.phones[0].label == TeamPhone.Label.FAX  # admin order
        assert [p.label for p in contacts.voice_phones][-1] == TeamPhone.Label.FAX
    rep.is_active = False
    rep.save()
    account.refresh_from_db()
    assert contact_directory_for_account(account=account).representative is None


def test_an_account_without_a_team_falls_back_to_the_companys_general_team(
    user: User, company: Company, team: ServiceTeam
) -> None:
    account = BillingAccountFactory.create(company=company, team=None)
    assert contact_directory_for_account(account=account).team == team


def test_an_account_already_on_autopay_is_offered_changes_not_enrolment(
    signed_in: Client, account: BillingAccount
) -> None:
    assert account.autopay and not account.paperless
    page = text_of(signed_in.get(options_url(account)).content.decode())
    assert "Ask about automatic payments" in page
    assert "Ask to enroll in automatic payments" not in page
    assert "Ask to enroll in paperless billing" in page


def test_general_options_queries_do_not_grow_with_accounts_or_companies(
    client: Client, team: ServiceTeam
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(accounts: int, companies: int) -> int:
        user = UserFactory.create()
        for i in range(companies):
            company = CompanyFactory.create(general_team=ServiceTeamFactory.create())
            TeamAddressFactory.create(team=company.general_team)
            ServiceHoursFactory.create(team=company.general_team)
            for _ in range(accounts // companies + (i < accounts % companies)):
                AccountGrantFactory.create(
                    user=user, account=BillingAccountFactory.create(company=company)
                )
        client.force_login(user)
        client.get(URL)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, headers={"HX-Request": "true"}).status_code == 200
        return len(captured)

    assert queries(2, 1) == queries(40, 3)
