from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .models import User


class SignInForm(AuthenticationForm):
    """Sign in with the email address; the field keeps Django's name ``username``."""

    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": (
            "That email and password don't match our records. Check both and try again; "
            "after %(limit)s failed attempts, sign-in is paused for a while."
        ),
        "inactive": "This sign-in has been turned off. Contact billing support.",
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose email is sent by the worker, never inside the request."""

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, object],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        from portal.tasks import send_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.enqueue(subject=subject, body=body, to=[to_email])


class ProfileForm(forms.ModelForm):
    """The insured may change the phone on file and reminder emails; never the email."""

    class Meta:
        model = User
        fields = ["full_name", "phone", "email_reminders"]
        labels = {"full_name": "Name", "phone": "Phone on file"}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
