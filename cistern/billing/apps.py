from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cistern.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        from cistern.ledger.verify import register_check

        from . import approvals, counter, panels, verify

        panels.register_all()
        counter.register_all()
        approvals.register_all()
        register_check(verify.breaches)
