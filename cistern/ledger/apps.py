from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cistern.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self):
        from cistern.customers.balances import register_balance_source

        from . import panels, selectors

        register_balance_source("ledger", selectors.receivable_balances)
        panels.register_all()
