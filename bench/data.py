"""Benchmark data: insureds with 1,000, 10,000 and 100,000 billing accounts, in one
database, with policies, invoices and balances shaped like the demo fleet's."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import AccountGrant, User
from billing.models import (
    BillingAccount,
    Company,
    Invoice,
    LineOfBusiness,
    Policy,
    ServiceTeam,
)

SIZES = (1_000, 10_000, 100_000)
LINES = [
    LineOfBusiness.COMMERCIAL_AUTO,
    LineOfBusiness.GENERAL_LIABILITY,
    LineOfBusiness.COMMERCIAL_PROPERTY,
    LineOfBusiness.WORKERS_COMP,
    LineOfBusiness.INLAND_MARINE,
]
BATCH = 5_000


def bench_email(size: int) -> str:
    return f"bench-{size}@example.com"


def number_prefix(size: int) -> str:
    # 6 + the number of digits of the size: 1,000 -> "64", 100,000 -> "66"; never a
    # demo ("71", "4", "5") or factory ("9") number.
    return f"6{len(str(size))}"


def _reference() -> tuple[list[Company], ServiceTeam]:
    team, _ = ServiceTeam.objects.get_or_create(
        name="Bench Billing Team", defaults={"mailbox": "bench.billing@insurer.example"}
    )
    companies = []
    for code, name in (("bench-a", "Bench Mutual A"), ("bench-b", "Bench Casualty B")):
        company, _ = Company.objects.get_or_create(
            code=code, defaults={"name": name, "payable_to": name, "general_team": team}
        )
        companies.append(company)
    return companies, team


def insured_ensure(*, size: int, today: date) -> User:
    """The insured with ``size`` accounts; created once, reused by later runs."""
    user, _ = User.objects.get_or_create(
        email=bench_email(size), defaults={"full_name": f"Bench Insured {size}"}
    )
    have = AccountGrant.objects.filter(user=user).count()
    if have == size:
        return user
    if have:
        raise SystemExit(f"{user.email} has {have} accounts, not {size}: drop the database.")
    started = time.perf_counter()
    rng = random.Random(size)
    companies, team = _reference()
    prefix = number_prefix(size)
    for start in range(0, size, BATCH):
        with transaction.atomic():
            accounts = []
            for i in range(start, min(start + BATCH, size)):
                kind = rng.random()
                amount = Decimal(rng.randint(15_000, 2_500_000)) / 100
                past = amount if kind < 0.2 else Decimal("0.00")
                current = Decimal("0.00") if kind < 0.2 or kind > 0.8 else amount
                due = today + timedelta(
                    days=rng.randint(-40, -1) if kind < 0.2 else rng.randint(0, 75)
                )
                accounts.append(
                    BillingAccount(
                        number=f"{prefix}{i:08d}",
                        company=companies[i % 2],
                        insured_name=f"Bench Freight {size} – Terminal {i:06d}",
                        address_line1="1 Bench Way",
                        city="Columbus",
                        state="OH",
                        postal_code="43215",
                        team=team,
                        autopay=rng.random() < 0.35,
                        past_due=past,
                        current_due=current,
                        total_due=past + current,
                        next_due_date=None if kind > 0.8 else due,
                    )
                )
            created = BillingAccount.objects.bulk_create(accounts)
            if not created or created[0].pk is None:  # SQLite before RETURNING support
                created = list(
                    BillingAccount.objects.filter(number__in=[a.number for a in accounts]).order_by(
                        "number"
                    )
                )
            policies, invoices = [], []
            for account in created:
                for k, lob in enumerate(rng.sample(LINES, rng.randint(1, 2)), start=1):
                    policies.append(
                        Policy(
                            account=account,
                            number=f"{lob.value[:2].upper()}-{account.number}-{k}",
                            line_of_business=lob,
                            effective_date=today - timedelta(days=100),
                            expiration_date=today + timedelta(days=265),
                        )
                    )
                due = account.next_due_date or today - timedelta(days=10)
                for j, offset in enumerate((30, 0)):
                    invoices.append(
                        Invoice(
                            account=account,
                            number=f"INV-{account.number}-{j:02d}",
                            bill_date=due - timedelta(days=offset + 21),
                            due_date=due - timedelta(days=offset),
                            amount=account.total_due or Decimal("100.00"),
                            amount_paid=Decimal("0.00")
                            if j and account.total_due
                            else (account.total_due or Decimal("100.00")),
                        )
                    )
            Policy.objects.bulk_create(policies)
            Invoice.objects.bulk_create(invoices)
            AccountGrant.objects.bulk_create(
                [AccountGrant(user=user, account=account) for account in created]
            )
    print(f"  created {size:,} accounts for {user.email} in {time.perf_counter() - started:.1f}s")
    return user
