"""The program's terms are the district's data, edited in the admin through the audited service; applications
are shown read-only (they are taken and decided on their pages)."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin
from cistern.metering.admin import ReadOnlyAdmin

from . import services
from .models import LeakReliefApplication, LeakReliefTerms


@admin.register(LeakReliefTerms)
class LeakReliefTermsAdmin(AuditedAdmin):
    list_display = ["effective_on", "bill_increase_minimum", "max_per_5_years", "max_consecutive_cycles",
                    "forgiven_share", "relief_price", "adjustment_reason"]  # fmt: skip
    exclude = ["created_by"]
    refusals = (*AuditedAdmin.refusals, services.AssistanceError)

    def service_save(self, request, obj, form, change, reason):
        services.terms_save(actor=request.user, terms=obj, reason=reason)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LeakReliefApplication)
class LeakReliefApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "applied_on", "status", "eligible", "relief_amount", "decided_on"]
    list_filter = ["status"]
