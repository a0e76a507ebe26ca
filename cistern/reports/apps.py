from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cistern.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from . import catalog  # noqa: F401  registers every report
