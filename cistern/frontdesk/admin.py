"""The front desk's data lists (case categories with their SLA table, where calls are routed) are the district's,
edited in the admin through the audited services; cases, calls, visits and the radio log are shown read-only
(they are worked on their pages)."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin, ReasonForm
from cistern.metering.admin import ReadOnlyAdmin

from . import services
from .models import Call, Case, CaseCategory, RadioEntry, RoutingTarget, SlaRule, Visit


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedAdmin):
    list_display = ["name", "code", "bill_dispute", "active"]
    refusals = (*AuditedAdmin.refusals, services.FrontDeskError)

    def service_save(self, request, obj, form, change, reason):
        services.category_save(actor=request.user, category=obj, reason=reason)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlaRule)
class SlaRuleAdmin(AuditedAdmin):
    """The SLA table: business days to resolve a category's case at a priority."""

    list_display = ["category", "priority", "business_days"]
    list_filter = ["category", "priority"]
    list_editable = ["business_days"]
    form = ReasonForm
    refusals = (*AuditedAdmin.refusals, services.FrontDeskError)

    def service_save(self, request, obj, form, change, reason):
        services.sla_rule_save(actor=request.user, rule=obj, reason=reason)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingTarget)
class RoutingTargetAdmin(AuditedAdmin):
    list_display = ["name", "user", "phone_extension", "active", "sort_order"]
    refusals = (*AuditedAdmin.refusals, services.FrontDeskError)

    def service_save(self, request, obj, form, change, reason):
        services.routing_target_save(actor=request.user, target=obj, reason=reason)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "category", "priority", "status", "owner", "opened_on", "due_on"]
    list_filter = ["status", "category"]
    search_fields = ["number"]


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["taken_at", "caller_name", "caller_phone", "account", "outcome", "routed_to"]
    list_filter = ["outcome"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["signed_in_at", "name", "organisation", "host", "badge", "signed_out_at"]


@admin.register(RadioEntry)
class RadioEntryAdmin(ReadOnlyAdmin):
    list_display = ["heard_on", "heard_at", "unit", "message", "order"]
