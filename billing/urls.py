from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    # Billing Summary and Download as Excel (issue 3)
    path("billing/", views.BillingSummaryView.as_view(), name="summary"),
    path("billing/export.xlsx", views.BillingExportView.as_view(), name="export"),
]
