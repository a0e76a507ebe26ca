from django.contrib import admin

from . import services
from .models import AuditEvent, AuthorityLimit, ClosureDay, DistrictSettings, Holiday


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "kind", "amount"]
    list_filter = ["kind", "role"]
    list_editable = ["amount"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["day", "reason"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Saves go through the holiday services (audited): add a holiday, or change whether one is observed."""

    list_display = ["day", "name", "observed", "source"]
    list_filter = ["observed", "source"]
    date_hierarchy = "day"

    def get_fields(self, request, obj=None):
        return ["day", "name"] if obj is None else ["day", "name", "source", "observed"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["day", "name", "source"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.holiday_set_observed(
                actor=request.user, holiday=obj, observed=obj.observed, reason="Admin"
            )
        else:
            added = services.holiday_add(actor=request.user, day=obj.day, name=obj.name, reason="Admin")
            obj.pk, obj.source, obj.observed = added.pk, added.source, added.observed


@admin.register(DistrictSettings)
class DistrictSettingsAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "office_opens", "office_closes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only in the database too."""

    list_display = ["created_at", "actor", "action", "object_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor__username", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
