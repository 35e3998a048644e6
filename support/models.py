"""Billing Support: routing rules, support requests and their outgoing email.

The outgoing message rows are the outbox: delivery state lives here (status, attempts,
lease), not in the task queue, so a worker killed mid-send or a lost task is recovered
by the sweep (``support.services.outgoing_message_sweep``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from billing.models import LineOfBusiness


class Topic(models.TextChoices):
    GENERAL = "general", "General Question"
    PAYMENT = "payment", "Payment"
    AUTOPAY = "autopay", "Autopay enrolment"
    PAPERLESS = "paperless", "Paperless enrolment"
    OTHER = "other", "Other"


class RoutingRule(models.Model):
    """Company, line of business, state and topic (each optional) → a mailbox.

    The most specific active rule that matches an account wins; see support/routing.py.
    """

    company = models.ForeignKey(
        "billing.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    line_of_business = models.CharField(max_length=30, choices=LineOfBusiness.choices, blank=True)
    state = models.CharField(
        max_length=2, blank=True, help_text="Two-letter state of the billing address."
    )
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    mailbox = models.EmailField(help_text="Where matching requests go.")
    team = models.ForeignKey(
        "billing.ServiceTeam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Shown to the insured as where the request went (its response time "
        "applies). Empty shows the account's team.",
    )
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "id"]

    def __str__(self) -> str:
        return self.description or f"Rule {self.pk} → {self.mailbox}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.state = self.state.upper().strip()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SupportRequest(models.Model):
    """What an insured sent with Email Us, and where it was routed and why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_requests"
    )
    # Null for a General Inquiry.
    account = models.ForeignKey(
        "billing.BillingAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_requests",
    )
    # Set after the insert from the primary key: BS-YYYY-NNNNNN.
    reference = models.CharField(max_length=24, unique=True, null=True, blank=True)
    # One-time form token: a double click or a resubmitted form finds this request.
    form_token = models.CharField(max_length=64)
    email = models.EmailField(help_text="The insured's profile email at the time of sending.")
    phone = PhoneNumberField(blank=True)
    reference_to = models.CharField("in reference to", max_length=120)
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.GENERAL)
    message = models.TextField()
    recipient = models.EmailField()
    routing_reason = models.CharField(max_length=300)
    team_name = models.CharField(
        max_length=120, help_text="Shown to the insured: where the request went."
    )
    response_time = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "form_token"], name="support_request_unique_form_token"
            )
        ]

    def __str__(self) -> str:
        return self.reference or f"Support request {self.pk}"


class OutgoingMessage(models.Model):
    """One email of a support request, rendered at Send time and delivered by a worker."""

    class Kind(models.TextChoices):
        STAFF = "staff", "To billing staff"
        CONFIRMATION = "confirmation", "Confirmation to the insured"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_email = models.CharField(max_length=254)
    to = models.EmailField()
    reply_to = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Generated once and reused on every attempt: duplicates are recognisable.
    message_id = models.CharField("Message-ID", max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outgoing_due",
                condition=Q(status__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
