"""Reads of billing data. Every query an insured can reach starts from the accounts
granted to that user, so a view cannot forget the grant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import BillingAccount

if TYPE_CHECKING:
    from accounts.models import User


def billing_account_granted(*, user: User) -> QuerySet[BillingAccount]:
    """All billing accounts the user was granted; nothing for anonymous or inactive users."""
    if not user.is_authenticated or not user.is_active:
        return BillingAccount.objects.none()
    return BillingAccount.objects.filter(grants__user=user)


def billing_account_get(*, user: User, public_id: str) -> BillingAccount | None:
    """One granted account by its opaque id; None when it does not exist or is not granted,
    so callers answer both alike."""
    try:
        return (
            billing_account_granted(user=user)
            .select_related("company", "team", "representative")
            .get(public_id=str(public_id))
        )
    except (BillingAccount.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is answered like a missing one.
        return None
