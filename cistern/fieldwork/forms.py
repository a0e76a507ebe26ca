from django import forms
from django.utils import timezone

from cistern.customers.models import Channel
from cistern.metering.models import MeterSize

from . import selectors
from .models import Priority, ServiceOrderType

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic"}


class OrderForm(forms.Form):
    account_number = forms.CharField(max_length=12, label="Account number")
    order_type = forms.ModelChoiceField(ServiceOrderType.objects.all(), label="Type")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.ROUTINE)
    requested_on = forms.DateField(widget=DATE, label="Requested for", initial=timezone.localdate)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Instructions")
    follow_up = forms.BooleanField(required=False, label="Call the customer back when done")


class ScheduleForm(forms.Form):
    scheduled_on = forms.DateField(widget=DATE, label="Day")
    window_start = forms.TimeField(widget=TIME, required=False, label="From")
    window_end = forms.TimeField(widget=TIME, required=False, label="To")
    technician = forms.ModelChoiceField(
        queryset=None, required=False, label="Technician", empty_label="— unassigned —"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians()
        self.fields["technician"].label_from_instance = lambda user: user.get_full_name() or user.username


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200)


class CompleteForm(forms.Form):
    read_value = forms.CharField(
        max_length=14, required=False, label="Meter read",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    new_meter_serial = forms.CharField(max_length=30, required=False, label="New meter serial")
    new_initial_value = forms.CharField(
        max_length=14, required=False, label="New meter read",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    field_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes")
    photo = forms.ImageField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "content_type", None) not in PHOTO_TYPES:
            raise forms.ValidationError("The photo must be a JPEG, PNG, WebP or HEIC image.")
        if photo and photo.size > 15 * 1024 * 1024:
            raise forms.ValidationError("The photo is larger than 15 MB.")
        return photo


class FollowUpForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE)
    subject = forms.CharField(max_length=120)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ConnectionForm(forms.Form):
    applicant_name = forms.CharField(max_length=120, label="Applicant")
    applicant_phone = forms.CharField(max_length=20, required=False, label="Phone")
    applicant_email = forms.EmailField(required=False, label="Email")
    street = forms.CharField(max_length=120)
    unit = forms.CharField(max_length=30, required=False)
    city = forms.CharField(max_length=60)
    zip_code = forms.CharField(max_length=10, label="ZIP")
    parcel_number = forms.CharField(max_length=20, required=False, label="Parcel (APN)")
    meter_size = forms.ChoiceField(choices=MeterSize.choices, initial=MeterSize.THREE_QUARTER)
    capacity_charge = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    meter_installation_fee = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ProgramForm(forms.Form):
    program = forms.ChoiceField(choices=[(k, p.name) for k, p in selectors.PROGRAMS.items()])
    reads = forms.IntegerField(min_value=1, max_value=12, initial=3, required=False,
                               label="Zero reads in a row")  # fmt: skip
    years = forms.IntegerField(
        min_value=1, max_value=60, initial=15, required=False, label="Installed at least (years)"
    )
    size = forms.ChoiceField(choices=[("", "any size")] + MeterSize.choices, required=False)
    make = forms.CharField(max_length=40, required=False)

    def params(self) -> dict:
        data = self.cleaned_data
        program = selectors.PROGRAMS[data["program"]]
        defaults = {"reads": 3, "years": 15, "size": "", "make": ""}
        return {name: data.get(name) or defaults[name] for name in program.params}
