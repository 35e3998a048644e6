from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    # --- issue 3: Billing Summary and Download as Excel ---
    path("billing/", views.BillingSummaryView.as_view(), name="summary"),
    path("billing/export.xlsx", views.BillingExportView.as_view(), name="export"),
    # --- end issue 3 ---
    # --- issue 4: Billing Details, account download, Payment Options ---
    path(
        "billing/accounts/<uuid:public_id>/",
        views.BillingDetailsView.as_view(),
        name="details",
    ),
    path(
        "billing/accounts/<uuid:public_id>/export.xlsx",
        views.AccountExportView.as_view(),
        name="account_export",
    ),
    path(
        "billing/payment-options/",
        views.PaymentOptionsView.as_view(),
        name="payment_options",
    ),
    # --- end issue 4 ---
]
