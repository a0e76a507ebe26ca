"""The bank's pages: deposits of audited drawers and their slips, returned payments and their letters, refunds
(asked, decided, sent to accounts payable). Thin: the forms read, bank.py does."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.customers.models import Account, AccountFlag, FlagKind, Language

from . import bank, slips
from .models import BankDeposit, DrawerSession, Payment, PaymentReturn, PaymentStatus, Refund, RefundStatus

OTHER = "other"


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- deposits ----------------------------------------------------------------------------------------------


class DrawerChoices(forms.ModelMultipleChoiceField):
    """Drawers picked from the list; an id no database column holds is refused as not on the list (the
    database would overflow on it rather than find nothing)."""

    def clean(self, value):
        for item in value or []:
            if not str(item).isdigit() or int(item) > 2**63 - 1:
                raise forms.ValidationError("Pick the drawers from the list.", code="invalid_choice")
        return super().clean(value)


class DepositForm(forms.Form):
    sessions = DrawerChoices(
        queryset=DrawerSession.objects.none(), widget=forms.CheckboxSelectMultiple, label="Drawers"
    )
    deposit_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Deposit date")
    bank_reference = forms.CharField(max_length=60, required=False, label="Bank reference (bag or slip no.)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = bank.sessions_to_deposit()
        self.fields["deposit_date"].initial = clock.today()


@permission_required("payments.view_bankdeposit", raise_exception=True)
def deposits(request):
    """Audited drawers waiting for the bank (a lead assembles the deposit) and the deposits made."""
    waiting = list(bank.sessions_to_deposit())
    return render(
        request, "payments/bank/deposits.html",
        {"waiting": waiting, "form": DepositForm(), "deposits": BankDeposit.objects.select_related("prepared_by")[:50]},
    )  # fmt: skip


@require_POST
@permission_required("payments.prepare_deposit", raise_exception=True)
def deposit_new(request):
    form = DepositForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("payments:deposits")
    try:
        deposit = bank.deposit_prepare(
            actor=request.user, sessions=form.cleaned_data["sessions"], deposit_date=form.cleaned_data["deposit_date"],
            bank_reference=form.cleaned_data["bank_reference"],
        )  # fmt: skip
    except bank.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:deposits")
    messages.success(request, f"{deposit} recorded: print the slip for the bag.")
    return redirect("payments:deposit", deposit.pk)


@permission_required("payments.view_bankdeposit", raise_exception=True)
def deposit_detail(request, deposit_id):
    deposit = get_object_or_404(BankDeposit.objects.select_related("prepared_by", "entry"), pk=deposit_id)
    return render(
        request, "payments/bank/deposit.html",
        {"deposit": deposit, "cash_lines": bank.denomination_lines(deposit.denominations),
         "sessions": deposit.sessions.select_related("cashier").order_by("business_day", "id")},
    )  # fmt: skip


@permission_required("payments.view_bankdeposit", raise_exception=True)
def deposit_slip(request, deposit_id):
    deposit = get_object_or_404(BankDeposit.objects.select_related("prepared_by"), pk=deposit_id)
    return _pdf(slips.render_pdf(bank.deposit_slip(deposit)), f"deposit-{deposit.pk}.pdf")


# --- returned payments -------------------------------------------------------------------------------------


class FindPaymentForm(forms.Form):
    receipt = forms.CharField(max_length=12, required=False, label="Receipt number")
    check_number = forms.CharField(max_length=20, required=False, label="Check number")
    account = forms.CharField(max_length=8, required=False, label="Account number")


class ReturnForm(forms.Form):
    returned_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Returned on")
    reason = forms.ChoiceField(
        choices=[(r, r) for r in bank.RETURN_REASONS] + [(OTHER, "Other (say which)")], label="Bank's reason"
    )
    other_reason = forms.CharField(max_length=200, required=False, label="Other reason")

    def clean(self):
        data = super().clean()
        if data.get("reason") == OTHER and not (data.get("other_reason") or "").strip():
            self.add_error("other_reason", "Write the reason the bank's notice gives.")
        day = data.get("returned_on")
        if day is not None and not badinput.date_in_range(day):
            self.add_error("returned_on", "Give a real date.")
        return data

    def reason_text(self) -> str:
        data = self.cleaned_data
        return data["other_reason"].strip() if data["reason"] == OTHER else data["reason"]


@permission_required("payments.view_payment", raise_exception=True)
def returns(request):
    found = PaymentReturn.objects.select_related("payment__customer", "recorded_by")[:100]
    return render(request, "payments/bank/returns.html", {"returns": found})


@permission_required("payments.record_return", raise_exception=True)
def return_new(request):
    """Find the check payment (receipt, check or account number, or ?payment=<id> from its page), then record
    the bank's return of it."""
    payment = None
    raw = request.GET.get("payment") or request.POST.get("payment")
    if raw:
        payment = get_object_or_404(
            Payment.objects.select_related("customer", "session").prefetch_related("tenders", "parts__account"),
            pk=badinput.query_id(raw, name="payment"),
        )  # fmt: skip
    find = FindPaymentForm(request.GET or None)
    candidates = []
    if payment is None and find.is_valid() and any(find.cleaned_data.values()):
        candidates = list(bank.returnable_payments(**find.cleaned_data)[:50])
    form = ReturnForm(request.POST or None, initial={"returned_on": clock.today()})
    if request.method == "POST":
        if payment is None:
            raise BadRequest("payment: say which payment was returned.")
        if form.is_valid():
            try:
                returned = bank.payment_return(
                    actor=request.user, payment=payment, returned_on=form.cleaned_data["returned_on"],
                    reason=form.reason_text(),
                )  # fmt: skip
            except bank.PaymentError as exc:
                form.add_error(None, str(exc))
            else:
                note = (
                    " Its account is now cash only: checks are refused." if _cash_only_flags(returned) else ""
                )
                messages.success(request, f"Payment {payment.receipt_number} recorded as returned.{note}")
                return redirect("payments:return", returned.pk)
    returnable = payment is not None and payment.status == PaymentStatus.POSTED
    return render(
        request, "payments/bank/return_new.html",
        {"payment": payment, "returnable": returnable, "find": find, "candidates": candidates, "form": form,
         "searched": bool(request.GET) and payment is None},
    )  # fmt: skip


