from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in is case-insensitive on the email address.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an insured (or someone acting for one), or billing staff.

    The email address is the login and cannot be changed by the user; support email
    always takes it from here, never from a posted form.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    phone = PhoneNumberField("phone on file", blank=True)
    email_reminders = models.BooleanField(
        "email billing reminders",
        default=True,
        help_text="Send email reminders for upcoming and past-due invoices.",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Billing staff who may sign in to the staff admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class AccountGrant(models.Model):
    """Says that a user may see one billing account. Every insured query starts here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_grants"
    )
    account = models.ForeignKey(
        "billing.BillingAccount", on_delete=models.CASCADE, related_name="grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "account"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="grant_unique_user_account")
        ]
        indexes = [models.Index(fields=["account", "user"], name="grant_account_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.account}"
