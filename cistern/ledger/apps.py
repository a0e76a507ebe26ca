from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cistern.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self):
        from cistern.customers import signals
        from cistern.customers.balances import register_balance_source

        from . import counter, panels, receivers, selectors

        register_balance_source("ledger", selectors.receivable_balances)
        signals.service_started.connect(receivers.on_service_started, dispatch_uid="ledger_start_charges")
        signals.service_transferred.connect(
            receivers.on_service_transferred, dispatch_uid="ledger_deposit_transfer"
        )
        panels.register_all()
        counter.register_all()
