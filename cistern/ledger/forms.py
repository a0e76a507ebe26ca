from django import forms

from .models import AdjustmentReason


class AdjustmentForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=AdjustmentReason.objects.filter(active=True), to_field_name="code"
    )
    direction = forms.ChoiceField(
        choices=[("credit", "Credit the customer"), ("charge", "Charge the customer")]
    )
    amount = forms.DecimalField(min_value=0.01, max_digits=12, decimal_places=2)
    memo = forms.CharField(max_length=200, label="What for (the customer sees this on the bill)")

    def signed_amount(self):
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "credit" else -amount


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(max_length=200, required=False)
