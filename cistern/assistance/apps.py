from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "cistern.assistance"
    label = "assistance"
    verbose_name = "Customer assistance"
