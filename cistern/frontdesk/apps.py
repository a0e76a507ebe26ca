from django.apps import AppConfig


class FrontDeskConfig(AppConfig):
    name = "cistern.frontdesk"
    label = "frontdesk"
    verbose_name = "Front desk"

    def ready(self):
        pass
