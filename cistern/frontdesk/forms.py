from django import forms
from django.contrib.auth import get_user_model

from cistern.core import badinput
from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.fieldwork.models import Priority, ServiceOrder, ServiceOrderType

from . import selectors
from .models import CallOutcome, CaseCategory, CasePriority, NotifiedBy, RoutingTarget


class SafeModelChoice(forms.ModelChoiceField):
    """A choice of a row: a value that is not a record's number is the field's error, never a 500."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= badinput.MAX_ID:
            raise forms.ValidationError("Pick one of the list.")
        return super().to_python(text)


class AccountNumberField(forms.CharField):
    """An account number as the clerk types it (check digit caught)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return customer_selectors.account_get(text)
        except (InvalidAccountNumber, Account.DoesNotExist):
            raise forms.ValidationError(f"No account {text[:20]}: check the number.") from None


class CallForm(forms.Form):
    caller_phone = forms.CharField(
        max_length=20, required=False, label="Caller's number",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel", "autofocus": True}),
    )  # fmt: skip
    caller_name = forms.CharField(max_length=120, required=False, label="Caller's name")
    account = AccountNumberField(label="Account (blank: the number's single match)")
    reason = forms.CharField(max_length=300, label="Reason for the call")
    routed_to = SafeModelChoice(queryset=RoutingTarget.objects.none(), required=False, label="Routed to")
    outcome = forms.ChoiceField(choices=CallOutcome.choices, initial=CallOutcome.RESOLVED, label="Outcome")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["routed_to"].queryset = selectors.routing_targets()


class CaseForm(forms.Form):
    category = SafeModelChoice(queryset=CaseCategory.objects.none(), label="Category")
    priority = forms.ChoiceField(choices=CasePriority.choices, initial=CasePriority.NORMAL)
    account = AccountNumberField(label="Account (optional; needed for a bill dispute)")
    contact_name = forms.CharField(max_length=120, required=False, label="Customer's name")
    contact_phone = forms.CharField(max_length=20, required=False, label="Customer's phone")
    description = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="Description"
    )
    call = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories()

    def clean_call(self):
        text = (self.cleaned_data.get("call") or "").strip()
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= badinput.MAX_ID:
            raise forms.ValidationError("Not a call.")
        return int(text)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, label="Reason")


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Resolution"
    )


class NotifyForm(forms.Form):
    how = forms.ChoiceField(choices=NotifiedBy.choices, label="Customer told by")
    note = forms.CharField(max_length=300, required=False, label="Note")


class ReassignForm(forms.Form):
    to_user = SafeModelChoice(queryset=get_user_model().objects.none(), label="Hand to")
    reason = forms.CharField(max_length=2000, label="Reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = selectors.case_workers()
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


class OrderFromCallForm(forms.Form):
    order_type = SafeModelChoice(queryset=ServiceOrderType.objects.all(), label="Order type")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.ROUTINE)
    notes = forms.CharField(max_length=500, required=False, label="Notes for the technician")


class NoteForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Note")


class VisitorForm(forms.Form):
    name = forms.CharField(
        max_length=120, label="Visitor's name", widget=forms.TextInput(attrs={"autofocus": True})
    )
    organisation = forms.CharField(max_length=120, required=False, label="Organisation")
    purpose = forms.CharField(max_length=200, label="Purpose")
    host = forms.CharField(max_length=120, label="Host (whom they visit)")
    badge = forms.CharField(max_length=10, label="Badge number")


class RadioForm(forms.Form):
    heard_at = forms.TimeField(
        required=False,
        label="Time (blank: now)",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    unit = forms.CharField(max_length=20, label="Unit", widget=forms.TextInput(attrs={"autofocus": True}))
    message = forms.CharField(max_length=300, label="Message")
    order = forms.CharField(max_length=12, required=False, label="Service order number (optional)")

    def clean_order(self):
        text = (self.cleaned_data.get("order") or "").strip()
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or int(text) > 2_147_483_647:
            raise forms.ValidationError(f"{text[:12]!r} is not a service order number.")
        order = ServiceOrder.objects.filter(number=int(text)).first()
        if order is None:
            raise forms.ValidationError(f"No service order {text}.")
        return order
