from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.generic import UpdateView

from .forms import ProfileForm, QueuedPasswordResetForm, SignInForm
from .models import User


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class ProfileView(LoginRequiredMixin, UpdateView):
    model = User
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset: object = None) -> User:
        return self.request.user  # type: ignore[return-value]

    def form_valid(self, form: ProfileForm) -> HttpResponse:  # type: ignore[override]
        messages.success(self.request, "Your profile was saved.")
        return super().form_valid(form)
