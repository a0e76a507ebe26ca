from django import forms

from cistern.billing.models import Bill
from cistern.core import badinput

from .services import proof_problem


class BillChoice(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= badinput.MAX_ID:
                raise forms.ValidationError(f"{text[:40]!r} is not a bill of this account.")
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return (
            f"Bill {obj.pk}: {obj.period_start:%m/%d/%Y}-{obj.period_end:%m/%d/%Y}, {obj.units} units, "
            f"${obj.current_charges:,.2f}"
        )


class ApplicationForm(forms.Form):
    """The customer's application: the bills the leak ran up, the repair and its proof."""

    bills = BillChoice(
        queryset=Bill.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Bills the leak ran up (at most two consecutive)",
    )  # fmt: skip
    repaired_on = forms.DateField(
        label="Day the leak was repaired", widget=forms.DateInput(attrs={"type": "date"})
    )
    repair_proof = forms.FileField(
        label="Proof of repair (PDF, JPEG or PNG, at most 5 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )  # fmt: skip
    primary_residence = forms.BooleanField(
        required=False, label="The owner declares this premise their primary residence (owners only)"
    )
    note = forms.CharField(
        required=False, max_length=300, label="Note (how the leak was found, who repaired it)"
    )

    def __init__(self, *args, bills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bills"].queryset = bills

    def clean_repaired_on(self):
        day = self.cleaned_data.get("repaired_on")
        if day is not None and not badinput.date_in_range(day):
            raise forms.ValidationError(f"{day:%m/%d/%Y} is not a day of the repair.")
        return day

    def clean_repair_proof(self):
        upload = self.cleaned_data.get("repair_proof")
        problem = proof_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    note = forms.CharField(required=False, max_length=300, label="Note (needed to deny)")


class WithdrawForm(forms.Form):
    note = forms.CharField(max_length=300, label="Who withdrew it and why")
