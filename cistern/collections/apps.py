from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "cistern.collections"
    label = "collections"
    verbose_name = "Collections"

    def ready(self):
        from cistern.core import panels, queues
        from cistern.fieldwork import shutoff_guard

        from . import arrangements, receivers, services, writeoffs
        from .panels import notices_panel
        from .queues import lockoff_lists_queue

        # No lock-off order is created, scheduled or completed on a day the policy refuses it.
        shutoff_guard.register(services.shutoff_refusal)
        panels.register(notices_panel)
        queues.register(lockoff_lists_queue)
        queues.register(writeoffs.write_offs_queue)
        receivers.connect()
        arrangements.register()
