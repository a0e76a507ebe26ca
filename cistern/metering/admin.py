"""Meters and reads in the admin: to look, not to change. Every change goes through services.py (validated,
audited), so the admin shows these rows read-only; the read rules (district data) are editable, saved through
services.read_rules_update (audited)."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin

from . import services
from .models import Meter, MeterInstallation, Read, ReadImport, ReadRules, Route, ServicePoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Route)
class RouteAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(ServicePoint)
class ServicePointAdmin(ReadOnlyAdmin):
    list_display = ["premise", "kind", "route", "read_sequence"]
    list_filter = ["kind", "route"]
    list_select_related = ["premise", "route"]
    search_fields = ["premise__street"]


@admin.register(Meter)
class MeterAdmin(ReadOnlyAdmin):
    list_display = ["serial", "size", "make", "model", "dials", "multiplier", "status"]
    list_filter = ["size", "make", "status"]
    search_fields = ["serial"]


@admin.register(MeterInstallation)
class MeterInstallationAdmin(ReadOnlyAdmin):
    list_display = ["meter", "service_point", "installed_on", "removed_on"]
    list_select_related = ["meter", "service_point__premise"]
    search_fields = ["meter__serial"]


@admin.register(Read)
class ReadAdmin(ReadOnlyAdmin):
    list_display = ["meter", "read_on", "value", "kind", "source", "status", "consumption"]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["meter"]
    search_fields = ["meter__serial"]
    date_hierarchy = "read_on"


@admin.register(ReadImport)
class ReadImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "rows", "accepted", "exceptions", "imported_at"]


@admin.register(ReadRules)
class ReadRulesAdmin(AuditedAdmin):
    list_display = ["__str__", "high_percent", "low_percent", "minimum_typical_units"]
    refusals = (*AuditedAdmin.refusals, services.MeteringError)

    def has_add_permission(self, request):
        return not ReadRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change, reason):
        values = {name: getattr(obj, name) for name in services.READ_RULES_FIELDS}
        saved = services.read_rules_update(actor=request.user, reason=reason, **values)
        obj.pk = saved.pk
