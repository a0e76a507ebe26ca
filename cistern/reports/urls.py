from django.contrib.auth.decorators import permission_required
from django.urls import path

from . import catalog, registry, views, views_dashboard  # noqa: F401  (catalog registers every report)

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views_dashboard.dashboard_page, name="dashboard"),
]
# Each report at /reports/<key>/ (?format=csv|xlsx|pdf for a file), named reports:<key>, behind its own permission.
urlpatterns += [
    path(
        f"{report.key}/",
        permission_required(report.permission, raise_exception=True)(views.report_view),
        {"key": report.key},
        name=report.key,
    )
    for report in registry.all_reports()
]
