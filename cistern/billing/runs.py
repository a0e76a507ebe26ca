"""A bill run's steps: create, calculate (the trial), approve, post, cancel. Every status change writes a
BillRunEvent and is audited."""

import json
from collections.abc import Callable
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.bulk import collector_paused, insert_rows
from cistern.core.logs import log_event
from cistern.core.permissions import require
from cistern.core.selectors import district_settings, due_date_for
from cistern.ledger import selectors as ledger_selectors
from cistern.rates import selectors as rates_selectors

from . import calculation, high_usage_services, posting, selectors, trial
from .errors import BillingError
from .models import BillCycle, BillRun, BillRunEvent, BillRunItem, RunStatus

Progress = Callable[[int, int], None]  # (done, total)

# Which status may follow which; every change writes a BillRunEvent.
TRANSITIONS = {
    RunStatus.NEW: {RunStatus.CALCULATED, RunStatus.CANCELLED},
    RunStatus.CALCULATED: {RunStatus.CALCULATED, RunStatus.APPROVED, RunStatus.CANCELLED},
    RunStatus.APPROVED: {RunStatus.CALCULATED, RunStatus.POSTING, RunStatus.CANCELLED},
    RunStatus.POSTING: {RunStatus.POSTED},
    RunStatus.POSTED: set(),
    RunStatus.CANCELLED: set(),
}


def _move(run: BillRun, to: str, *, actor, note: str = "") -> None:
    if to not in TRANSITIONS[RunStatus(run.status)]:
        raise BillingError(
            f"A {run.get_status_display().lower()} run cannot become {RunStatus(to).label.lower()}."
        )
    BillRunEvent.objects.create(run=run, from_status=run.status, to_status=to, actor=actor, note=note[:200])
    run.status = to


def bill_date_for(cycle: BillCycle, period_end: date) -> date:
    """The cycle's bill day on or after the period end."""
    candidate = period_end.replace(day=cycle.bill_day)
    if candidate < period_end:
        month = period_end.replace(day=1) + timedelta(days=32)
        candidate = month.replace(day=cycle.bill_day)
    return candidate


def bill_run_create(*, actor, cycle: BillCycle, period_end: date) -> BillRun:
    require(actor, "billing.calculate_billrun")
    if (
        BillRun.objects.filter(cycle=cycle, period_end=period_end)
        .exclude(status=RunStatus.CANCELLED)
        .exists()
    ):
        raise BillingError(f"{cycle.code} already has a run for the period ending {period_end:%m/%d/%Y}.")
    bill_date = bill_date_for(cycle, period_end)
    with transaction.atomic():
        run = BillRun.objects.create(
            cycle=cycle, period_end=period_end, bill_date=bill_date,
            due_date=due_date_for(bill_date), created_by=actor,
        )  # fmt: skip
        BillRunEvent.objects.create(run=run, to_status=RunStatus.NEW, actor=actor)
        audit_record(actor=actor, action="billrun.create", obj=run, after={"period_end": str(period_end)})
    return run


def rating_for(facts: list[calculation.AccountFacts], period_end: date) -> calculation.Rating:
    """What `facts` are rated with to `period_end`: the tariffs in force from their earliest span."""
    start = min((s.from_date for f in facts for s in f.spans), default=period_end - timedelta(days=31))
    return calculation.Rating(
        rates_selectors.tariff_book(start=start, end=period_end + timedelta(days=1)),
        rates_selectors.proration(),
        calculation.Limits(high_percent=district_settings().bill_high_percent),
    )


def bill_run_check(*, actor, run: BillRun, step: str) -> None:
    """Refuse a step ("calculate" or "post") the run cannot take: the page and the API ask before they queue
    the step as a task, whose own refusal nobody would see; the step asks again when it runs."""
    if step == "calculate":
        require(actor, "billing.calculate_billrun")
        if RunStatus.CALCULATED not in TRANSITIONS[RunStatus(run.status)]:
            raise BillingError(f"A {run.get_status_display().lower()} run is not calculated again.")
    elif step == "post":
        require(actor, "billing.post_billrun")
        if run.status not in (RunStatus.APPROVED, RunStatus.POSTING):
            raise BillingError(
                f"Only an approved run is posted; this one is {run.get_status_display().lower()}."
            )
    else:
        raise ValueError(f"No bill-run step {step!r}.")


def bill_run_calculate(*, actor, run: BillRun, progress: Progress | None = None) -> int:
    """Propose every account's bill (the trial). Calculating again rewrites only the items whose facts
    changed (a fixed read, a new read). Returns how many items were written. The facts are fetched in a few
    queries, rated on every core (billing.trial), and the items written a chunk at a time (one COPY each)."""
    with collector_paused():
        return _calculate(actor, run, progress)


