from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cistern.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        from . import panels

        panels.register_all()
