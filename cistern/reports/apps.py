from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cistern.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        pass
