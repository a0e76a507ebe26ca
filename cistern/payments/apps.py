import importlib

from django.apps import AppConfig

# Each area of the app registers its account-page panels, work queues and summary figures from a module of
# its own (`register_all()`), so the areas are added without touching one another.
AREAS = ("counter", "bank", "lockbox", "autopay")


class PaymentsConfig(AppConfig):
    name = "cistern.payments"
    verbose_name = "Payments"

    def ready(self):
        for area in AREAS:
            try:
                module = importlib.import_module(f"cistern.payments.hooks_{area}")
            except ModuleNotFoundError as e:
                if e.name != f"cistern.payments.hooks_{area}":
                    raise
                continue
            module.register_all()
