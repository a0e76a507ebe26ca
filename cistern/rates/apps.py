from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "cistern.rates"
    label = "rates"
    verbose_name = "Rates and fees"
