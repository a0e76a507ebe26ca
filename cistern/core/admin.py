"""The admin is no back door: every save and delete of district data goes through the app's service (validated,
one transaction, audited with before and after and the reason typed here). `AuditedAdmin` is the pattern the
other apps' admin modules follow."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from . import services
from .models import AuditEvent, AuthorityLimit, ClosureDay, DistrictSettings, Holiday


class ReasonForm(forms.ModelForm):
    """An admin form with the reason the audit trail keeps."""

    reason = forms.CharField(
        max_length=200,
        help_text="Why (board resolution, memo, ticket): kept in the audit trail with the change.",
    )


class OptionalReasonForm(ReasonForm):
    reason = forms.CharField(max_length=200, required=False, help_text="Why (kept in the audit trail).")


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes call `service_save` / `service_delete` (the app's services). A service's refusal (one of
    `refusals`, or a ValidationError) is shown as an error message and nothing is written: the whole request
    runs in one transaction, rolled back on refusal."""

    form = ReasonForm
    refusals: tuple[type[Exception], ...] = (services.CoreError,)
    list_reason = "Changed in the admin list"
    delete_reason = "Deleted in the admin"

    # --- what subclasses provide ---------------------------------------------------------------------------

    def service_save(self, request, obj, form, change, reason: str):
        raise NotImplementedError

    def service_delete(self, request, obj, reason: str):
        raise NotImplementedError

    # --- the admin's hooks, routed to the services --------------------------------------------------------

    @staticmethod
    def reason_of(form, default: str) -> str:
        data = getattr(form, "cleaned_data", None) or {}
        return (data.get("reason") or "").strip() or default

    @staticmethod
    def inline_changes(formsets) -> tuple[list, list]:
        """The inlines' rows to save (new and changed, unsaved) and to delete: handed to one service call."""
        saved, deleted = [], []
        for formset in formsets:
            formset.save(commit=False)
            saved += [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
            deleted += formset.deleted_objects
        return saved, deleted

    def save_model(self, request, obj, form, change):
        self.service_save(request, obj, form, change, self.reason_of(form, self.list_reason))

    def delete_model(self, request, obj):
        self.service_delete(request, obj, self.delete_reason)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj, self.delete_reason)

    def _refusing(self, request, view, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except (*self.refusals, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"Not saved: {text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing(request, super().changeform_view, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._refusing(request, super().changelist_view, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusing(request, super().delete_view, object_id, extra_context)


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(AuditedAdmin):
    """Nobody changes a limit of a role they hold (core.services.authority_limit_set)."""

    list_display = ["role", "kind", "amount"]
    list_filter = ["kind", "role"]
    list_editable = ["amount"]

    def get_readonly_fields(self, request, obj=None):
        return ["role", "kind"] if obj is not None else []

    def service_save(self, request, obj, form, change, reason):
        saved = services.authority_limit_set(
            actor=request.user, role=obj.role, kind=obj.kind, amount=obj.amount, reason=reason
        )
        obj.pk = saved.pk

    def service_delete(self, request, obj, reason):
        services.authority_limit_remove(actor=request.user, limit=obj, reason=reason)


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedAdmin):
    list_display = ["day", "reason"]
    fields = ["day", "reason"]
    form = forms.ModelForm  # the closure's own reason (why the office is closed) is the trail's reason too

    def service_save(self, request, obj, form, change, reason):
        if change:
            services.closure_day_change(actor=request.user, closure=obj, day=obj.day, reason=obj.reason)
        else:
            added = services.closure_day_add(actor=request.user, day=obj.day, reason=obj.reason)
            obj.pk = added.pk

    def service_delete(self, request, obj, reason):
        services.closure_day_remove(actor=request.user, closure=obj, reason=reason)


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    """Saves go through the holiday services (audited): add a holiday, or change whether one is observed."""

    list_display = ["day", "name", "observed", "source"]
    list_filter = ["observed", "source"]
    date_hierarchy = "day"
    form = OptionalReasonForm
    list_reason = "Admin"

    def get_fields(self, request, obj=None):
        return ["day", "name", "reason"] if obj is None else ["day", "name", "source", "observed", "reason"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["day", "name", "source"]

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change, reason):
        if change:
            services.holiday_set_observed(
                actor=request.user, holiday=obj, observed=obj.observed, reason=reason
            )
        else:
            added = services.holiday_add(actor=request.user, day=obj.day, name=obj.name, reason=reason)
            obj.pk, obj.source, obj.observed = added.pk, added.source, added.observed


@admin.register(DistrictSettings)
class DistrictSettingsAdmin(AuditedAdmin):
    list_display = ["name", "phone", "office_opens", "office_closes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change, reason):
        values = {name: getattr(obj, name) for name in form.changed_data if name in services.DISTRICT_FIELDS}
        services.district_settings_update(actor=request.user, reason=reason, **values)


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
