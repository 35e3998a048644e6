from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Insured Portal — Billing staff"
admin.site.site_title = "Billing staff admin"
admin.site.index_title = "Billing administration"

urlpatterns = [
    path("staff/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("support/", include("support.urls")),
    path("", include("portal.urls")),
    path("", include("billing.urls")),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
