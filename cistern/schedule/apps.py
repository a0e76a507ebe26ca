from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "cistern.schedule"
    label = "schedule"
    verbose_name = "Schedule"

    def ready(self):
        pass
