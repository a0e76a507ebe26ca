from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cistern.api"
    label = "api"
    verbose_name = "API"
