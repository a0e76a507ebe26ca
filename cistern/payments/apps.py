from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "cistern.payments"
    verbose_name = "Payments"
