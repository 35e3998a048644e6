"""The billing data model: who bills (companies, service teams, representatives), what
is billed (billing accounts, policies, invoices) and what was paid (payments).

Money is Decimal in DecimalField(max_digits=14, decimal_places=2). The balances kept on
a billing account are derived from its invoices by ``billing.services`` in one UPDATE,
never read-modify-write in Python.
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from phonenumber_field.modelfields import PhoneNumberField

ZERO = Decimal("0.00")


def money(verbose_name: str | None = None) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=ZERO)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone, e.g. America/Chicago.")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ServiceTeam(TimeStamped):
    """A billing service team: its mailbox, hours, phones and addresses are the contact
    directory shown in Billing Support and Payment Options."""

    name = models.CharField(max_length=120, unique=True)
    company = models.ForeignKey(
        "Company",
        on_delete=models.PROTECT,
        related_name="teams",
        null=True,
        blank=True,
        help_text="The company this team works for; empty for a team shared by the group.",
    )
    mailbox = models.EmailField(help_text="Team mailbox that support requests go to.")
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    response_time = models.CharField(
        max_length=120,
        default="within one business day",
        help_text="Shown to insureds after they send a request, e.g. “within one business day”.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ServiceHours(models.Model):
    """Opening hours of a team on one weekday (0 = Monday); a day without a row is closed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["team", "weekday", "opens"]
        verbose_name_plural = "service hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
            models.UniqueConstraint(fields=["team", "weekday", "opens"], name="hours_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def is_open_at(self, moment: time) -> bool:
        return self.opens <= moment < self.closes


class TeamPhone(models.Model):
    class Label(models.TextChoices):
        BILLING = "billing", "Billing"
        TOLL_FREE = "toll_free", "Toll-free"
        FAX = "fax", "Fax"
        PAY_BY_PHONE = "pay_by_phone", "Pay by phone"
        OTHER = "other", "Other"

    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, related_name="phones")
    label = models.CharField(max_length=20, choices=Label.choices, default=Label.BILLING)
    number = PhoneNumberField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.number}"


class TeamAddress(models.Model):
    class Label(models.TextChoices):
        PAYMENT_MAILING = "payment_mailing", "Payment mailing address"
        OVERNIGHT = "overnight", "Overnight payments"
        CORRESPONDENCE = "correspondence", "Correspondence"

    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=20, choices=Label.choices)
    attention = models.CharField(max_length=120, blank=True)
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "id"]
        verbose_name_plural = "team addresses"

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.line1}, {self.city}"

    @property
    def lines(self) -> list[str]:
        return [
            line
            for line in (
                self.attention,
                self.line1,
                self.line2,
                f"{self.city}, {self.state} {self.postal_code}",
            )
            if line
        ]


