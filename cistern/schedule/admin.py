"""The office checklist's steps are the district's data, edited in the admin through the audited service (a step
is retired by unticking it, never deleted: its records keep it). Everything else is worked on the schedule's
pages."""

from django.contrib import admin

from cistern.core.admin import AuditedAdmin

from . import services
from .models import ChecklistStep


@admin.register(ChecklistStep)
class ChecklistStepAdmin(AuditedAdmin):
    list_display = ["name", "part", "position", "active"]
    list_filter = ["part", "active"]
    refusals = (*AuditedAdmin.refusals, services.ScheduleError)

    def service_save(self, request, obj, form, change, reason):
        services.step_save(actor=request.user, step=obj, reason=reason)

    def has_delete_permission(self, request, obj=None):
        return False
