from django import forms

from .models import ClosureDay, DistrictSettings, DistrictSuspension, Holiday


class DistrictSettingsForm(forms.ModelForm):
    reason = forms.CharField(max_length=200, required=False)

    class Meta:
        model = DistrictSettings
        fields = [
            "name", "short_name", "street", "city", "state", "zip_code", "phone", "email", "office_opens",
            "office_closes", "account_setup_fee", "guarantee_deposit", "regular_period_min_days",
            "regular_period_max_days", "bill_due_days", "bill_high_percent", "due_on_business_day",
            "final_bill_days", "deposit_refund_months", "deposit_refund_max_late", "deposit_refund_no_lockoff",
            "reminder_days", "shutoff_notice_days", "shutoff_delinquent_days", "shutoff_notice_business_days",
            "shutoff_notice_calendar_days", "occupant_notice_days", "door_hanger_hours", "final_notice_business_days",
            "shutoff_minimum_amount", "reconnect_cutoff", "collections_phone", "write_off_days",
        ]  # fmt: skip
        widgets = {
            "office_opens": forms.TimeInput(attrs={"type": "time"}),
            "office_closes": forms.TimeInput(attrs={"type": "time"}),
            "reconnect_cutoff": forms.TimeInput(attrs={"type": "time"}),
        }


class ClosureDayForm(forms.ModelForm):
    class Meta:
        model = ClosureDay
        fields = ["day", "reason"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["day", "name"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}

    def validate_unique(self):
        pass  # a day already listed is refused by holiday_add, which says what to do instead


class SuspensionForm(forms.ModelForm):
    class Meta:
        model = DistrictSuspension
        fields = ["starts_on", "ends_on", "late_fees", "shutoffs", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"late_fees": "Suspend late fees", "shutoffs": "Suspend shutoffs"}
