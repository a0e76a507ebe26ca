"""Pages of final accounts: the write-offs (accounts to write off, write-offs waiting for a lead, the latest
decided) and the collection-agency referrals (accounts to refer, the files sent, what the agency collected)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.correspondence.services import CorrespondenceError
from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.ledger.services import LedgerError

from . import writeoffs
from .forms import DATE, _Dates
from .models import ReferralBatch, WriteOff

ERRORS = (writeoffs.WriteOffError, LedgerError, CorrespondenceError, PermissionDenied)
MONEY = {"max_digits": 12, "decimal_places": 2}


class WriteOffForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why the balance is written off")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(max_length=200, required=False, label="Note (a rejection says why)")


class ExportForm(forms.Form):
    agency = forms.CharField(max_length=120, label="Collection agency")


class AgencyPaymentForm(_Dates):
    account = forms.CharField(max_length=20, label="Account number")
    received_on = forms.DateField(widget=DATE, initial=clock.today, label="Received on")
    gross = forms.DecimalField(min_value=Decimal("0.01"), label="Collected (gross)", **MONEY)
    commission = forms.DecimalField(min_value=Decimal("0.00"), label="Agency's commission", **MONEY)
    agency_reference = forms.CharField(max_length=60, label="Agency's reference")


def _errors(form) -> str:
    return "; ".join(f"{form.fields[k].label or k if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                     for k, v in form.errors.items())  # fmt: skip


def _account(number: str) -> Account | None:
    try:
        return customer_selectors.account_get(number.strip())
    except (InvalidAccountNumber, Account.DoesNotExist):
        return None


# --- write-offs ----------------------------------------------------------------------------------------------


@permission_required("collections.view_writeoff", raise_exception=True)
def writeoffs_page(request):
    today = clock.today()
    pending = list(writeoffs.pending_write_offs())
    for write_off in pending:
        write_off.can_decide = writeoffs.may_decide(request.user, write_off)
    candidates = writeoffs.write_off_candidates(today)
    return render(
        request, "collections/writeoffs.html",
        {"candidates": candidates, "pending": pending, "recent": writeoffs.recent_write_offs(), "today": today,
         "can_write_off": request.user.has_perm("collections.add_writeoff"), "form": WriteOffForm(),
         "write_off_days": writeoffs.district_settings().write_off_days},
    )  # fmt: skip


@require_POST
@permission_required("collections.add_writeoff", raise_exception=True)
def writeoff_request(request):
    back = redirect("collections:writeoffs")
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return back
    numbers = [n for n in request.POST.getlist("account") if n.strip()][:500]
    accounts = [a for a in (_account(n) for n in numbers) if a is not None]
    if not accounts:
        messages.error(request, "No account ticked: nothing written off. Tick the accounts to write off.")
        return back
    try:
        done, refused = writeoffs.write_offs_request(
            actor=request.user, accounts=accounts, reason=form.cleaned_data["reason"]
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
        return back
    for write_off in done:
        if write_off.status == "posted":
            messages.success(
                request, f"Account {write_off.account.number}: ${write_off.amount:,.2f} written off."
            )
        else:
            messages.info(
                request,
                f"Account {write_off.account.number}: ${write_off.amount:,.2f} waits for a lead's approval "
                f"({write_off.why_approval})",
            )
    for number, why in refused:
        messages.error(request, f"Account {number}: {why}")
    return back


@require_POST
@permission_required("collections.approve_writeoff", raise_exception=True)
def writeoff_decide(request, write_off_id):
    pk = badinput.query_id(write_off_id, name="write-off")
    try:
        write_off = WriteOff.objects.get(pk=pk)
    except WriteOff.DoesNotExist:
        raise Http404(f"No write-off {pk}") from None
    back = redirect("collections:writeoffs")
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return back
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decided = writeoffs.write_off_decide(
            actor=request.user, write_off=write_off, approve=approve, note=form.cleaned_data["note"]
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
        return back
    messages.success(
        request,
        f"Write-off of account {decided.account.number} (${decided.amount:,.2f}) "
        f"{'approved and posted' if approve else 'rejected'}.",
    )
    return back


# --- referrals and the agency's payments ---------------------------------------------------------------------


@permission_required("collections.view_agencyreferral", raise_exception=True)
def referrals_page(request):
    return render(
        request, "collections/referrals.html",
        {"to_refer": writeoffs.to_refer(), "batches": writeoffs.referral_batches(),
         "referrals": writeoffs.referrals(), "payments": writeoffs.agency_payments(),
         "export_form": ExportForm(), "payment_form": AgencyPaymentForm(),
         "header": ",".join(writeoffs.REFERRAL_HEADER)},
    )  # fmt: skip


@require_POST
@permission_required("collections.export_agencyreferral", raise_exception=True)
def referral_export(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("collections:referrals")
    try:
        batch = writeoffs.referrals_export(actor=request.user, agency=form.cleaned_data["agency"])
    except ERRORS as exc:
        messages.error(request, str(exc))
        return redirect("collections:referrals")
    if batch is None:
        messages.info(request, "No written-off account is waiting to be referred: no file made.")
        return redirect("collections:referrals")
    messages.success(
        request, f"{batch.count} account{'s' if batch.count != 1 else ''} (${batch.total:,.2f}) referred to "
        f"{batch.agency}: download the file below.",
    )  # fmt: skip
    return redirect("collections:referrals")


@permission_required("collections.export_agencyreferral", raise_exception=True)
def referral_file(request, batch_id):
    pk = badinput.query_id(batch_id, name="file")
    try:
        batch = ReferralBatch.objects.get(pk=pk)
    except ReferralBatch.DoesNotExist:
        raise Http404(f"No referral file {pk}") from None
    response = HttpResponse(batch.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="referrals-{batch.referred_on:%Y%m%d}-{batch.pk}.csv"'
    )
    return response


@require_POST
@permission_required("collections.post_agencypayment", raise_exception=True)
def agency_payment(request):
    back = redirect("collections:referrals")
    form = AgencyPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return back
    data = form.cleaned_data
    account = _account(data["account"])
    if account is None:
        messages.error(request, f"No account {data['account']}.")
        return back
    try:
        payment = writeoffs.agency_payment_post(
            actor=request.user, account=account, gross=data["gross"], commission=data["commission"],
            on=data["received_on"], agency_reference=data["agency_reference"],
        )  # fmt: skip
    except ERRORS as exc:
        messages.error(request, str(exc))
        return back
    messages.success(
        request,
        f"Account {account.number}: ${payment.gross:,.2f} collected by the agency, ${payment.commission:,.2f} "
        f"commission, ${payment.gross - payment.commission:,.2f} net to cash.",
    )
    return back


urlpatterns = [
    path("writeoffs/", writeoffs_page, name="writeoffs"),
    path("writeoffs/request/", writeoff_request, name="writeoff_request"),
    path("writeoffs/<str:write_off_id>/decide/", writeoff_decide, name="writeoff_decide"),
    path("referrals/", referrals_page, name="referrals"),
    path("referrals/export/", referral_export, name="referral_export"),
    path("referrals/files/<str:batch_id>/", referral_file, name="referral_file"),
    path("referrals/payments/", agency_payment, name="agency_payment"),
]