def _calculate(actor, run: BillRun, progress: Progress | None) -> int:
    run = BillRun.objects.select_related("cycle").get(pk=run.pk)
    bill_run_check(actor=actor, run=run, step="calculate")
    facts = selectors.cycle_facts(run.cycle, period_end=run.period_end)
    rating = rating_for(facts, run.period_end)
    known = dict(run.items.values_list("account_id", "fingerprint"))
    item_ids = dict(run.items.values_list("account_id", "id"))
    written = 0
    BillRun.objects.filter(pk=run.pk).update(progress_done=0, progress_total=len(facts))
    for done, rows in trial.computed(facts, rating, known):
        now = timezone.now()
        new = [(run.pk, now, *row) for row in rows if row[0] not in item_ids]
        changed = [_changed_item(item_ids[row[0]], run, now, row) for row in rows if row[0] in item_ids]
        with transaction.atomic():
            # Posting may have begun meanwhile.
            bill_run_check(
                actor=actor, run=BillRun.objects.select_for_update().get(pk=run.pk), step="calculate"
            )
            insert_rows(BillRunItem, ITEM_COLUMNS, new)
            BillRunItem.objects.bulk_update(
                changed, calculation.ITEM_FIELDS[1:] + ("calculated_at",), batch_size=500
            )
            BillRun.objects.filter(pk=run.pk).update(progress_done=done)
        written += len(rows)
        if progress:
            progress(done, len(facts))
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        gone = set(item_ids) - {f.account_id for f in facts}  # accounts no longer in the cycle's facts
        if gone:
            run.items.filter(id__in=[item_ids[account] for account in gone]).delete()
        written += len(gone)
        _move(run, RunStatus.CALCULATED, actor=actor, note=f"{written} item(s) written")
        run.calculated_by, run.calculated_at = actor, timezone.now()
        run.approved_by = run.approved_at = None  # calculated again: approved again
        run.save()
        audit_record(actor=actor, action="billrun.calculate", obj=run, after={"written": written})
    return written


ITEM_COLUMNS = ["run_id", "calculated_at", *calculation.ITEM_FIELDS]


def _changed_item(item_id: int, run: BillRun, now, row: tuple) -> BillRunItem:
    """A stored item calculated again, to update in place (its id is the one the run's pages link to)."""
    values = dict(zip(calculation.ITEM_FIELDS, row, strict=True))
    values["proposal"], values["exceptions"] = (
        json.loads(values["proposal"]),
        json.loads(values["exceptions"]),
    )
    return BillRunItem(id=item_id, run=run, calculated_at=now, **values)


def bill_run_approve(*, actor, run: BillRun, note: str = "") -> BillRun:
    """A lead or billing admin approves the trial: not the person who calculated it."""
    require(actor, "billing.approve_billrun")
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.CALCULATED:
            raise BillingError(
                f"Only a calculated run is approved; this one is {run.get_status_display().lower()}."
            )
        if run.calculated_by_id == actor.pk:
            raise BillingError("Someone other than who calculated the run approves it.")
        _move(run, RunStatus.APPROVED, actor=actor, note=note)
        run.approved_by, run.approved_at = actor, timezone.now()
        run.save()
        audit_record(actor=actor, action="billrun.approve", obj=run, reason=note)
    return run


def bill_run_cancel(*, actor, run: BillRun, reason: str) -> BillRun:
    require(actor, "billing.calculate_billrun")
    if not reason.strip():
        raise BillingError("Say why the run is cancelled.")
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        _move(run, RunStatus.CANCELLED, actor=actor, note=reason)
        run.save()
        audit_record(actor=actor, action="billrun.cancel", obj=run, reason=reason)
    return run


def bill_run_post(
    *, actor, run: BillRun, progress: Progress | None = None, batch_size: int = posting.POST_BATCH
) -> BillRun:
    """Post an approved run (or finish posting one that was interrupted): bills, lines, journal entries."""
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        bill_run_check(actor=actor, run=run, step="post")
        if run.status == RunStatus.APPROVED:
            total = run.items.filter(billable=True).count()
            _move(run, RunStatus.POSTING, actor=actor)
            run.progress_done, run.progress_total = 0, total
            run.save()
    receivable = ledger_selectors.receivable_gl().code

    def report():
        if progress:
            run.refresh_from_db(fields=["progress_done", "progress_total"])
            progress(run.progress_done, run.progress_total)

    # Inside the caller's transaction, or on SQLite (one writer; ids are handed out under its lock): one
    # connection, batch after batch.
    with collector_paused():
        if connection.in_atomic_block or connection.vendor != "postgresql":
            posting.post_serially(actor, run, batch_size, receivable, report)
        else:
            posting.post_pipelined(actor, run, batch_size, receivable, report)
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.POSTING:
            _move(run, RunStatus.POSTED, actor=actor, note=f"{run.bills.count()} bill(s)")
            run.posted_at = timezone.now()
            run.save()
            audit_record(actor=actor, action="billrun.posted", obj=run, after={"bills": run.progress_done})
            # The bills far above the same period last year: notices and letters, with the run's status.
            high_usage_services.high_usage_notices_issue(actor=actor, run=run)
    log_event("billrun.posted", user=actor, run=run.pk, cycle=run.cycle_id, bills=run.progress_done)
    return run
