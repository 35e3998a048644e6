from __future__ import annotations

import factory

from accounts.models import AccountGrant, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"insured{n}@example.com")
    full_name = factory.Faker("name")
    phone = "+16145550100"
    password = factory.django.Password(PASSWORD)


class AccountGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountGrant

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory("billing.tests.factories.BillingAccountFactory")
