from django.contrib import admin
from django.urls import include, path

from cistern.api.api import api

urlpatterns = [
    path("", include("cistern.core.urls")),
    path("accounts/", include("cistern.customers.urls")),
    path("meters/", include("cistern.metering.urls")),
    path("field/", include("cistern.fieldwork.urls")),
    path("rates/", include("cistern.rates.urls")),
    path("ledger/", include("cistern.ledger.urls")),
    path("billing/", include("cistern.billing.urls")),
    path("payments/", include("cistern.payments.urls")),
    path("collections/", include("cistern.collections.urls")),
    path("assistance/", include("cistern.assistance.urls")),
    path("letters/", include("cistern.correspondence.urls")),
    path("frontdesk/", include("cistern.frontdesk.urls")),
    path("schedule/", include("cistern.schedule.urls")),
    path("reports/", include("cistern.reports.urls")),
    path("conversion/parallel/", include("cistern.conversion.urls_parallel")),
    path("conversion/", include("cistern.conversion.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
