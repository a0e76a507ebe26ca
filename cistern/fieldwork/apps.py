from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "cistern.fieldwork"
    label = "fieldwork"
    verbose_name = "Field work"

    def ready(self):
        from cistern.core import panels
        from cistern.customers import signals
        from cistern.ledger import lockoffs
        from cistern.metering import actions
        from cistern.metering import services as metering_services

        from . import assignments, counter, read_scope, receivers, selectors
        from .panels import orders_panel

        signals.service_started.connect(receivers.on_service_started, dispatch_uid="fieldwork_turn_on")
        signals.service_transferred.connect(
            receivers.on_service_transferred, dispatch_uid="fieldwork_transfer"
        )
        signals.service_stopped.connect(receivers.on_service_stopped, dispatch_uid="fieldwork_final_read")
        panels.register(orders_panel)
        counter.register_all()
        assignments.register_all()  # a technician's orders on the lead's team page
        lockoffs.register_lockoff_source("fieldwork", selectors.accounts_locked_off_since)
        metering_services.register_order_premises(read_scope.premises_on_open_orders)
        actions.register(
            actions.ExceptionAction(
                key="reread",
                label="Send re-read order",
                url_name="fieldwork:reread_from_read",
                permission="fieldwork.add_serviceorder",
            )  # fmt: skip
        )
