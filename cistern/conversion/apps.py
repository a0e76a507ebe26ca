from django.apps import AppConfig


class ConversionConfig(AppConfig):
    name = "cistern.conversion"
    label = "conversion"
    verbose_name = "Conversion from the previous system"
