from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/billing/", views.HelpView.as_view(), name="help"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read/",
        views.NotificationMarkReadView.as_view(),
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationMarkReadView.as_view(),
        name="notification_read",
    ),
    path("health/", views.health, name="health"),
]
