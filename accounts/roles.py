"""Permission groups for billing staff. Insureds hold no group and no staff flag."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

BILLING_STAFF = "Billing staff"
BILLING_SUPERVISORS = "Billing supervisors"

# Staff read billing data and work support requests and their email.
_STAFF: dict[str, dict[str, Any]] = {
    "billing": {
        "view": [
            "company",
            "serviceteam",
            "servicehours",
            "teamphone",
            "teamaddress",
            "billingrepresentative",
            "billingaccount",
            "policy",
            "invoice",
            "invoicereminder",
            "payment",
        ]
    },
    "accounts": {"view": ["user", "accountgrant"]},
    "support": {"view": "*", "change": "*"},
    "portal": {"view": ["notification"]},
}
# Supervisors also keep the contact directory, routing rules and access grants current.
_SUPERVISORS: dict[str, dict[str, Any]] = {
    "billing": {
        "view": "*",
        "add": [
            "company",
            "serviceteam",
            "servicehours",
            "teamphone",
            "teamaddress",
            "billingrepresentative",
        ],
        "change": [
            "company",
            "serviceteam",
            "servicehours",
            "teamphone",
            "teamaddress",
            "billingrepresentative",
            "billingaccount",
        ],
        "delete": ["servicehours", "teamphone", "teamaddress"],
    },
    "accounts": {
        "view": ["user", "accountgrant"],
        "add": ["accountgrant"],
        "delete": ["accountgrant"],
    },
    "support": {"view": "*", "add": "*", "change": "*", "delete": "*"},
    "portal": {"view": ["notification"]},
}


def _permissions(spec: dict[str, dict[str, Any]], using: str) -> list[Permission]:
    perms: list[Permission] = []
    for app_label, actions in spec.items():
        try:
            app_config = apps.get_app_config(app_label)
        except LookupError:
            continue
        models = [m._meta.model_name for m in app_config.get_models()]
        for action, names in actions.items():
            wanted = models if names == "*" else names
            perms.extend(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{name}" for name in wanted],
                )
            )
    return perms


def roles_sync(*, using: str = "default") -> None:
    """Create or update the two staff groups; safe to run any number of times."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for name, spec in ((BILLING_STAFF, _STAFF), (BILLING_SUPERVISORS, _SUPERVISORS)):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(_permissions(spec, using))
