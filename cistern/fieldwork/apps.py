from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "cistern.fieldwork"
    label = "fieldwork"
    verbose_name = "Field work"
