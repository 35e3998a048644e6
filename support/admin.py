"""Staff admin for Billing Support: routing rules (supervisors), support requests, and the
outgoing email ("Sent mail"): status, last error, the full rendered message, Resend."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from .models import OutgoingMessage, RoutingRule, SupportRequest
from .services import outgoing_message_resend


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "description",
        "company",
        "line_of_business",
        "state",
        "topic",
        "mailbox",
        "team",
        "active",
    ]
    list_filter = ["active", "company", "line_of_business", "topic"]
    search_fields = ["description", "mailbox", "state"]
    list_editable = ["active"]
    fields = [  # type: ignore[assignment]
        "description",
        ("company", "line_of_business"),
        ("state", "topic"),
        "mailbox",
        "team",
        "active",
    ]


class OutgoingMessageInline(admin.TabularInline):
    model = OutgoingMessage
    fields = ["kind", "to", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = ["kind", "to", "status", "attempts", "sent_at", "last_error"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "created_at", "user", "account", "topic", "recipient"]
    list_filter = ["topic", "created_at"]
    search_fields = ["reference", "user__email", "account__number", "recipient"]
    date_hierarchy = "created_at"
    inlines = [OutgoingMessageInline]
    readonly_fields = [
        "reference",
        "created_at",
        "user",
        "email",
        "account",
        "phone",
        "reference_to",
        "topic",
        "message",
        "recipient",
        "routing_reason",
        "team_name",
        "response_time",
        "form_token",
    ]
    fields = readonly_fields  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    """The sent-mail view: every support email with its delivery state and full text."""

    list_display = [
        "created_at",
        "reference",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["request__reference", "to", "subject", "message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["request"]
    actions = ["resend"]
    fieldsets = [
        (
            "Delivery",
            {
                "fields": [
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "sending_since",
                    "sent_at",
                    "last_error",
                ]
            },
        ),
        (
            "Message",
            {
                "fields": [
                    "request",
                    "message_id",
                    "from_email",
                    "to",
                    "reply_to",
                    "subject",
                    "text_body",
                ]
            },
        ),
    ]
    readonly_fields = [
        "status",
        "attempts",
        "next_attempt_at",
        "sending_since",
        "sent_at",
        "last_error",
        "request",
        "message_id",
        "from_email",
        "to",
        "reply_to",
        "subject",
        "text_body",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="reference", ordering="request__reference")
    def reference(self, obj: OutgoingMessage) -> str:
        return obj.request.reference or ""

    @admin.display(description="last error")
    def short_error(self, obj: OutgoingMessage) -> str:
        return obj.last_error[:80]

    @admin.display(description="body (plain text)")
    def text_body(self, obj: OutgoingMessage) -> str:
        # No inline style: the CSP (style-src 'self') covers the admin too.
        return format_html("<pre>{}</pre>", obj.body_text)

    @admin.action(description="Resend the selected failed or sent messages")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutgoingMessage]) -> None:
        count = outgoing_message_resend(message_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, f"Queued {count} message(s) to send again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} message(s) are still queued or sending and were left alone.",
                messages.WARNING,
            )
