from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "cistern.correspondence"
    label = "correspondence"
    verbose_name = "Correspondence"
