from datetime import date

from django import forms

from . import derive, selectors
from .models import ChecklistStep, Event, EventKind, Half, Pattern, Weekday

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)

KIND_CHOICES = [("", "All kinds")] + list(derive.DERIVED_KINDS.items()) + [
    (value, label) for value, label in EventKind.choices if value not in derive.DERIVED_KINDS
]  # fmt: skip


def kind_labels() -> dict[str, str]:
    return dict(KIND_CHOICES[1:])


class DayField(forms.DateField):
    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError("Give a day between 2000 and 2100.")
        return day


class MonthForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    month = forms.IntegerField(min_value=1, max_value=12, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False, label="Kind")


class AgendaForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=120, required=False, label="Days ahead")
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False, label="Kind")


class WeekForm(forms.Form):
    week = DayField(required=False, label="Week of")


def _user_field(required=True, label="Staff member"):
    return forms.ModelChoiceField(
        queryset=selectors.office_users(),
        required=required,
        label=label,
        empty_label="(team)" if not required else "—",
    )


class EventForm(forms.ModelForm):
    day = DayField(widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Event
        fields = ["title", "kind", "day", "at", "user", "note"]
        widgets = {"at": forms.TimeInput(attrs={"type": "time"})}
        labels = {"at": "Time (blank: all day)", "user": "Whose (blank: the team's)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.office_users()
        self.fields["user"].empty_label = "(team)"


class WorkweekForm(forms.Form):
    user = _user_field()
    pattern = forms.ChoiceField(choices=Pattern.choices)
    day_off = forms.TypedChoiceField(
        choices=[("", "—")] + Weekday.choices,
        coerce=int,
        empty_value=None,
        required=False,
        label="Day off (4/10)",
    )
    starts_on = DayField(widget=forms.DateInput(attrs={"type": "date"}), label="From")


class LeaveForm(forms.Form):
    user = _user_field()
    first_day = DayField(widget=forms.DateInput(attrs={"type": "date"}), label="First day")
    last_day = DayField(widget=forms.DateInput(attrs={"type": "date"}), required=False, label="Last day")
    half = forms.ChoiceField(choices=[("", "Whole days")] + Half.choices, required=False, label="Part")
    note = forms.CharField(max_length=200, required=False)


class LunchForm(forms.Form):
    user = _user_field()
    day = DayField(widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Starts at")
    minutes = forms.IntegerField(min_value=15, max_value=90, initial=30)


class RecordForm(forms.Form):
    step = forms.ModelChoiceField(queryset=ChecklistStep.objects.filter(active=True))
    note = forms.CharField(max_length=200, required=False)


class AcknowledgeForm(forms.Form):
    step = forms.ModelChoiceField(queryset=ChecklistStep.objects.all())
    day = DayField()
    note = forms.CharField(max_length=300, label="What happened")
