"""Payment Options: how to pay one account, or each company's accounts in general.

Everything shown comes from admin data: the company (payable to, online payment
address) and its service team (pay-by-phone number and hours, payment mailing and
overnight addresses). Templates only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from django.conf import settings

from .contacts import (
    ContactDirectory,
    contact_directory_for_account,
    contact_directory_for_companies,
)
from .hours import HoursStatus
from .models import BillingAccount, Company, TeamAddress, TeamPhone


def payment_url_build(*, company: Company | None, account_number: str = "") -> str:
    """The insurer's online payment address for an account: the company's template, else
    the PAYMENT_URL_TEMPLATE setting, with ``{account}`` replaced by the URL-encoded
    account number (left empty for "in general"). Anything but an http(s) address is
    refused (returns ""), so a mistyped admin entry never becomes a javascript: link."""
    template = (company.payment_url_template if company else "") or settings.PAYMENT_URL_TEMPLATE
    url = template.replace("{account}", quote(account_number, safe=""))
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return url


@dataclass(frozen=True)
class PaymentOptions:
    """How to pay: for one account (``account`` set) or one company in general."""

    company: Company | None
    account: BillingAccount | None
    contacts: ContactDirectory
    pay_online_url: str
    hours_status: HoursStatus | None

    @property
    def payable_to(self) -> str:
        return self.company.payable_to if self.company else ""

    @property
    def pay_by_phone(self) -> TeamPhone | None:
        return self.contacts.pay_by_phone

    @property
    def mailing_address(self) -> TeamAddress | None:
        return self.contacts.address(TeamAddress.Label.PAYMENT_MAILING)

    @property
    def overnight_address(self) -> TeamAddress | None:
        return self.contacts.address(TeamAddress.Label.OVERNIGHT)

    @property
    def cheque_memo(self) -> str:
        """What to write on the cheque so the payment finds its account."""
        return self.account.number if self.account else ""


def payment_options_for_account(*, account: BillingAccount, now: datetime) -> PaymentOptions:
    """``account`` must come from a grant-checked selector."""
    contacts = contact_directory_for_account(account=account)
    return PaymentOptions(
        company=account.company,
        account=account,
        contacts=contacts,
        pay_online_url=payment_url_build(company=account.company, account_number=account.number),
        hours_status=contacts.status(now=now),
    )


def payment_options_general(*, companies: list[Company], now: datetime) -> list[PaymentOptions]:
    """One block per company that bills the user (from ``company_granted_list``)."""
    return [
        PaymentOptions(
            company=contacts.company,
            account=None,
            contacts=contacts,
            pay_online_url=payment_url_build(company=contacts.company),
            hours_status=contacts.status(now=now),
        )
        for contacts in contact_directory_for_companies(companies=companies)
    ]
