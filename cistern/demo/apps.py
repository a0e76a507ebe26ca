from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic district: demo data for `make run` and the same generator at benchmark scale.
    It sits on top of every domain app, because the district it builds touches all of them."""

    name = "cistern.demo"
    label = "demo"
    verbose_name = "Demo district"
