from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "cistern.collections"
    label = "collections"
    verbose_name = "Collections"
