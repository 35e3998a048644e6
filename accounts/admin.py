from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from .models import AccountGrant, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    add_form = UserCreationForm
    # Grants are listed under Account grants (search by email): a commercial insured has
    # thousands, too many for an inline on this page.
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "phone", "email_reminders")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]


@admin.register(AccountGrant)
class AccountGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "created_at"]
    search_fields = ["user__email", "account__number"]
    raw_id_fields = ["user", "account"]
    list_select_related = ["user", "account"]
    list_filter = ["user__is_staff"]
    show_full_result_count = False
