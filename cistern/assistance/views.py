from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.ledger.services import LedgerError

from . import selectors, services
from .forms import ApplicationForm, DecisionForm, WithdrawForm
from .models import ApplicationStatus, LeakReliefApplication


def _account_or_404(number: str) -> Account:
    try:
        return customer_selectors.account_get(number)
    except (InvalidAccountNumber, Account.DoesNotExist):
        raise Http404(f"No account {number}") from None


def _application_or_404(pk: int) -> LeakReliefApplication:
    return get_object_or_404(
        LeakReliefApplication.objects.select_related(
            "account__customer", "account__premise", "applied_by", "decided_by", "adjustment", "terms"
        ),
        pk=pk,
    )


@permission_required("assistance.decide_leakreliefapplication", raise_exception=True)
def queue(request):
    return render(
        request, "assistance/queue.html", {"applications": list(selectors.applications_under_review())}
    )


@permission_required("assistance.add_leakreliefapplication", raise_exception=True)
def apply(request, number):
    account = _account_or_404(number)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, bills=selectors.bills_to_apply_for(account)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_apply(
                actor=request.user, account=account, bills=data["bills"], repair_proof=data["repair_proof"],
                repaired_on=data["repaired_on"], primary_residence=data["primary_residence"], note=data["note"],
            )  # fmt: skip
        except services.AssistanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Application {application.pk} taken: under review.")
            return redirect("assistance:application", pk=application.pk)
    return render(request, "assistance/apply.html", {"account": account, "form": form})


@permission_required("assistance.view_leakreliefapplication", raise_exception=True)
def application(request, pk):
    found = _application_or_404(pk)
    under_review = found.status == ApplicationStatus.UNDER_REVIEW
    return render(
        request, "assistance/application.html",
        {"application": found, "account": found.account, "bills": list(found.bills.order_by("period_end")),
         "can_decide": under_review and request.user.has_perm("assistance.decide_leakreliefapplication"),
         "can_withdraw": under_review and request.user.has_perm("assistance.change_leakreliefapplication"),
         "adjustment_waiting": services.adjustment_waiting(found),
         "decision_form": DecisionForm(), "withdraw_form": WithdrawForm()},
    )  # fmt: skip


@permission_required("assistance.view_leakreliefapplication", raise_exception=True)
def proof(request, pk):
    found = _application_or_404(pk)
    if not found.repair_proof:
        raise Http404("No proof of repair")
    return FileResponse(
        found.repair_proof.open("rb"), filename=found.repair_proof.name.rsplit("/", 1)[-1], as_attachment=True
    )


@require_POST
@permission_required("assistance.decide_leakreliefapplication", raise_exception=True)
def decide(request, pk):
    found = _application_or_404(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick approve or deny.")
        return redirect("assistance:application", pk=found.pk)
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "approve":
            found = services.application_approve(actor=request.user, application=found, note=note)
            if services.adjustment_waiting(found):
                messages.success(
                    request, f"Approved: the relief of ${found.relief_amount:,.2f} waits in the adjustments "
                    f"queue ({found.adjustment.why_approval})",
                )  # fmt: skip
            else:
                messages.success(request, f"Approved: ${found.relief_amount:,.2f} credited to the account.")
        else:
            services.application_deny(actor=request.user, application=found, note=note)
            messages.success(request, "Denied.")
    except (services.AssistanceError, LedgerError) as error:
        messages.error(request, str(error))
    return redirect("assistance:application", pk=found.pk)


@require_POST
@permission_required("assistance.change_leakreliefapplication", raise_exception=True)
def withdraw(request, pk):
    found = _application_or_404(pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say who withdrew the application and why.")
        return redirect("assistance:application", pk=found.pk)
    try:
        services.application_withdraw(actor=request.user, application=found, note=form.cleaned_data["note"])
        messages.success(request, "Withdrawn: late fees and collections resume on the account.")
    except services.AssistanceError as error:
        messages.error(request, str(error))
    return redirect("assistance:application", pk=found.pk)
