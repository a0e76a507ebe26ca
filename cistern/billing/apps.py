from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cistern.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        from cistern.ledger.verify import register_check
        from cistern.rates import services as rate_services

        from . import approvals, counter, high_usage_hooks, panels, rate_use, verify

        panels.register_all()
        high_usage_hooks.register_all()
        counter.register_all()
        approvals.register_all()
        register_check(verify.breaches)
        rate_services.register_billed_periods(rate_use.posted_bills_cover)