def _cash_only_flags(returned: PaymentReturn):
    """The cash-only flags this return put on the accounts its payment paid."""
    return AccountFlag.objects.filter(
        account__payment_parts__payment_id=returned.payment_id, kind=FlagKind.CASH_ONLY,
        starts_on=returned.returned_on,
    ).select_related("account")  # fmt: skip


@permission_required("payments.view_payment", raise_exception=True)
def return_detail(request, return_id):
    returned = get_object_or_404(
        PaymentReturn.objects.select_related("payment__customer", "payment__session", "recorded_by", "fee_entry"),
        pk=return_id,
    )  # fmt: skip
    payment = returned.payment
    return render(
        request, "payments/bank/return.html",
        {"returned": returned, "payment": payment, "parts": payment.parts.select_related("account"),
         "tenders": payment.tenders.all(), "fee": _fee(returned), "cash_only": _cash_only_flags(returned),
         "language": dict(Language.choices).get(returned.letter_language, returned.letter_language)},
    )  # fmt: skip


def _fee(returned: PaymentReturn):
    if returned.fee_entry_id is None:
        return None
    return returned.fee_entry.lines.filter(account__isnull=False).first()


@permission_required("payments.view_payment", raise_exception=True)
def return_letter(request, return_id):
    returned = get_object_or_404(PaymentReturn, pk=return_id)
    if not returned.letter_pdf:
        raise BadRequest("This return has no letter.")
    return _pdf(bytes(returned.letter_pdf), f"returned-payment-{returned.payment_id}.pdf")


# --- refunds -----------------------------------------------------------------------------------------------


class RefundForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), label="Amount")
    payee = forms.CharField(max_length=120, label="Payee")
    mailing_address = forms.CharField(max_length=300, label="Mailing address")
    reason = forms.CharField(max_length=200, label="Reason")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(max_length=200, required=False)


@permission_required("payments.view_refund", raise_exception=True)
def refunds(request):
    pending = Refund.objects.filter(status=RefundStatus.PENDING).select_related(
        "account__customer", "requested_by"
    )
    decidable = set(bank.refunds_waiting_for(request.user).values_list("pk", flat=True))
    return render(
        request, "payments/bank/refunds.html",
        {"pending": pending, "decidable": decidable, "limit": bank.refund_limit(request.user),
         "recent": Refund.objects.exclude(status=RefundStatus.PENDING).select_related("account", "decided_by")[:50]},
    )  # fmt: skip


@permission_required("payments.add_refund", raise_exception=True)
def refund_new(request, number):
    account = get_object_or_404(Account.objects.select_related("customer"), number=number)
    credit = bank.account_credit(account)
    initial = {
        "amount": credit,
        "payee": account.customer.name,
        "mailing_address": account.customer.mailing_address,
    }
    form = RefundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            refund = bank.refund_request(actor=request.user, account=account, **form.cleaned_data)
        except bank.PaymentError as exc:
            form.add_error("amount" if exc.field == "amount" else None, str(exc))
        else:
            messages.success(request, f"{refund} waits for a lead's approval.")
            return redirect("customers:account", account.number)
    return render(
        request, "payments/bank/refund_new.html", {"account": account, "credit": credit, "form": form}
    )


@require_POST
@permission_required("payments.approve_refund", raise_exception=True)
def refund_decide(request, refund_id):
    refund = get_object_or_404(Refund, pk=refund_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Approve or reject the refund.")
        return redirect("payments:refunds")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        refund = bank.refund_decide(
            actor=request.user, refund=refund, approve=approve, note=form.cleaned_data["note"]
        )
    except bank.PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{refund}: {'approved' if approve else 'rejected'}.")
    return redirect("payments:refunds")


@permission_required("payments.export_refunds", raise_exception=True)
def refund_exports(request):
    waiting = Refund.objects.filter(status=RefundStatus.APPROVED, exported_at__isnull=True).select_related(
        "account", "decided_by"
    )
    return render(
        request,
        "payments/bank/refund_exports.html",
        {"waiting": waiting, "batches": bank.export_batches()[:50]},
    )


@require_POST
@permission_required("payments.export_refunds", raise_exception=True)
def refund_export(request):
    """Send the approved refunds to accounts payable: the batch is recorded, then its file is downloaded (the
    same file can be fetched again from the batch's link)."""
    try:
        batch, _, total = bank.refunds_export(actor=request.user)
    except bank.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:refund_exports")
    messages.success(request, f"Batch {batch} (${total:,.2f}) marked sent to accounts payable.")
    return redirect("payments:refund_export_file", batch)


@permission_required("payments.export_refunds", raise_exception=True)
def refund_export_file(request, batch):
    refunds_ = bank.refunds_of_batch(batch)
    if not refunds_.exists():
        raise BadRequest(f"batch: no batch {batch[:40]!r}.")
    response = HttpResponse(bank.refunds_csv(refunds_), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refunds-{batch}.csv"'
    return response
