from django.contrib import admin
from django.http import HttpRequest

from .models import (
    BillingAccount,
    BillingRepresentative,
    Company,
    Invoice,
    InvoiceReminder,
    Payment,
    Policy,
    ServiceHours,
    ServiceTeam,
    TeamAddress,
    TeamPhone,
)


class ServiceHoursInline(admin.TabularInline):
    model = ServiceHours
    extra = 0


class TeamPhoneInline(admin.TabularInline):
    model = TeamPhone
    extra = 0


class TeamAddressInline(admin.StackedInline):
    model = TeamAddress
    extra = 0


@admin.register(ServiceTeam)
class ServiceTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "mailbox", "time_zone"]
    list_filter = ["company"]
    search_fields = ["name", "mailbox"]
    inlines = [ServiceHoursInline, TeamPhoneInline, TeamAddressInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "payable_to", "general_team"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(BillingRepresentative)
class BillingRepresentativeAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "team", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["name", "email"]


class PolicyInline(admin.TabularInline):
    model = Policy
    extra = 0


class InvoiceInline(admin.TabularInline):
    model = Invoice
    extra = 0
    ordering = ["-due_date"]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "insured_name",
        "company",
        "total_due",
        "past_due",
        "next_due_date",
        "status",
        "team",
        "representative",
    ]
    list_filter = ["status", "company", "team", "autopay", "paperless"]
    search_fields = ["number", "insured_name", "policies__number", "invoices__number"]
    list_select_related = ["company", "team", "representative"]
    raw_id_fields = ["representative"]
    # Balances come from the billing system's invoices, never typed in by hand.
    readonly_fields = [
        "public_id",
        "total_due",
        "past_due",
        "current_due",
        "next_due_date",
        "created_at",
        "updated_at",
    ]
    inlines = [PolicyInline, InvoiceInline, PaymentInline]
    show_full_result_count = False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "account",
        "line_of_business",
        "effective_date",
        "expiration_date",
        "status",
    ]
    list_filter = ["line_of_business", "status"]
    search_fields = ["number", "account__number"]
    raw_id_fields = ["account"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "bill_date", "due_date", "amount", "amount_paid", "status"]
    list_filter = ["status"]
    search_fields = ["number", "account__number"]
    raw_id_fields = ["account"]
    date_hierarchy = "due_date"


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["received_on", "account", "amount", "method", "reference", "status"]
    list_filter = ["status", "method"]
    search_fields = ["reference", "account__number"]
    raw_id_fields = ["account"]
    date_hierarchy = "received_on"


@admin.register(InvoiceReminder)
class InvoiceReminderAdmin(admin.ModelAdmin):
    """Which reminders an insured was sent, for billing staff answering "was I told?".
    Written only by the reminder job: read-only here."""

    list_display = ["created_at", "user", "invoice", "kind", "due_date", "emailed"]
    list_filter = ["kind", "emailed", "created_at"]
    search_fields = ["user__email", "invoice__number", "invoice__account__number"]
    list_select_related = ["user", "invoice"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "invoice",
        "kind",
        "due_date",
        "notification",
        "emailed",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
