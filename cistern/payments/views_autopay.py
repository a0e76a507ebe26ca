"""Autopay pages: an account's enrolment (enrol, end, its debits) and an ACH return entered by hand. Thin: the
services in autopay.py decide; a PaymentError is shown on the field it names."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import clock
from cistern.customers.models import Account

from . import autopay
from .models import AutopayEnrolment, BankAccountType, DebitStatus
from .services import PaymentError


class EnrolForm(forms.Form):
    holder_name = forms.CharField(label="Name on the bank account", max_length=22)
    routing_number = forms.CharField(
        label="Routing number (9 digits)", max_length=9, min_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{9}"}),
    )  # fmt: skip
    bank_account_number = forms.CharField(
        label="Bank account number", max_length=17,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )  # fmt: skip
    bank_account_type = forms.ChoiceField(label="Account type", choices=BankAccountType.choices)


class EndForm(forms.Form):
    reason = forms.CharField(label="Why autopay ends", max_length=200)


class ReturnForm(forms.Form):
    reference = forms.CharField(
        label="Trace number (15 digits) or receipt number", max_length=20,
        help_text="As the bank's return notice gives it.",
    )  # fmt: skip
    return_code = forms.ChoiceField(
        label="Return code", choices=[(c, f"{c} {why}") for c, why in autopay.RETURN_REASONS.items()]
    )
    returned_on = forms.DateField(label="Returned on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="Note (optional)", max_length=100, required=False)


def _error(form, exc: PaymentError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _page(request, account, enrol_form=None, end_form=None, status=200):
    current = autopay.current_enrolment(account)
    history = (
        AutopayEnrolment.objects.filter(account=account)
        .prefetch_related("debits__file")
        .select_related("enrolled_by")
    )
    context = {
        "account": account,
        "current": current,
        "masked": autopay.masked(current) if current else "",
        "next_debit": autopay.next_debit(current),
        "enrolments": [(e, autopay.masked(e), list(e.debits.all())) for e in history],
        "enrol_form": enrol_form or EnrolForm(initial={"holder_name": account.customer.name[:22]}),
        "end_form": end_form or EndForm(),
        "sent": DebitStatus.SENT,
    }
    return render(request, "payments/autopay/account.html", context, status=status)


@permission_required("payments.view_autopayenrolment", raise_exception=True)
def account_autopay(request, number):
    """An account's autopay: the enrolment in force (masked account, next debit), the debits, enrol or end."""
    account = get_object_or_404(Account.objects.select_related("customer"), number=number)
    return _page(request, account)


@require_POST
@permission_required("payments.add_autopayenrolment", raise_exception=True)
def enrol(request, number):
    account = get_object_or_404(Account.objects.select_related("customer"), number=number)
    form = EnrolForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            enrolment = autopay.enrolment_create(
                actor=request.user, account=account, holder_name=data["holder_name"],
                routing_number=data["routing_number"], bank_account_number=data["bank_account_number"],
                account_type=data["bank_account_type"],
            )  # fmt: skip
        except PaymentError as exc:
            _error(form, exc)
        else:
            prenote = enrolment.debits.get()
            messages.success(
                request,
                f"Autopay enrolled ({autopay.masked(enrolment)}): the prenote settles {prenote.settle_on:%m/%d/%Y}; "
                f"bills due from {enrolment.live_from:%m/%d/%Y} on are debited.",
            )
            return redirect("payments:autopay", account.number)
    return _page(request, account, enrol_form=form, status=400)


@require_POST
@permission_required("payments.change_autopayenrolment", raise_exception=True)
def end(request, enrolment_id):
    enrolment = get_object_or_404(
        AutopayEnrolment.objects.select_related("account__customer"), pk=enrolment_id
    )
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            autopay.enrolment_end(actor=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"])
        except PaymentError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Autopay ended; debits not yet sent are cancelled.")
            return redirect("payments:autopay", enrolment.account.number)
    return _page(request, enrolment.account, end_form=form, status=400)


@permission_required("payments.record_return", raise_exception=True)
def ach_return(request):
    """An ACH return from the bank's notice: the debit by its trace (or the payment's receipt), the code, the day."""
    initial = {"returned_on": clock.today(), "reference": (request.GET.get("trace") or "")[:20]}
    form = ReturnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        debit = autopay.debit_for_reference(data["reference"])
        if debit is None:
            form.add_error("reference", "No autopay debit was sent with this trace or receipt number.")
        else:
            try:
                result = autopay.ach_return(
                    actor=request.user, debit=debit, return_code=data["return_code"],
                    returned_on=data["returned_on"], note=data["note"],
                )  # fmt: skip
            except PaymentError as exc:
                _error(form, exc if exc.field != "debit" else PaymentError(str(exc), "reference"))
            else:
                messages.success(request, str(result))
                return redirect("payments:autopay", debit.enrolment.account.number)
    context = {
        "form": form,
        "end_codes": sorted(autopay.end_codes()),
        "represent_codes": sorted(autopay.represent_codes()),
    }
    return render(request, "payments/autopay/return.html", context, status=400 if form.errors else 200)
