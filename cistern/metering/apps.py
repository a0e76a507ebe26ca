from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "cistern.metering"
    label = "metering"
    verbose_name = "Meters and reads"
