from django import forms

from . import selectors
from .models import AdjustmentReason
from .services import LATE_FEE_REVERSAL


class LateFeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"${obj.fee:,.2f} charged {obj.entry_date:%m/%d/%Y} (JE {obj.pk}): {obj.memo}"


class AdjustmentForm(forms.Form):
    """A credit or charge with a reason; a late-fee reversal picks one of the account's late fees instead of
    typing an amount (its amount is the fee's)."""

    reason = forms.ModelChoiceField(
        queryset=AdjustmentReason.objects.filter(active=True), to_field_name="code"
    )
    late_fee = LateFeeChoice(
        queryset=None, required=False, label="Late fee to reverse (late-fee reversal only)",
        empty_label="(not a late-fee reversal)",
    )  # fmt: skip
    direction = forms.ChoiceField(
        choices=[("credit", "Credit the customer"), ("charge", "Charge the customer")]
    )
    amount = forms.DecimalField(
        min_value=0.01, max_digits=12, decimal_places=2, required=False,
        label="Amount (not for a late-fee reversal: the fee's amount is credited)",
    )  # fmt: skip
    memo = forms.CharField(max_length=200, label="What for (the customer sees this on the bill)")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late_fee"].queryset = selectors.late_fees_to_reverse(account.pk)

    def clean(self):
        data = super().clean()
        reason = data.get("reason")
        if reason is None:
            return data
        if reason.code == LATE_FEE_REVERSAL:
            if data.get("late_fee") is None and "late_fee" not in self.errors:
                self.add_error("late_fee", "Pick the late fee to reverse.")
            if data.get("direction") == "charge":
                self.add_error("direction", "A late-fee reversal credits the customer.")
        else:
            if data.get("late_fee") is not None:
                self.add_error("late_fee", "Only a late-fee reversal names a late fee.")
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", "Enter the amount.")
        return data

    def signed_amount(self):
        """The amount to credit (positive) or charge (negative); None for a late-fee reversal (the fee's)."""
        if self.cleaned_data["reason"].code == LATE_FEE_REVERSAL:
            return None
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "credit" else -amount


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(max_length=200, required=False)
