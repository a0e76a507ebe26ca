"""Bill runs and bills: create a run, calculate it (a trial), approve it (someone else), post it; a bill
with its lines. Calculating and posting run as tasks (see billing/tasks.py); the run's status and progress
say where they are. Money is sent as strings."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from cistern.billing import selectors, services, tasks
from cistern.billing.models import BillCycle, BillRun
from cistern.rates import engine

from .auth import require_perm
from .errors import BadValue, Day, Error, Id, In, Text
from .errors import amount_text as money

router = Router(tags=["billing"])


class RunIn(In):
    cycle: Text  # the cycle's code, e.g. "C01"
    period_end: Day


class RunOut(Schema):
    id: int
    cycle: str
    period_end: date
    bill_date: date
    due_date: date
    status: str
    progress_done: int
    progress_total: int
    bills: int
    amount: str
    exceptions: dict[str, int]
    accounts_in_service: int = Field(
        description="Accounts of the cycle in service in the period: billed + final-billed + held."
    )
    accounts_billed: int
    accounts_final_billed: int = Field(
        description="Stopped inside the period: their final bill settles them, outside the run."
    )
    accounts_held: int = Field(
        description="Not billed by this run; each is on the Accounts not billed queue with its reason."
    )


class ApproveIn(In):
    note: Text = ""


class LineOut(Schema):
    description: str
    explanation: str
    quantity: str
    unit_price: str
    amount: str
    gl_account: str
    tier: int | None


class MeterOut(Schema):
    serial: str
    size: str
    from_date: date
    from_value: str
    to_date: date
    to_value: str
    units: str
    estimated: bool


class BillOut(Schema):
    id: int
    kind: str
    account: str
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    units: str
    previous_amount_due: str
    payments_and_adjustments: str
    current_charges: str
    deposit_applied: str
    refund: str
    amount_due: str
    cancelled: bool
    replaces: int | None
    meters: list[MeterOut]
    lines: list[LineOut]


def _run_out(run: BillRun) -> RunOut:
    summary = selectors.run_summary(run)
    return RunOut(
        id=run.pk, cycle=run.cycle.code, period_end=run.period_end, bill_date=run.bill_date, due_date=run.due_date,
        status=run.status, progress_done=run.progress_done, progress_total=run.progress_total,
        bills=summary["posted"] or summary["billable"], amount=money(summary["amount"]), exceptions=summary["exceptions"],
        accounts_in_service=summary["accounts_in_service"], accounts_billed=summary["accounts_billed"],
        accounts_final_billed=summary["accounts_final_billed"], accounts_held=summary["accounts_held"],
    )  # fmt: skip


def _run(run_id: Id) -> BillRun:
    return get_object_or_404(BillRun.objects.select_related("cycle"), pk=run_id)


@router.post("/bill-runs", response={201: RunOut, 400: Error})
def bill_run_create(request, payload: RunIn):
    """A new run for a cycle's period (nothing calculated yet)."""
    require_perm(request, "billing.calculate_billrun")
    cycle = BillCycle.objects.filter(code=payload.cycle).first()
    if cycle is None:
        raise BadValue("cycle", f"cycle: there is no bill cycle {payload.cycle[:40]!r}")
    try:
        run = services.bill_run_create(actor=request.user, cycle=cycle, period_end=payload.period_end)
    except services.BillingError as exc:
        raise BadValue("period_end", str(exc)) from None
    return Status(201, _run_out(run))


@router.get("/bill-runs/{run_id}", response=RunOut)
def bill_run_get(request, run_id: Id):
    require_perm(request, "billing.view_billrun")
    return _run_out(_run(run_id))


def _step(run_id: int, work) -> RunOut | Status:
    run = _run(run_id)
    try:
        work(run)
    except services.BillingError as exc:
        raise BadValue("run_id", str(exc)) from None
    return Status(202, _run_out(_run(run_id)))


def _queue(request, run: BillRun, step: str, task) -> None:
    services.bill_run_check(actor=request.user, run=run, step=step)  # refused now, not inside the task
    task.enqueue(run.pk, request.user.pk)


@router.post("/bill-runs/{run_id}/calculate", response={202: RunOut, 400: Error})
def bill_run_calculate(request, run_id: Id):
    """Calculate (or calculate again) as a task; poll the run for its status."""
    return _step(run_id, lambda run: _queue(request, run, "calculate", tasks.calculate_run))


@router.post("/bill-runs/{run_id}/approve", response={202: RunOut, 400: Error})
def bill_run_approve(request, run_id: Id, payload: ApproveIn):
    require_perm(request, "billing.approve_billrun")
    return _step(
        run_id, lambda run: services.bill_run_approve(actor=request.user, run=run, note=payload.note)
    )


@router.post("/bill-runs/{run_id}/post", response={202: RunOut, 400: Error})
def bill_run_post(request, run_id: Id):
    """Post the approved run as a task (resumes an interrupted posting)."""
    return _step(run_id, lambda run: _queue(request, run, "post", tasks.post_run))


@router.get("/bills/{bill_id}", response=BillOut)
def bill_get(request, bill_id: Id):
    """A bill with its meter spans and its lines (each with its arithmetic in words)."""
    require_perm(request, "billing.view_bill")
    bill = get_object_or_404(selectors.bills_with_lines(), pk=bill_id)
    return BillOut(
        id=bill.pk, kind=bill.kind, account=bill.account.number, period_start=bill.period_start,
        period_end=bill.period_end, bill_date=bill.bill_date, due_date=bill.due_date, units=str(bill.units),
        previous_amount_due=money(bill.previous_amount_due), payments_and_adjustments=money(bill.payments_and_adjustments),
        current_charges=money(bill.current_charges), deposit_applied=money(bill.deposit_applied), refund=money(bill.refund),
        amount_due=money(bill.amount_due), cancelled=hasattr(bill, "cancellation"), replaces=bill.replaces_id,
        meters=[
            MeterOut(serial=m.serial, size=m.size, from_date=m.from_date, from_value=str(m.from_value),
                     to_date=m.to_date, to_value=str(m.to_value), units=str(m.units), estimated=m.estimated)
            for m in bill.meters.all()
        ],
        lines=[
            LineOut(description=ln.description, explanation=ln.explanation, quantity=engine.quantity_text(ln.quantity),
                    unit_price=engine.price_text(ln.unit_price), amount=money(ln.amount), gl_account=ln.gl_account,
                    tier=ln.tier)
            for ln in bill.lines.all()
        ],
    )  # fmt: skip
