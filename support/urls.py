from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("email-us/", views.EmailUsView.as_view(), name="email_us"),
    path(
        "email-us/sent/<str:reference>/",
        views.RequestSentView.as_view(),
        name="request_sent",
    ),
]
