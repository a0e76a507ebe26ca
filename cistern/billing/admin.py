"""Bill cycles are data the district keeps in admin (Billing Admin, Supervisor): their read and bill days and
which routes they hold, saved through billing.cycles (audited, one transaction). Runs and bills are worked on
their own pages, never edited here."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin

from . import cycles, high_usage_services
from .errors import BillingError
from .models import BillCycle, CycleRoute, HighUsageRule


class CycleRouteInline(admin.TabularInline):
    model = CycleRoute
    extra = 0


@admin.register(BillCycle)
class BillCycleAdmin(AuditedAdmin):
    list_display = ["code", "name", "read_day", "bill_day", "active"]
    inlines = [CycleRouteInline]
    refusals = (*AuditedAdmin.refusals, cycles.CycleError)

    def save_model(self, request, obj, form, change):
        """Saved with its routes in save_related, in one service call."""

    def save_related(self, request, form, formsets, change):
        routes, removed = self.inline_changes(formsets)
        cycles.cycle_save(
            actor=request.user, cycle=form.instance, routes=routes, removed_routes=removed,
            reason=self.reason_of(form, self.list_reason),
        )  # fmt: skip

    def service_delete(self, request, obj, reason):
        cycles.cycle_delete(actor=request.user, cycle=obj, reason=reason)


@admin.register(HighUsageRule)
class HighUsageRuleAdmin(AuditedAdmin):
    """When a bill's usage earns a high-usage notice: saved through billing.high_usage_services (audited)."""

    list_display = ["effective_on", "min_percent", "min_units", "active", "note"]
    refusals = (*AuditedAdmin.refusals, BillingError)

    def service_save(self, request, obj, form, change, reason):
        high_usage_services.high_usage_rule_save(actor=request.user, rule=obj, reason=reason)

    def service_delete(self, request, obj, reason):
        high_usage_services.high_usage_rule_delete(actor=request.user, rule=obj, reason=reason)
