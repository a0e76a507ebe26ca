from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.customers.models import Account

from . import authority, export, selectors, services
from .forms import AdjustmentForm, DecisionForm
from .models import Adjustment, AdjustmentStatus


@permission_required("ledger.view_glaccount", raise_exception=True)
def gl_summary(request):
    """Debits and credits by GL account for one day; CSV or XLSX for the accounting software."""
    on = badinput.query_date(request.GET.get("on"), name="on", default=clock.today())
    summary = selectors.gl_summary(on)
    kind = request.GET.get("format")
    if kind in ("csv", "xlsx"):
        content = export.gl_csv(on, summary) if kind == "csv" else export.gl_xlsx(on, summary)
        response = HttpResponse(
            content,
            content_type="text/csv" if kind == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="gl-{on:%Y-%m-%d}.{kind}"'
        return response
    return render(request, "ledger/gl_summary.html", {"on": on, "summary": summary})


@permission_required("ledger.add_adjustment", raise_exception=True)
def adjust(request, number):
    """Credit or charge an account with a reason code: posted at once within the clerk's limit, else queued."""
    account = get_object_or_404(Account.objects.select_related("customer"), number=number)
    form = AdjustmentForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = services.adjustment_request(
                actor=request.user, account=account, reason_code=form.cleaned_data["reason"].code,
                amount=form.signed_amount(), late_fee=form.cleaned_data["late_fee"], memo=form.cleaned_data["memo"],
            )  # fmt: skip
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            if adjustment.status == AdjustmentStatus.POSTED:
                messages.success(request, f"{adjustment} posted.")
            else:
                messages.warning(
                    request, f"{adjustment} waits for a lead's approval: {adjustment.why_approval}"
                )
            return redirect("customers:account", account.number)
    return render(request, "ledger/adjust.html", {"account": account, "form": form})


@permission_required("ledger.approve_adjustment", raise_exception=True)
def adjustments_pending(request):
    """The Approvals page: adjustments, and the other credits apps register (bill cancellations), waiting."""
    pending = Adjustment.objects.filter(status=AdjustmentStatus.PENDING).select_related(
        "account__customer", "reason", "requested_by"
    )
    others = [(source.title, source.waiting()) for source in authority.sources()]
    return render(
        request,
        "ledger/adjustments_pending.html",
        {"pending": pending, "others": others, "form": DecisionForm()},
    )


@require_POST
@permission_required("ledger.approve_adjustment", raise_exception=True)
def adjustment_decide(request, adjustment_id):
    adjustment = get_object_or_404(Adjustment, pk=adjustment_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.adjustment_decide(
                actor=request.user, adjustment=adjustment, approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except services.LedgerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{adjustment}: {form.cleaned_data['decision']}d.")
    return redirect("ledger:adjustments_pending")
