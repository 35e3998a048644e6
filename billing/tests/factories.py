from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import factory

from billing.models import (
    BillingAccount,
    BillingRepresentative,
    Company,
    Invoice,
    LineOfBusiness,
    Payment,
    Policy,
    ServiceHours,
    ServiceTeam,
    TeamAddress,
    TeamPhone,
)


class ServiceTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTeam

    name = factory.Sequence(lambda n: f"Billing Team {n}")
    mailbox = factory.Sequence(lambda n: f"team{n}@insurer.example")
    time_zone = "America/New_York"


class ServiceHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHours

    team = factory.SubFactory(ServiceTeamFactory)
    weekday = 0
    opens = time(8)
    closes = time(17)


class TeamPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamPhone

    team = factory.SubFactory(ServiceTeamFactory)
    label = TeamPhone.Label.BILLING
    number = "+18005550142"


class TeamAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamAddress

    team = factory.SubFactory(ServiceTeamFactory)
    label = TeamAddress.Label.PAYMENT_MAILING
    line1 = "PO Box 6480"
    city = "Carol Stream"
    state = "IL"
    postal_code = "60197"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Insurance Company {n}")
    code = factory.Sequence(lambda n: f"co{n}")
    payable_to = factory.LazyAttribute(lambda o: o.name)


class BillingRepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingRepresentative

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"rep{n}@insurer.example")
    team = factory.SubFactory(ServiceTeamFactory)


class BillingAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingAccount

    number = factory.Sequence(lambda n: f"9{n:09d}")
    company = factory.SubFactory(CompanyFactory)
    insured_name = factory.Faker("company")
    address_line1 = "1 Main Street"
    city = "Columbus"
    state = "OH"
    postal_code = "43215"
    phone = "+16145550101"
    team = factory.SubFactory(ServiceTeamFactory)


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    account = factory.SubFactory(BillingAccountFactory)
    number = factory.Sequence(lambda n: f"PA-{n:08d}")
    line_of_business = LineOfBusiness.PERSONAL_AUTO
    effective_date = date(2026, 1, 1)
    expiration_date = date(2027, 1, 1)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    account = factory.SubFactory(BillingAccountFactory)
    number = factory.Sequence(lambda n: f"INV-{n:08d}")
    due_date = date(2026, 12, 15)
    bill_date = factory.LazyAttribute(lambda o: o.due_date - timedelta(days=21))
    amount = Decimal("100.00")
    amount_paid = Decimal("0.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    account = factory.SubFactory(BillingAccountFactory)
    received_on = date(2026, 11, 1)
    amount = Decimal("100.00")
    method = Payment.Method.ACH
    reference = factory.Sequence(lambda n: f"PMT-{n:06d}")
