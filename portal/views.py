from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView

from .models import Notification


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("billing:summary")
    return redirect("accounts:login")


class HelpView(LoginRequiredMixin, TemplateView):
    template_name = "portal/help.html"


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "portal/notifications.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self) -> Any:
        return Notification.objects.filter(user=self.request.user)  # type: ignore[misc]


class NotificationMarkReadView(LoginRequiredMixin, View):
    """POST marks one notification (scoped to the user) or all of them as read."""

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        notifications = Notification.objects.filter(
            user=request.user,  # type: ignore[misc]
            read_at__isnull=True,
        )
        if pk is not None:
            notifications = notifications.filter(pk=pk)
        notifications.update(read_at=timezone.now())
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("portal:notifications")
        return HttpResponseRedirect(target)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # the monitor needs an answer, not a traceback
        return JsonResponse({"status": "database unavailable"}, status=503)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
