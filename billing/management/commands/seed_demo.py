"""Demo data: companies, service teams, representatives, and the demo sign-ins.

Safe to run any number of times: reference data is updated in place, accounts are
created once (by number), and balances are recomputed for today.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountGrant, User
from accounts.roles import BILLING_SUPERVISORS, roles_sync
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
from billing.services import billing_account_refresh_balances

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - documented demo password
FLEET_SIZE = 2500
FLEET_PREFIX = "71"

COMPANIES = [
    ("American Insurance Group", "aig", "American Insurance Group"),
    ("Keystone Mutual Insurance Company", "keystone", "Keystone Mutual Insurance Co."),
    ("Harbor Casualty Company", "harbor", "Harbor Casualty Company"),
]

TEAMS: list[dict[str, Any]] = [
    {
        "name": "Personal Lines Billing",
        "company": "aig",
        "mailbox": "personal.billing@aig-insurance.example",
        "time_zone": "America/New_York",
        "hours": {d: [(time(8), time(20))] for d in range(5)} | {5: [(time(9), time(13))]},
        "phones": [
            ("billing", "+1 800 555 0142"),
            ("toll_free", "+1 888 555 0176"),
            ("pay_by_phone", "+1 800 555 0188"),
            ("fax", "+1 860 555 0199"),
        ],
        "addresses": [
            (
                "payment_mailing",
                "Payment Processing Center",
                "PO Box 6480",
                "",
                "Carol Stream",
                "IL",
                "60197-6480",
            ),
            (
                "overnight",
                "Attn: Remittance Processing, Lockbox 6480",
                "1200 Lakeview Court",
                "Suite 300",
                "Carol Stream",
                "IL",
                "60188",
            ),
            (
                "correspondence",
                "Personal Lines Billing",
                "One Constitution Plaza",
                "",
                "Hartford",
                "CT",
                "06103",
            ),
        ],
    },
    {
        "name": "Commercial Billing Services",
        "company": "keystone",
        "mailbox": "commercial.billing@keystone-mutual.example",
        "time_zone": "America/Chicago",
        "hours": {d: [(time(7, 30), time(18))] for d in range(5)},
        "phones": [
            ("billing", "+1 312 555 0123"),
            ("toll_free", "+1 877 555 0134"),
            ("fax", "+1 312 555 0145"),
        ],
        "addresses": [
            (
                "payment_mailing",
                "Keystone Mutual Premium Receipts",
                "PO Box 95210",
                "",
                "Chicago",
                "IL",
                "60694-5210",
            ),
            (
                "overnight",
                "Attn: Lockbox 95210",
                "540 West Madison Street",
                "4th Floor",
                "Chicago",
                "IL",
                "60661",
            ),
            (
                "correspondence",
                "Commercial Billing Services",
                "200 East Randolph Street",
                "Suite 2100",
                "Chicago",
                "IL",
                "60601",
            ),
        ],
    },
    {
        "name": "Western Region Billing",
        "company": "harbor",
        "mailbox": "west.billing@harbor-casualty.example",
        "time_zone": "America/Los_Angeles",
        "hours": {d: [(time(8), time(17))] for d in range(5)},
        "phones": [
            ("billing", "+1 415 555 0161"),
            ("toll_free", "+1 866 555 0117"),
            ("fax", "+1 415 555 0172"),
        ],
        "addresses": [
            (
                "payment_mailing",
                "Harbor Casualty Payments",
                "PO Box 742310",
                "",
                "Los Angeles",
                "CA",
                "90074-2310",
            ),
            (
                "overnight",
                "Attn: Wholesale Lockbox 742310",
                "2706 Media Center Drive",
                "",
                "Los Angeles",
                "CA",
                "90065",
            ),
            (
                "correspondence",
                "Western Region Billing",
                "101 California Street",
                "Suite 1800",
                "San Francisco",
                "CA",
                "94111",
            ),
        ],
    },
]

REPRESENTATIVES = [
    (
        "Dana Whitfield",
        "dana.whitfield@aig-insurance.example",
        "+1 800 555 0143",
        "Personal Lines Billing",
    ),
    (
        "Priya Raman",
        "priya.raman@aig-insurance.example",
        "+1 800 555 0147",
        "Personal Lines Billing",
    ),
    (
        "Marcus Boyd",
        "marcus.boyd@keystone-mutual.example",
        "+1 312 555 0126",
        "Commercial Billing Services",
    ),
    (
        "Elena Kowalski",
        "elena.kowalski@keystone-mutual.example",
        "+1 312 555 0128",
        "Commercial Billing Services",
    ),
    (
        "Miguel Santos",
        "miguel.santos@harbor-casualty.example",
        "+1 415 555 0164",
        "Western Region Billing",
    ),
]

CITIES = [
    ("Columbus", "OH", "43215"),
    ("Indianapolis", "IN", "46204"),
    ("Nashville", "TN", "37203"),
    ("Dallas", "TX", "75201"),
    ("Phoenix", "AZ", "85004"),
    ("Denver", "CO", "80202"),
    ("Atlanta", "GA", "30303"),
    ("Charlotte", "NC", "28202"),
    ("Kansas City", "MO", "64106"),
    ("Sacramento", "CA", "95814"),
    ("Portland", "OR", "97204"),
    ("Harrisburg", "PA", "17101"),
]
COMMERCIAL_LINES = [
    LineOfBusiness.COMMERCIAL_AUTO,
    LineOfBusiness.GENERAL_LIABILITY,
    LineOfBusiness.COMMERCIAL_PROPERTY,
    LineOfBusiness.WORKERS_COMP,
    LineOfBusiness.INLAND_MARINE,
]


class Command(BaseCommand):
    help = "Create or refresh the demo companies, service teams, accounts and sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        with transaction.atomic():
            roles_sync()
            companies = self._companies()
            teams = self._teams(companies)
            reps = self._representatives(teams)
            household = self._household(today, companies, teams, reps)
            fleet = self._fleet(today, companies, teams, reps)
            self._supervisor()
            billing_account_refresh_balances(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: insured@example.com ({household} accounts), "
                f"fleet@example.com ({fleet} accounts), billing@example.com (staff admin). "
                f"Password for all: {DEMO_PASSWORD}"
            )
        )

    # --- reference data -----------------------------------------------------------
    def _companies(self) -> dict[str, Company]:
        result = {}
        for name, code, payable_to in COMPANIES:
            company, _ = Company.objects.update_or_create(
                code=code, defaults={"name": name, "payable_to": payable_to}
            )
            result[code] = company
        return result

    def _teams(self, companies: dict[str, Company]) -> dict[str, ServiceTeam]:
        result = {}
        for spec in TEAMS:
            team, _ = ServiceTeam.objects.update_or_create(
                name=spec["name"],
                defaults={
                    "company": companies[spec["company"]],
                    "mailbox": spec["mailbox"],
                    "time_zone": spec["time_zone"],
                },
            )
            team.hours.all().delete()
            ServiceHours.objects.bulk_create(
                ServiceHours(team=team, weekday=day, opens=opens, closes=closes)
                for day, slots in spec["hours"].items()
                for opens, closes in slots
            )
            team.phones.all().delete()
            TeamPhone.objects.bulk_create(
                TeamPhone(team=team, label=label, number=number, position=i)
                for i, (label, number) in enumerate(spec["phones"])
            )
            team.addresses.all().delete()
            TeamAddress.objects.bulk_create(
                TeamAddress(
                    team=team,
                    label=label,
                    attention=attn,
                    line1=l1,
                    line2=l2,
                    city=city,
                    state=state,
                    postal_code=zip_,
                    position=i,
                )
                for i, (label, attn, l1, l2, city, state, zip_) in enumerate(spec["addresses"])
            )
            company = companies[spec["company"]]
            company.general_team = team
            company.save(update_fields=["general_team", "updated_at"])
            result[spec["name"]] = team
        return result

    def _representatives(self, teams: dict[str, ServiceTeam]) -> dict[str, BillingRepresentative]:
        result = {}
        for name, email, phone, team_name in REPRESENTATIVES:
            rep, _ = BillingRepresentative.objects.update_or_create(
                email=email, defaults={"name": name, "phone": phone, "team": teams[team_name]}
            )
            result[name] = rep
        return result

    def _user(self, email: str, full_name: str, phone: str = "", **extra: Any) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=full_name, phone=phone, **extra
            )
        return user

    def _supervisor(self) -> None:
        user = self._user("billing@example.com", "Morgan Ellis", is_staff=True)
        user.groups.add(Group.objects.get(name=BILLING_SUPERVISORS))

    # --- the household insured ----------------------------------------------------
    def _household(
        self,
        today: date,
        companies: dict[str, Company],
        teams: dict[str, ServiceTeam],
        reps: dict[str, BillingRepresentative],
    ) -> int:
        user = self._user("insured@example.com", "Jordan Avery", "+1 614 555 0110")
        address = {
            "address_line1": "418 Maple Grove Lane",
            "city": "Columbus",
            "state": "OH",
            "postal_code": "43215",
        }
        specs: list[dict[str, Any]] = [
            # Past due: last month's installment is unpaid, the next one is coming.
            {
                "number": "4000012345",
                "company": companies["aig"],
                "team": teams["Personal Lines Billing"],
                "representative": reps["Dana Whitfield"],
                "payment_plan": BillingAccount.PaymentPlan.MONTHLY,
                "phone": "+1 614 555 0110",
                "policies": [
                    ("PA-2026-118204", LineOfBusiness.PERSONAL_AUTO),
                    ("HO-2026-553017", LineOfBusiness.HOMEOWNERS),
                ],
                "invoices": [
                    (-75, Decimal("412.50"), Decimal("412.50")),
                    (-45, Decimal("412.50"), Decimal("412.50")),
                    (-18, Decimal("412.50"), Decimal("0.00")),
                    (12, Decimal("412.50"), Decimal("0.00")),
                ],
                "payments": [
                    (-76, Decimal("412.50"), Payment.Method.CARD, Payment.Status.POSTED),
                    (-44, Decimal("412.50"), Payment.Method.ACH, Payment.Status.POSTED),
                ],
            },
            # Due within two weeks; a payment is pending.
            {
                "number": "5200087731",
                "company": companies["harbor"],
                "team": teams["Western Region Billing"],
                "representative": reps["Miguel Santos"],
                "payment_plan": BillingAccount.PaymentPlan.QUARTERLY,
                "phone": "+1 614 555 0111",
                "paperless": True,
                "policies": [("UMB-2026-20931", LineOfBusiness.UMBRELLA)],
                "invoices": [
                    (-80, Decimal("1286.00"), Decimal("1286.00")),
                    (9, Decimal("1286.00"), Decimal("0.00")),
                ],
                "payments": [
                    (-82, Decimal("1286.00"), Payment.Method.CHECK, Payment.Status.POSTED),
                    (-1, Decimal("500.00"), Payment.Method.ACH, Payment.Status.PENDING),
                ],
            },
            # Nothing due: paid in full, on autopay and paperless.
            {
                "number": "4000019876",
                "company": companies["aig"],
                "team": teams["Personal Lines Billing"],
                "representative": reps["Priya Raman"],
                "payment_plan": BillingAccount.PaymentPlan.FULL,
                "phone": "+1 614 555 0110",
                "autopay": True,
                "paperless": True,
                "policies": [("HO-2026-553018", LineOfBusiness.HOMEOWNERS)],
                "invoices": [(-40, Decimal("2140.00"), Decimal("2140.00"))],
                "payments": [
                    (-41, Decimal("2140.00"), Payment.Method.AUTOPAY, Payment.Status.POSTED)
                ],
            },
        ]
        for spec in specs:
            account = BillingAccount.objects.filter(number=spec["number"]).first()
            if account is None:
                account = BillingAccount.objects.create(
                    number=spec["number"],
                    company=spec["company"],
                    insured_name="Jordan Avery",
                    team=spec["team"],
                    representative=spec["representative"],
                    payment_plan=spec["payment_plan"],
                    phone=spec["phone"],
                    autopay=spec.get("autopay", False),
                    paperless=spec.get("paperless", False),
                    **address,
                )
                for number, lob in spec["policies"]:
                    Policy.objects.create(
                        account=account,
                        number=number,
                        line_of_business=lob,
                        effective_date=today - timedelta(days=120),
                        expiration_date=today - timedelta(days=120) + timedelta(days=365),
                    )
                for i, (due_in, amount, paid) in enumerate(spec["invoices"], start=1):
                    due = today + timedelta(days=due_in)
                    Invoice.objects.create(
                        account=account,
                        number=f"INV-{spec['number']}-{i:02d}",
                        bill_date=due - timedelta(days=21),
                        due_date=due,
                        amount=amount,
                        amount_paid=paid,
                        status=Invoice.Status.PAID if paid == amount else Invoice.Status.OPEN,
                    )
                for j, (days, amount, method, status) in enumerate(spec["payments"], start=1):
                    Payment.objects.create(
                        account=account,
                        received_on=today + timedelta(days=days),
                        amount=amount,
                        method=method,
                        status=status,
                        reference=f"PMT-{spec['number'][-4:]}-{j:03d}",
                    )
            AccountGrant.objects.get_or_create(user=user, account=account)
        return len(specs)

    # --- the commercial insured ---------------------------------------------------
    def _fleet(
        self,
        today: date,
        companies: dict[str, Company],
        teams: dict[str, ServiceTeam],
        reps: dict[str, BillingRepresentative],
    ) -> int:
        user = self._user("fleet@example.com", "Riley Chen", "+1 614 555 0190")
        numbers = [f"{FLEET_PREFIX}{n:08d}" for n in range(1, FLEET_SIZE + 1)]
        existing = set(
            BillingAccount.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        rng = random.Random(2026)  # the same demo data on every machine
        company_list = list(companies.values())
        rep_by_team: dict[int, list[BillingRepresentative]] = {}
        for rep in reps.values():
            rep_by_team.setdefault(rep.team_id, []).append(rep)
        new_accounts = []
        plans: dict[str, dict[str, Any]] = {}
        for i, number in enumerate(numbers, start=1):
            company = rng.choice(company_list)
            team = company.general_team
            team_reps = rep_by_team.get(team.pk, []) if team else []
            city, state, zip_ = rng.choice(CITIES)
            kind = rng.random()
            plans[number] = {
                "kind": kind,
                "lines": rng.sample(COMMERCIAL_LINES, rng.randint(1, 2)),
                "amount": Decimal(rng.randint(15000, 2500000)) / 100,
                "due_in": rng.randint(-40, 75),
            }
            if number in existing:
                continue
            new_accounts.append(
                BillingAccount(
                    number=number,
                    company=company,
                    insured_name=f"Atlas Freight Lines – Terminal {i:04d} ({city}, {state})",
                    address_line1=f"{rng.randint(100, 9800)} Commerce Parkway",
                    city=city,
                    state=state,
                    postal_code=zip_,
                    phone=f"+1 614 555 {rng.randint(100, 199):04d}",
                    # One in five accounts has no representative: routing falls back to rules.
                    team=team,
                    representative=rng.choice(team_reps) if team_reps and kind > 0.2 else None,
                    autopay=rng.random() < 0.35,
                    paperless=rng.random() < 0.6,
                    payment_plan=rng.choice(list(BillingAccount.PaymentPlan.values)),
                )
            )
        BillingAccount.objects.bulk_create(new_accounts, batch_size=500)
        created = {
            a.number: a
            for a in BillingAccount.objects.filter(number__in=[a.number for a in new_accounts])
        }
        policies, invoices, payments = [], [], []
        for number, account in created.items():
            plan = plans[number]
            for k, lob in enumerate(plan["lines"], start=1):
                start = today - timedelta(days=rng.randint(10, 300))
                policies.append(
                    Policy(
                        account=account,
                        number=f"{lob.value[:2].upper()}-{number}-{k}",
                        line_of_business=lob,
                        effective_date=start,
                        expiration_date=start + timedelta(days=365),
                    )
                )
            due = today + timedelta(days=plan["due_in"])
            amount = plan["amount"]
            # About a fifth past due, a fifth paid up, the rest with something coming due.
            paid = amount if plan["kind"] > 0.8 else Decimal("0.00")
            if plan["kind"] < 0.2:
                due = today - timedelta(days=rng.randint(1, 40))
            invoices.append(
                Invoice(
                    account=account,
                    number=f"INV-{number}-01",
                    bill_date=due - timedelta(days=21),
                    due_date=due,
                    amount=amount,
                    amount_paid=paid,
                    status=Invoice.Status.PAID if paid else Invoice.Status.OPEN,
                )
            )
            invoices.append(
                Invoice(
                    account=account,
                    number=f"INV-{number}-00",
                    bill_date=due - timedelta(days=51),
                    due_date=due - timedelta(days=30),
                    amount=amount,
                    amount_paid=amount,
                    status=Invoice.Status.PAID,
                )
            )
            payments.append(
                Payment(
                    account=account,
                    received_on=due - timedelta(days=31),
                    amount=amount,
                    method=rng.choice(
                        [Payment.Method.ACH, Payment.Method.WIRE, Payment.Method.CHECK]
                    ),
                    reference=f"PMT-{number}-01",
                    status=Payment.Status.POSTED,
                )
            )
        Policy.objects.bulk_create(policies, batch_size=1000)
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        Payment.objects.bulk_create(payments, batch_size=1000)
        granted = set(
            AccountGrant.objects.filter(user=user).values_list("account__number", flat=True)
        )
        AccountGrant.objects.bulk_create(
            [
                AccountGrant(user=user, account_id=pk)
                for number, pk in BillingAccount.objects.filter(number__in=numbers).values_list(
                    "number", "pk"
                )
                if number not in granted
            ],
            batch_size=1000,
        )
        return len(numbers)
