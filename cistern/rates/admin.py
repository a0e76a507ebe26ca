"""Rates in the admin: every save goes through rates.services (audited, one transaction). A version that posted
bills used is shown read-only (a new version is the way); the fee catalog keeps a fee's figures once in force."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin

from . import services
from .models import BasicFee, BilledSchedule, Fee, FeeCap, RateSchedule, RateScheduleVersion, UsageBlock


def _billed(request, obj) -> bool:
    """Cached per request and version: the admin asks several times per page."""
    if obj is None or obj.pk is None:
        return False
    cache = request.__dict__.setdefault("_versions_billed", {})
    if obj.pk not in cache:
        cache[obj.pk] = services.version_billed(obj)
    return cache[obj.pk]


class VersionRowInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _billed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _billed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _billed(request, obj)


class BasicFeeInline(VersionRowInline):
    model = BasicFee


class UsageBlockInline(VersionRowInline):
    model = UsageBlock


@admin.register(RateSchedule)
class RateScheduleAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "resolution"]
    refusals = (*AuditedAdmin.refusals, services.RatesError)

    def service_save(self, request, obj, form, change, reason):
        services.schedule_save(actor=request.user, schedule=obj, reason=reason)

    def service_delete(self, request, obj, reason):
        services.schedule_delete(actor=request.user, schedule=obj, reason=reason)


@admin.register(RateScheduleVersion)
class RateScheduleVersionAdmin(AuditedAdmin):
    """A version and its tables are saved together (rates.services.version_save); a version posted bills used is
    read-only here and refused by the service."""

    list_display = ["schedule", "effective_from", "billed"]
    inlines = [BasicFeeInline, UsageBlockInline]
    refusals = (*AuditedAdmin.refusals, services.RatesError)

    @admin.display(boolean=True, description="Used by posted bills")
    def billed(self, obj):
        return services.version_billed(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _billed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _billed(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and _billed(request, obj):
            extra_context = {
                **(extra_context or {}),
                "subtitle": "Used by posted bills: read-only. Add a new version from a later date for new rates.",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Saved with its tables in save_related, in one service call."""

    def save_related(self, request, form, formsets, change):
        rows, deleted = self.inline_changes(formsets)
        services.version_save(
            actor=request.user, version=form.instance, rows=rows, deleted_rows=deleted,
            reason=self.reason_of(form, self.list_reason),
        )  # fmt: skip

    def service_delete(self, request, obj, reason):
        services.version_delete(actor=request.user, version=obj, reason=reason)


@admin.register(BilledSchedule)
class BilledScheduleAdmin(AuditedAdmin):
    list_display = ["effective_from", "schedule", "decision"]
    refusals = (*AuditedAdmin.refusals, services.RatesError)

    def service_save(self, request, obj, form, change, reason):
        services.billed_schedule_save(actor=request.user, billed=obj, reason=reason)

    def service_delete(self, request, obj, reason):
        services.billed_schedule_delete(actor=request.user, billed=obj, reason=reason)


@admin.register(Fee)
class FeeAdmin(AuditedAdmin):
    list_display = [
        "name", "code", "kind", "amount", "percent", "after_days", "effective_from", "gl_account", "is_interest",
    ]  # fmt: skip
    list_filter = ["code"]
    refusals = (*AuditedAdmin.refusals, services.RatesError)

    def service_save(self, request, obj, form, change, reason):
        services.fee_save(actor=request.user, fee=obj, reason=reason)

    def service_delete(self, request, obj, reason):
        services.fee_delete(actor=request.user, fee=obj, reason=reason)


@admin.register(FeeCap)
class FeeCapAdmin(AuditedAdmin):
    """The low-income caps (HSC 116914): a new figure is a new row from the date it applies."""

    list_display = ["fee_code", "starts_on", "amount", "note"]
    list_filter = ["fee_code"]
    refusals = (*AuditedAdmin.refusals, services.RatesError)

    def service_save(self, request, obj, form, change, reason):
        services.fee_cap_save(actor=request.user, cap=obj, reason=reason)

    def service_delete(self, request, obj, reason):
        services.fee_cap_delete(actor=request.user, cap=obj, reason=reason)
