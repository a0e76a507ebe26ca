from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "cistern.schedule"
    label = "schedule"
    verbose_name = "Schedule"

    def ready(self):
        from cistern.core import queues

        from .queues import office_checklist_queue, uncovered_slots_queue

        queues.register(uncovered_slots_queue)
        queues.register(office_checklist_queue)
