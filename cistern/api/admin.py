from django import forms
from django.contrib import admin, messages

from cistern.core.admin import AuditedAdmin, ReasonForm

from . import services
from .models import ApiToken


class RevokeForm(ReasonForm):
    revoke = forms.BooleanField(
        required=False, help_text="The token stops working at once; this cannot be undone."
    )
    reason = forms.CharField(max_length=200, required=False, help_text="Why (kept in the audit trail).")

    def clean(self):
        data = super().clean()
        if data.get("revoke") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the token is revoked.")
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are made by `manage.py create_api_token` (the key is shown once, there); here they are listed and
    revoked, through api.services (audited). A token is never deleted: the trail keeps it."""

    form = RevokeForm
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at", "revoke", "reason"]
    actions = ["revoke_tokens"]
    refusals = (*AuditedAdmin.refusals, services.TokenError)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at is not None:
            return [f for f in self.fields if f not in ("revoke", "reason")]
        return self.fields

    def service_save(self, request, obj, form, change, reason):
        if form.cleaned_data.get("revoke"):
            services.token_revoke(actor=request.user, token=obj, reason=reason)

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(actor=request.user, token=token, reason="Revoked in the admin list")
            count += 1
        self.message_user(request, f"{count} token{'s' if count != 1 else ''} revoked.", messages.SUCCESS)
