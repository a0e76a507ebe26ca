from django import forms

from cistern.core import badinput, clock

from .models import PHONE_OPTIONS, HoldKind

DATE = forms.DateInput(attrs={"type": "date"})


class _Dates(forms.Form):
    """Every date field within the days a water district speaks of (0001-01-01 has no day before it)."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            day = data.get(name)
            if isinstance(field, forms.DateField) and day is not None and not badinput.date_in_range(day):
                self.add_error(
                    name, f"A date between {badinput.FIRST_DAY:%m/%d/%Y} and {badinput.LAST_DAY:%m/%d/%Y}."
                )
        return data


class RunForm(_Dates):
    on = forms.DateField(widget=DATE, initial=clock.today, label="Day")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run (count what the run would do; keep and send nothing)"
    )

    def clean(self):
        data = super().clean()
        day, today = data.get("on"), clock.today()
        if day is not None and not data.get("dry_run") and day != today:
            # A notice counts from the day it is mailed: a run kept for another day would date letters wrongly.
            self.add_error(
                "on",
                f"A run that is kept is for today ({today:%m/%d/%Y}): its letters are mailed today. "
                "Preview another day with a dry run.",
            )
        return data


class PhoneContactForm(forms.Form):
    reached = forms.BooleanField(required=False, label="Reached the customer (not a message left)")
    options_offered = forms.MultipleChoiceField(
        choices=PHONE_OPTIONS, required=False, widget=forms.CheckboxSelectMultiple, label="Offered"
    )
    willing_to_arrange = forms.BooleanField(
        required=False, label="The customer is willing to enter a payment arrangement"
    )
    note = forms.CharField(max_length=300, required=False, label="Note")

    def clean(self):
        data = super().clean()
        if not data.get("reached") and (data.get("options_offered") or data.get("willing_to_arrange")):
            raise forms.ValidationError(
                "Options are offered to someone reached: tick “Reached” or leave the options blank."
            )
        return data


class HoldForm(_Dates):
    kind = forms.ChoiceField(choices=HoldKind.choices, label="Kind")
    starts_on = forms.DateField(widget=DATE, initial=clock.today, label="From")
    ends_on = forms.DateField(widget=DATE, required=False, label="To (an extension's last day)")
    reason = forms.CharField(max_length=300, label="Reason")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if data.get("kind") == HoldKind.EXTENSION and ends is None and "ends_on" not in self.errors:
            self.add_error("ends_on", "An extension runs to a day: give its last day.")
        if starts and ends and ends < starts and "ends_on" not in self.errors:
            self.add_error("ends_on", "The last day is on or after the first.")
        return data


class HoldCloseForm(_Dates):
    on = forms.DateField(widget=DATE, initial=clock.today, label="Closed on")
    outcome = forms.CharField(max_length=300, label="Outcome")


class ArrangementForm(_Dates):
    installments = forms.IntegerField(
        min_value=1, max_value=12, initial=6, label="Monthly installments (1-12)"
    )
    first_due = forms.DateField(widget=DATE, label="First installment due")
    reason = forms.CharField(max_length=300, label="Why (the customer's request, a medical certificate)")


class ArrangementCancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is cancelled")
