"""The Email Us form. It validates; it does not send (support.services does).

The email address is not a field: it always comes from the signed-in user's profile,
whatever a request posts.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import phonenumbers
from django import forms
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber

from billing.selectors import billing_account_get

from .selectors import GENERAL, reference_resolve
from .services import topic_derive

if TYPE_CHECKING:
    from accounts.models import User
    from billing.models import BillingAccount

MESSAGE_MAX_LENGTH = 2000
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def form_token_new() -> str:
    return uuid.uuid4().hex


class MessageField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Browsers count a line break as one character in maxlength but post CR LF: count
        # it as one here too, so a message that fits the box is never refused.
        return str(super().to_python(value)).replace("\r\n", "\n")


class EmailUsForm(forms.Form):
    account = forms.CharField(required=False, label="Billing Account Number")
    phone = forms.CharField(required=False, max_length=40, label="Phone Number")
    reference_to = forms.CharField(required=False, label="In Reference To")
    message = MessageField(
        label="Message",
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": "Enter a message for billing support.",
            "max_length": "Keep the message to 2,000 characters or fewer (it has %(show_value)d).",
        },
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    topic = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_account(self) -> BillingAccount | None:
        value = (self.cleaned_data.get("account") or "").strip()
        if not value or value == GENERAL:
            return None
        account = billing_account_get(user=self.user, public_id=value)
        if account is None:
            raise forms.ValidationError(
                "Choose General Inquiry or one of your billing accounts.", code="not_granted"
            )
        return account

    def clean_phone(self) -> PhoneNumber | None:
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value:
            return None
        region = settings.PHONENUMBER_DEFAULT_REGION
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "Enter a valid phone number, for example (614) 555-0110.", code="invalid"
            )
        return PhoneNumber.from_string(value, region=region)

    def clean_token(self) -> str:
        value = (self.cleaned_data.get("token") or "").strip().lower()
        # A missing or malformed token gets a fresh one: the request still goes out once.
        return value if _TOKEN.match(value) else form_token_new()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account = cleaned.get("account")
        value = (cleaned.get("reference_to") or GENERAL).strip()
        if "account" in self.errors:
            return cleaned
        try:
            reference = reference_resolve(user=self.user, account=account, value=value)
        except LookupError:
            self.add_error(
                "reference_to",
                forms.ValidationError(
                    "Choose General Question, one of your account numbers, or a policy or "
                    "invoice of the chosen account.",
                    code="not_granted",
                ),
            )
            return cleaned
        cleaned["reference"] = reference
        cleaned["topic"] = topic_derive(reference=reference, requested=cleaned.get("topic") or "")
        return cleaned
