"""Billing: bill runs (list, page, progress, print file, actions), bills (page, PDF, cancel, a waiting
cancellation's decision), final bills."""

PAGES = {
    "billing:run_list": "billing.view_billrun",
    "billing:run": "billing.view_billrun",
    "billing:run_progress": "billing.view_billrun",
    "billing:run_print_export": "billing.view_billrun",
    "billing:bill": "billing.view_bill",
    "billing:bill_pdf": "billing.view_bill",
    "billing:accounts_not_billed": "billing.view_unbilledreview",
}
# A permitted POST redirects: the approval is refused by the service (the run is new, not calculated) and
# the clerk is sent back with the reason; the final bill likewise (the account is not stopped).
POSTS = {
    "billing:run_action": ("billing.approve_billrun", {"note": "Matrix"}),
    "billing:bill_cancel": ("billing.cancel_bill", {"reason": "Matrix"}),
    "billing:cancel_decide": ("ledger.approve_adjustment", {"decision": "reject", "note": "Matrix"}),
    "billing:final_bill": ("billing.add_bill", {}),
}


def build(world):
    from datetime import date

    from cistern.billing.models import Bill, BillCancelRequest, BillCycle, BillRun
    from cistern.demo.rates import load_rates

    load_rates()
    cycle = BillCycle.objects.create(code="M1", name="Matrix", read_day=5, bill_day=8)
    run = BillRun.objects.create(
        cycle=cycle, period_end=date(2026, 10, 5), bill_date=date(2026, 10, 8), due_date=date(2026, 10, 28),
        created_by=world["user"],
    )  # fmt: skip
    bill = Bill.objects.create(
        account=world["account"], period_start=date(2026, 9, 5), period_end=date(2026, 10, 5),
        bill_date=date(2026, 10, 8), due_date=date(2026, 10, 28), current_charges=0, amount_due=0,
        created_by=world["user"],
    )  # fmt: skip
    waiting = BillCancelRequest.objects.create(
        bill=bill, rebill=False, reason="Matrix", credit=900, status="pending", requested_by=world["user"]
    )
    return {"run": run, "bill": bill, "cancel_request": waiting}


def url(name, world):
    run, bill, number = world["run"].pk, world["bill"].pk, world["account"].number
    return {
        "billing:run_list": "/billing/runs/",
        "billing:run": f"/billing/runs/{run}/",
        "billing:run_progress": f"/billing/runs/{run}/progress/",
        "billing:run_print_export": f"/billing/runs/{run}/print.csv",
        "billing:run_action": f"/billing/runs/{run}/approve/",
        "billing:bill": f"/billing/bills/{bill}/",
        "billing:bill_pdf": f"/billing/bills/{bill}/pdf/",
        "billing:bill_cancel": f"/billing/bills/{bill}/cancel/",
        "billing:cancel_decide": f"/billing/cancel-requests/{world['cancel_request'].pk}/decide/",
        "billing:final_bill": f"/billing/accounts/{number}/final-bill/",
        "billing:accounts_not_billed": "/billing/not-billed/",
    }[name]