class Company(TimeStamped):
    """An insurer of the group; it bills under its own name."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)
    payable_to = models.CharField(
        max_length=160, help_text="Name to write on cheques (“Make payable to”)."
    )
    general_team = models.ForeignKey(
        ServiceTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The company's general billing contacts (used for General Inquiry).",
    )
    payment_url_template = models.CharField(
        max_length=300,
        blank=True,
        help_text="Online payment address; {account} is replaced by the billing account "
        "number. Empty uses the PAYMENT_URL_TEMPLATE setting.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class BillingRepresentative(TimeStamped):
    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True)
    phone = PhoneNumberField(blank=True)
    title = models.CharField(max_length=120, default="Billing Specialist")
    team = models.ForeignKey(ServiceTeam, on_delete=models.PROTECT, related_name="representatives")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LineOfBusiness(models.TextChoices):
    PERSONAL_AUTO = "personal_auto", "Personal Auto"
    HOMEOWNERS = "homeowners", "Homeowners"
    UMBRELLA = "umbrella", "Personal Umbrella"
    COMMERCIAL_AUTO = "commercial_auto", "Commercial Auto"
    GENERAL_LIABILITY = "general_liability", "General Liability"
    COMMERCIAL_PROPERTY = "commercial_property", "Commercial Property"
    WORKERS_COMP = "workers_comp", "Workers' Compensation"
    INLAND_MARINE = "inland_marine", "Inland Marine"


class BillingAccount(TimeStamped):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING_CANCELLATION = "pending_cancellation", "Pending cancellation"
        CANCELLED = "cancelled", "Cancelled"
        CLOSED = "closed", "Closed"

    class PaymentPlan(models.TextChoices):
        FULL = "full", "Paid in full"
        QUARTERLY = "quarterly", "Quarterly (4 installments)"
        MONTHLY = "monthly", "Monthly (10 installments)"
        MONTHLY_12 = "monthly_12", "Monthly (12 installments)"

    # Opaque identifier for URLs, so the account number never reaches logs and proxies.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("billing account number", max_length=20, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="accounts")
    insured_name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    phone = PhoneNumberField("phone on file", blank=True)
    team = models.ForeignKey(
        ServiceTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    representative = models.ForeignKey(
        BillingRepresentative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
    )
    autopay = models.BooleanField(default=False)
    paperless = models.BooleanField(default=False)
    payment_plan = models.CharField(
        max_length=20, choices=PaymentPlan.choices, default=PaymentPlan.FULL
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.ACTIVE)

    # Balances the summary needs, derived from invoices (billing.services).
    total_due = money()
    past_due = money()
    current_due = money()
    # Due date of the oldest unpaid invoice: in the past when the account is past due.
    next_due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_due=F("past_due") + F("current_due")),
                name="account_total_is_past_plus_current",
            ),
            models.CheckConstraint(condition=Q(past_due__gte=0), name="account_past_due_gte_0"),
            models.CheckConstraint(
                condition=Q(current_due__gte=0), name="account_current_due_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["total_due", "id"], name="account_total_due"),
            models.Index(fields=["next_due_date", "id"], name="account_next_due"),
            models.Index(fields=["insured_name"], name="account_insured_name"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_past_due(self) -> bool:
        return self.past_due > ZERO

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in (
                self.address_line1,
                self.address_line2,
                f"{self.city}, {self.state} {self.postal_code}",
            )
            if line
        ]


class Policy(TimeStamped):
    class Status(models.TextChoices):
        ACTIVE = "active", "In force"
        PENDING = "pending", "Pending"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="policies")
    number = models.CharField("policy number", max_length=30, unique=True)
    line_of_business = models.CharField(max_length=30, choices=LineOfBusiness.choices)
    effective_date = models.DateField()
    expiration_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["account", "number"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(expiration_date__gt=F("effective_date")),
                name="policy_term_positive",
            )
        ]
        indexes = [models.Index(fields=["line_of_business", "account"], name="policy_lob")]

    def __str__(self) -> str:
        return self.number


class Invoice(TimeStamped):
    """An invoice or installment on a billing account."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField("invoice number", max_length=30, unique=True)
    bill_date = models.DateField()
    due_date = models.DateField()
    amount = money()
    amount_paid = money()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["account", "due_date", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")),
                name="invoice_paid_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("bill_date")), name="invoice_due_after_bill"
            ),
        ]
        indexes = [models.Index(fields=["account", "due_date"], name="invoice_account_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        if self.status == self.Status.VOID:
            return ZERO
        return self.amount - self.amount_paid

    def is_past_due_on(self, today: date) -> bool:
        return self.balance > ZERO and self.due_date < today


class Payment(TimeStamped):
    class Method(models.TextChoices):
        ACH = "ach", "Bank account (ACH)"
        CARD = "card", "Card"
        CHECK = "check", "Check"
        WIRE = "wire", "Wire transfer"
        AUTOPAY = "autopay", "Automatic payment"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        POSTED = "posted", "Posted"
        RETURNED = "returned", "Returned"
        REVERSED = "reversed", "Reversed"

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="payments")
    received_on = models.DateField("date")
    amount = money()
    method = models.CharField(max_length=10, choices=Method.choices)
    reference = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED)

    class Meta:
        ordering = ["account", "-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0")
        ]
        indexes = [models.Index(fields=["account", "-received_on"], name="payment_account_date")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.received_on}"


class InvoiceReminder(models.Model):
    """One reminder of one invoice to one user: what makes reminders idempotent per
    invoice while they go out as one digest (one bell notification, one email) per user
    and run (docs/decisions/0042). Written in the same transaction as that digest."""

    class Kind(models.TextChoices):
        DUE = "due", "Due soon"
        PAST_DUE = "past-due", "Past due"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoice_reminders"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The due date reminded of: a moved due date is a new reminder.
    due_date = models.DateField()
    # The digest it went out in; a notification the user deletes never re-sends it.
    notification = models.ForeignKey(
        "portal.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_reminders",
    )
    emailed = models.BooleanField(default=False, help_text="Included in an email.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "invoice", "kind", "due_date"], name="invoice_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date:%m/%d/%Y}"
