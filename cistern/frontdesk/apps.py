from django.apps import AppConfig


class FrontDeskConfig(AppConfig):
    name = "cistern.frontdesk"
    label = "frontdesk"
    verbose_name = "Front desk"

    def ready(self):
        from cistern.core import assignments, panels, queues

        from .panels import calls_panel, cases_panel
        from .queues import callbacks_queue, cases_queue, cases_work

        panels.register(cases_panel)
        panels.register(calls_panel)
        queues.register(cases_queue)
        queues.register(callbacks_queue)
        assignments.register(cases_work)
