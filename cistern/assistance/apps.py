from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "cistern.assistance"
    label = "assistance"
    verbose_name = "Customer assistance"

    def ready(self):
        from cistern.core import panels, queues
        from cistern.ledger.holds import register_late_fee_hold

        from . import selectors
        from .panels import assistance_panel
        from .queues import leak_relief_queue

        # No late fee on an account while its leak-relief application is under review.
        register_late_fee_hold("leak_relief_review", selectors.late_fees_held)
        panels.register(assistance_panel)
        queues.register(leak_relief_queue)
