from django import forms

from cistern.core import clock

from . import starting
from .models import (
    AccountRelationship,
    Channel,
    CreditDecision,
    Customer,
    CustomerKind,
    FlagKind,
    IdentityMethod,
    Language,
    OccupancyType,
    Premise,
)

DATE = forms.DateInput(attrs={"type": "date"})


class ContactEntryForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE)
    subject = forms.CharField(max_length=120)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CustomerForm(forms.ModelForm):
    reason = forms.CharField(max_length=200, required=False, help_text="Why the details change (optional).")

    class Meta:
        model = Customer
        fields = [
            "kind", "name", "phone", "phone_alt", "email", "mailing_street", "mailing_unit", "mailing_city",
            "mailing_state", "mailing_zip", "preferred_language", "paperless",
        ]  # fmt: skip


FROM_PREMISE = ""  # the relationship / occupancy the premise's occupancy gives (starting.py)


class ApplicationFields(forms.Form):
    relationship = forms.ChoiceField(choices=AccountRelationship.choices)
    occupancy_type = forms.ChoiceField(choices=OccupancyType.choices)
    identity_method = forms.ChoiceField(choices=IdentityMethod.choices, label="Identity verified by")
    credit_decision = forms.ChoiceField(
        choices=CreditDecision.choices,
        help_text="The result of the soft credit check. Never write down the SSN.",
    )
    deposit_required = forms.BooleanField(required=False, label="Take the guarantee deposit")
    deposit_waived_reason = forms.CharField(max_length=200, required=False, label="Deposit waived because")
    charge_setup_fee = forms.BooleanField(required=False, initial=True, label="Charge the account set-up fee")


def _relationship_field():
    return forms.ChoiceField(
        choices=[(FROM_PREMISE, "As the address: tenant for a rental, owner if owner-occupied")]
        + AccountRelationship.choices,
        required=False,
    )


def _occupancy_field():
    return forms.ChoiceField(
        choices=[(FROM_PREMISE, "As the address")] + OccupancyType.choices, required=False, label="Occupancy"
    )


def resolve_from_premise(form: forms.Form, data: dict, premise_field: str) -> None:
    """Fill a blank occupancy from the premise, and a blank relationship from the occupancy (starting.py)."""
    premise = data.get(premise_field)
    if premise is None:
        return
    if not data.get("occupancy_type"):
        data["occupancy_type"] = premise.occupancy_type
    if not data.get("relationship"):
        relationship = starting.default_relationship(data["occupancy_type"])
        if relationship is None:
            form.add_error(
                "relationship",
                f"{premise.service_address} is {OccupancyType(data['occupancy_type']).label.lower()}: "
                "choose owner or tenant.",
            )
        else:
            data["relationship"] = relationship


class StartServiceForm(ApplicationFields):
    """A start of service. Relationship and occupancy default from the premise ("as the address"): a rental
    is a tenant's, an owner-occupied house its owner's; a commercial premise needs the clerk to say which."""

    relationship = _relationship_field()
    occupancy_type = _occupancy_field()
    premise = forms.ModelChoiceField(
        queryset=Premise.objects.all(), widget=forms.HiddenInput, error_messages={
            "required": "Choose the service address.",
        }
    )  # fmt: skip
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(), widget=forms.HiddenInput, required=False
    )
    start_date = forms.DateField(widget=DATE, initial=clock.today)
    stop_current_account = forms.BooleanField(
        required=False, label="Stop the current account at this address on the start date (move-out)"
    )
    reason = forms.CharField(max_length=200, required=False, label="Note")
    # A new customer, when `customer` is empty.
    kind = forms.ChoiceField(choices=CustomerKind.choices, initial=CustomerKind.PERSON, required=False)
    name = forms.CharField(max_length=120, required=False)
    phone = forms.CharField(max_length=20, required=False)
    phone_alt = forms.CharField(max_length=20, required=False, label="Alternate phone")
    email = forms.EmailField(required=False)
    mailing_street = forms.CharField(
        max_length=120, required=False, help_text="Blank: same as service address."
    )
    mailing_unit = forms.CharField(max_length=30, required=False)
    mailing_city = forms.CharField(max_length=60, required=False)
    mailing_state = forms.CharField(max_length=2, required=False, initial="CA")
    mailing_zip = forms.CharField(max_length=10, required=False)
    preferred_language = forms.ChoiceField(choices=Language.choices, initial=Language.ENGLISH, required=False)
    paperless = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        resolve_from_premise(self, data, "premise")
        if not data.get("customer"):
            if not data.get("name", "").strip():
                self.add_error("name", "Enter the customer's name (or start from an existing customer).")
            if not (data.get("phone") or data.get("email")):
                self.add_error(
                    "phone", "Take a phone number or an email so the district can reach the customer."
                )
            if data.get("paperless") and not data.get("email"):
                self.add_error("email", "Paperless billing needs an email address.")
        return data


class TransferServiceForm(forms.Form):
    new_premise = forms.ModelChoiceField(
        queryset=Premise.objects.all(), widget=forms.HiddenInput,
        error_messages={"required": "Choose the new service address."},
    )  # fmt: skip
    transfer_date = forms.DateField(widget=DATE, initial=clock.today)
    relationship = _relationship_field()
    occupancy_type = _occupancy_field()
    reason = forms.CharField(max_length=200, required=False, label="Note")

    def clean(self):
        data = super().clean()
        resolve_from_premise(self, data, "new_premise")
        return data


class StopServiceForm(forms.Form):
    stop_date = forms.DateField(widget=DATE, initial=clock.today)
    street = forms.CharField(max_length=120, label="Forwarding street")
    unit = forms.CharField(max_length=30, required=False)
    city = forms.CharField(max_length=60)
    state = forms.CharField(max_length=2, initial="CA")
    zip = forms.CharField(max_length=10, label="ZIP")
    reason = forms.CharField(max_length=200, required=False, label="Note")


class FlagForm(forms.Form):
    kind = forms.ChoiceField(choices=FlagKind.choices)
    starts_on = forms.DateField(widget=DATE, initial=clock.today)
    expires_on = forms.DateField(widget=DATE, required=False)
    reason = forms.CharField(max_length=200)


class FlagEndForm(forms.Form):
    on = forms.DateField(widget=DATE, initial=clock.today, label="Last day in force")
    reason = forms.CharField(max_length=200)


class RelationshipCorrectionForm(forms.Form):
    relationship = forms.ChoiceField(choices=AccountRelationship.choices)
    occupancy_type = forms.ChoiceField(choices=OccupancyType.choices, label="Occupancy")
    premise_too = forms.BooleanField(
        required=False, label="Correct the address's occupancy too (the next start there defaults from it)"
    )
    reason = forms.CharField(max_length=200, help_text="Why: what the customer or the records showed.")
