from django import forms
from django.utils import timezone

from cistern.metering.models import MeterSize

from .models import RateClass


class EstimateForm(forms.Form):
    """The bill estimator a clerk fills in with a customer on the phone."""

    meter_size = forms.ChoiceField(choices=MeterSize.choices, initial=MeterSize.THREE_QUARTER)
    rate_class = forms.ChoiceField(choices=RateClass.choices, initial=RateClass.RESIDENTIAL)
    units = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, label="Units (HCF)")
    days = forms.IntegerField(min_value=1, max_value=400, initial=30, label="Days in the period")
    on = forms.DateField(
        label="Period ends (read date)",
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
