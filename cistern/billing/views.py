import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import badinput, csvsafe
from cistern.customers.models import Account

from . import documents, selectors, services, tasks, unbilled
from .models import Bill, BillCancelRequest, BillCycle, BillRun, CancelStatus, RunStatus


@permission_required("billing.view_billrun", raise_exception=True)
def run_list(request):
    """The cycles and their runs; a new run for a cycle's period."""
    if request.method == "POST":
        if not request.user.has_perm("billing.calculate_billrun"):
            raise PermissionDenied
        cycle = get_object_or_404(
            BillCycle, pk=badinput.query_id(request.POST.get("cycle", ""), name="cycle")
        )
        try:
            period_end = date.fromisoformat(request.POST.get("period_end", ""))
            if not badinput.date_in_range(period_end):  # 0001-01-01: no period before it
                raise ValueError(period_end)
            run = services.bill_run_create(actor=request.user, cycle=cycle, period_end=period_end)
        except ValueError as exc:  # BillingError is a ValueError, as is a bad date
            messages.error(
                request, str(exc) if isinstance(exc, services.BillingError) else "Enter the period end."
            )
            return redirect("billing:run_list")
        tasks.calculate_run.enqueue(run.pk, request.user.pk)
        return redirect("billing:run", run.pk)
    runs = BillRun.objects.select_related("cycle", "calculated_by", "approved_by")[:60]
    cycles = BillCycle.objects.filter(active=True).prefetch_related("cycle_routes__route")
    return render(request, "billing/run_list.html", {"runs": runs, "cycles": cycles})


def _run_context(run: BillRun) -> dict:
    return {
        "run": run,
        "summary": selectors.run_summary(run),
        # Calculating (a new run, or calculating again) or posting: the page polls its progress.
        "working": run.status in (RunStatus.NEW, RunStatus.POSTING)
        or (run.status != RunStatus.CANCELLED and run.progress_done < run.progress_total),
        "percent": int(100 * run.progress_done / run.progress_total) if run.progress_total else 0,
    }


@permission_required("billing.view_billrun", raise_exception=True)
def run_detail(request, run_id):
    run = get_object_or_404(
        BillRun.objects.select_related("cycle", "calculated_by", "approved_by"), pk=run_id
    )
    context = _run_context(run)
    context["items"] = selectors.run_exception_items(run)
    context["ebills_not_sent"] = selectors.ebills_not_sent(run)
    context["events"] = run.events.select_related("actor")
    return render(request, "billing/run_detail.html", context)


@permission_required("billing.view_billrun", raise_exception=True)
def run_progress(request, run_id):
    """The run's status and progress bar, polled by the page while work is under way."""
    run = get_object_or_404(BillRun.objects.select_related("cycle"), pk=run_id)
    context = _run_context(run)
    response = render(request, "billing/_run_progress.html", context)
    if request.headers.get("HX-Request") and not context["working"]:
        response["HX-Refresh"] = "true"  # the step finished: the whole page (actions, exceptions) changes
    return response


QUEUED_STEPS = {"calculate": tasks.calculate_run, "post": tasks.post_run}


@require_POST
@permission_required("billing.view_billrun", raise_exception=True)
def run_action(request, run_id, action):
    if action not in (*QUEUED_STEPS, "approve", "cancel"):
        raise PermissionDenied
    run = get_object_or_404(BillRun, pk=run_id)
    try:
        if action in QUEUED_STEPS:
            services.bill_run_check(actor=request.user, run=run, step=action)  # refused now, not in the task
            QUEUED_STEPS[action].enqueue(run.pk, request.user.pk)
        elif action == "approve":
            services.bill_run_approve(actor=request.user, run=run, note=request.POST.get("note", ""))
            messages.success(request, f"{run} approved.")
        else:
            services.bill_run_cancel(actor=request.user, run=run, reason=request.POST.get("reason", ""))
            messages.success(request, f"{run} cancelled.")
    except services.BillingError as exc:
        messages.error(request, str(exc))
    return redirect("billing:run", run.pk)


@permission_required("billing.view_billrun", raise_exception=True)
def run_print_export(request, run_id):
    """The print vendor's file: one row per bill it mails (paperless customers get theirs by e-mail)."""
    run = get_object_or_404(BillRun.objects.select_related("cycle"), pk=run_id)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)  # a name or address cannot run as a formula
    writer.writerow(documents.PRINT_COLUMNS)
    for row in documents.print_rows(run):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="bills-{run.cycle.code}-{run.period_end:%Y-%m-%d}.csv"'
    )
    return response


@permission_required("billing.view_bill", raise_exception=True)
def bill_detail(request, bill_id):
    """The bill as the customer got it, and each line's arithmetic in plain words."""
    bill = get_object_or_404(selectors.bills_with_lines(), pk=bill_id)
    waiting = selectors.cancellation_waiting(bill)
    return render(
        request, "billing/bill_detail.html",
        {"bill": bill, "account": bill.account, "usage": selectors.usage_history(bill.account_id, bill.period_end),
         "cancel_waiting": waiting, "charge_groups": selectors.charge_groups(bill)},
    )  # fmt: skip


@permission_required("billing.view_bill", raise_exception=True)
def bill_pdf(request, bill_id):
    bill = get_object_or_404(selectors.bills_with_lines(), pk=bill_id)
    response = HttpResponse(documents.bill_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bill-{bill.account.number}-{bill.pk}.pdf"'
    return response


@require_POST
@permission_required("billing.cancel_bill", raise_exception=True)
def bill_cancel(request, bill_id):
    """Cancel (and rebill): at once within the clerk's authority, else waiting for a lead's approval."""
    bill = get_object_or_404(Bill, pk=bill_id)
    try:
        asked = services.bill_cancel_request(
            actor=request.user, bill=bill, reason=request.POST.get("reason", ""),
            rebill=request.POST.get("rebill") == "1",
        )  # fmt: skip
    except services.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("billing:bill", bill.pk)
    if asked.status == CancelStatus.PENDING:
        messages.warning(
            request, f"Bill {bill.pk}: the cancellation waits for a lead's approval: {asked.why_approval}"
        )
        return redirect("billing:bill", bill.pk)
    new = Bill.objects.filter(replaces=bill).first()
    if new is None:
        messages.success(request, f"Bill {bill.pk} cancelled.")
        return redirect("billing:bill", bill.pk)
    messages.success(request, f"Bill {bill.pk} cancelled; rebilled as bill {new.pk}.")
    return redirect("billing:bill", new.pk)


@require_POST
@permission_required("ledger.approve_adjustment", raise_exception=True)
def cancel_decide(request, request_id):
    """A lead approves or rejects a waiting cancellation (from the Approvals page)."""
    asked = get_object_or_404(BillCancelRequest, pk=request_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, "Approve or reject.")
        return redirect("ledger:adjustments_pending")
    try:
        services.bill_cancel_decide(
            actor=request.user,
            request=asked,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
        )
    except services.BillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{asked}: {decision}d.")
    return redirect("ledger:adjustments_pending")


@require_POST
@permission_required("billing.add_bill", raise_exception=True)
def final_bill(request, number):
    account = get_object_or_404(Account, number=number)
    try:
        bill = services.bill_final(actor=request.user, account=account)
    except services.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("customers:account", account.number)
    messages.success(request, f"Final bill {bill.pk} posted.")
    return redirect("billing:bill", bill.pk)


@permission_required("billing.view_unbilledreview", raise_exception=True)
def accounts_not_billed(request):
    """The lead's queue: every account a run held, or stopped with no final bill, until it is billed."""
    if request.method == "POST":
        account = get_object_or_404(Account, number=request.POST.get("account", ""))
        try:
            services.unbilled_review_update(
                actor=request.user, account=account, looking=request.POST.get("looking") == "1",
                note=request.POST.get("note", ""),
            )  # fmt: skip
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("billing:accounts_not_billed")
    return render(request, "billing/accounts_not_billed.html", {"rows": unbilled.accounts_not_billed()})
