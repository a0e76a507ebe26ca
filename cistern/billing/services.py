"""Writes for billing: bill runs (create, calculate, approve, post, cancel), final bills, cancel and rebill.

Posting is done in batches, each its own transaction: a batch writes its bills, their meter spans and lines,
and their journal entries, or nothing. A run killed anywhere and started again picks up the items that have
no bill yet, so it ends with exactly the bills and ledger an uninterrupted run makes.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.bulk import insert_rows, reserve_ids
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit, district_settings, due_date_for
from cistern.customers.balances import balances_owed
from cistern.customers.models import Account, AccountStatus
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalEntry
from cistern.ledger.services import (
    EntryDraft,
    JournalRows,
    Posting,
    credit_needs_approval,
    journal_insert,
    journal_post_batch,
    journal_reverse,
    journal_rows,
)
from cistern.metering.models import ReadKind
from cistern.rates import engine
from cistern.rates import selectors as rates_selectors

from . import calculation, selectors
from .models import (
    Bill,
    BillCancellation,
    BillCancelRequest,
    BillCycle,
    BillKind,
    BillLine,
    BillMeter,
    BillRun,
    BillRunEvent,
    BillRunItem,
    CancelStatus,
    RunStatus,
    UnbilledReview,
)


class BillingError(ValueError):
    pass


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

CALCULATE_CHUNK = 5000
POST_BATCH = 5000
BILL_SOURCE = "bill"  # the journal entry of a bill's charges
SETTLEMENT_SOURCE = "final_settlement"  # a final bill's deposit application and refund


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


@dataclass(frozen=True)
class Rating:
    """What proposals are rated with over a period: the billed tariffs, the proration window, the high-bill
    limit, and a digest of all three (a changed setting recalculates every trial item)."""

    book: dict
    proration: engine.Proration
    limits: calculation.Limits

    @property
    def digest(self) -> str:
        return f"{sorted(self.book.items())!r}|{self.proration!r}|{self.limits!r}"

    def tariffs(self, rate_class: str, size: str):
        found = self.book.get((rate_class, size))
        if not found:
            raise engine.RatingError(
                f'The billed schedule has no {rate_class.replace("_", " ")} rates for a {size}" meter.'
            )
        return found

    def propose(self, facts: calculation.AccountFacts) -> calculation.Proposal:
        return calculation.propose(facts, tariffs=self.tariffs, proration=self.proration, limits=self.limits)


def _rating(facts: list[calculation.AccountFacts], period_end: date) -> Rating:
    start = min((s.from_date for f in facts for s in f.spans), default=period_end - timedelta(days=31))
    return Rating(
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
    changed (a fixed read, a new read). Returns how many items were written."""
    run = BillRun.objects.select_related("cycle").get(pk=run.pk)
    bill_run_check(actor=actor, run=run, step="calculate")
    facts = selectors.cycle_facts(run.cycle, period_end=run.period_end)
    rating = _rating(facts, run.period_end)
    digest = rating.digest
    known = dict(run.items.values_list("account_id", "fingerprint"))
    item_ids = dict(run.items.values_list("account_id", "id"))
    written = 0
    BillRun.objects.filter(pk=run.pk).update(progress_done=0, progress_total=len(facts))
    for begin in range(0, len(facts), CALCULATE_CHUNK):
        chunk = facts[begin : begin + CALCULATE_CHUNK]
        now = timezone.now()
        new, changed = [], []
        for account_facts in chunk:
            facts_print = calculation.fingerprint(account_facts, digest)
            if known.get(account_facts.account_id) == facts_print:
                continue
            proposal = rating.propose(account_facts)
            item = BillRunItem(
                id=item_ids.get(account_facts.account_id), run=run, account_id=account_facts.account_id,
                billable=proposal.billable, disposition=proposal.disposition, period_start=proposal.period_start,
                period_end=proposal.period_end,
                total=proposal.total, units=proposal.units, proposal=calculation.proposal_to_json(proposal),
                exceptions=[list(e) for e in proposal.exceptions], has_exceptions=bool(proposal.exceptions),
                fingerprint=facts_print, calculated_at=now,
            )  # fmt: skip
            (changed if item.id else new).append(item)
        with transaction.atomic():
            # Posting may have begun meanwhile.
            bill_run_check(
                actor=actor, run=BillRun.objects.select_for_update().get(pk=run.pk), step="calculate"
            )
            BillRunItem.objects.bulk_create(new, batch_size=1000)
            BillRunItem.objects.bulk_update(
                changed,
                ["billable", "disposition", "period_start", "period_end", "total", "units", "proposal", "exceptions",
                 "has_exceptions", "fingerprint", "calculated_at"],
                batch_size=500,
            )  # fmt: skip
            BillRun.objects.filter(pk=run.pk).update(progress_done=begin + len(chunk))
        written += len(new) + len(changed)
        if progress:
            progress(begin + len(chunk), len(facts))
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        gone = run.items.exclude(account_id__in=[f.account_id for f in facts])
        written += gone.count()
        gone.delete()
        _move(run, RunStatus.CALCULATED, actor=actor, note=f"{written} item(s) written")
        run.calculated_by, run.calculated_at = actor, timezone.now()
        run.approved_by = run.approved_at = None  # calculated again: approved again
        run.save()
        audit_record(actor=actor, action="billrun.calculate", obj=run, after={"written": written})
    return written


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
    *, actor, run: BillRun, progress: Progress | None = None, batch_size: int = POST_BATCH
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
    if connection.in_atomic_block or connection.vendor != "postgresql":
        after = 0
        while True:
            # SQLite: the batch's ids are handed out under the write lock it is written in.
            with transaction.atomic():
                batch = _prepare_batch(actor, run, batch_size, receivable, after)
                if batch is None:
                    break
                _write_batch(actor, run, batch)
            after = batch.last_item
            report()
    else:
        _post_pipelined(actor, run, batch_size, receivable, report)
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.POSTING:
            _move(run, RunStatus.POSTED, actor=actor, note=f"{run.bills.count()} bill(s)")
            run.posted_at = timezone.now()
            run.save()
            audit_record(actor=actor, action="billrun.posted", obj=run, after={"bills": run.progress_done})
    return run


@dataclass(frozen=True)
class Batch:
    """A posting batch made ready: its bills, spans and lines and its journal entries as rows."""

    last_item: int
    bills: list
    rows: "BillRows"
    journal: JournalRows


def _prepare_batch(actor, run: BillRun, batch_size: int, receivable: str, after: int) -> Batch | None:
    """The next `batch_size` items with no bill yet (after item `after`) as rows; None when none is left.
    Only reads (and takes ids from the sequences): nothing is written until _write_batch."""
    items = list(
        BillRunItem.objects.filter(run_id=run.pk, billable=True, id__gt=after, bill__isnull=True)
        .order_by("id")
        .values("id", "account_id", "period_start", "period_end", "total", "units", "proposal")[:batch_size]
    )
    if not items:
        return None
    accounts = selectors.batch_accounts(run.pk, items[0]["id"], items[-1]["id"], bill_date=run.bill_date)
    bills, rows = _bill_rows(
        actor, items=items, accounts=accounts, bill_date=run.bill_date, due_date=run.due_date, run=run
    )
    drafts = [
        _charges_draft(bill, item, receivable) for bill, item in zip(bills, items, strict=True) if bill.current_charges
    ]  # fmt: skip
    return Batch(items[-1]["id"], bills, rows, journal_rows(actor=actor, drafts=drafts))


def _write_batch(actor, run: BillRun, batch: Batch) -> None:
    """One batch, whole or not at all: its bills, spans, lines and journal entries, the run's progress."""
    with transaction.atomic():
        locked = BillRun.objects.select_for_update().get(pk=run.pk)  # one poster at a time
        _insert_bill_rows(batch.rows)
        journal_insert(batch.journal)
        BillRun.objects.filter(pk=run.pk).update(progress_done=locked.progress_done + len(batch.bills))
        audit_record(
            actor=actor, action="billrun.post_batch", obj=locked,
            after={"bills": len(batch.bills), "first_bill": batch.bills[0].pk, "last_bill": batch.bills[-1].pk,
                   "charges": str(sum((b.current_charges for b in batch.bills), Decimal("0.00")))},
        )  # fmt: skip


def _post_pipelined(actor, run: BillRun, batch_size: int, receivable: str, report) -> None:
    """Batch after batch, the next one made ready on a second connection while this one is written and
    committed (the database's work and ours overlap). A batch is written only if none of its items got a bill
    meanwhile (another poster): then its unique constraint refuses it, and it is made ready again."""

    def prepare(after):
        return _prepare_batch(actor, run, batch_size, receivable, after)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bill-run") as pool:
        try:
            after, refused = 0, None
            upcoming = pool.submit(prepare, after)
            while batch := upcoming.result():
                upcoming = pool.submit(prepare, batch.last_item)
                try:
                    _write_batch(actor, run, batch)
                except IntegrityError:
                    if refused == after:  # refused twice from the same place: not a race, a real conflict
                        raise
                    refused = after
                    upcoming.result()  # made from the same stale state: both are made again
                    upcoming = pool.submit(prepare, after)
                    continue
                after = batch.last_item
                report()
        finally:
            pool.submit(connections.close_all).result()  # the helper thread's connection


class Written(NamedTuple):
    """A bill as posting just wrote it (no model instance: a batch writes thousands)."""

    pk: int
    account_id: int
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    current_charges: Decimal


BILL_COLUMNS = [
    "id", "account_id", "kind", "run_id", "run_item_id", "replaces_id", "period_start", "period_end", "bill_date",
    "due_date", "units", "current_charges", "previous_amount_due", "payments_and_adjustments", "deposit_applied",
    "refund", "amount_due", "language", "created_by_id", "created_at",
]  # fmt: skip
METER_COLUMNS = [  # ids from the table's own sequence: nothing refers to these rows in the same batch
    "bill_id", "installation_id", "serial", "size", "rate_class", "from_read_id", "to_read_id", "from_date",
    "to_date", "from_value", "to_value", "units", "estimated", "start_estimated", "rebill",
]  # fmt: skip
LINE_COLUMNS = [
    "bill_id", "installation_id", "sequence", "description", "quantity", "unit_price", "amount", "gl_account",
    "tier", "explanation",
]  # fmt: skip
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BillRows:
    bills: list[tuple]
    meters: list[tuple]
    lines: list[tuple]


def _bill_rows(actor, *, items, accounts, bill_date, due_date, run=None, kind=BillKind.REGULAR, replaces=None,
               settled: dict | None = None) -> tuple[list[Written], BillRows]:  # fmt: skip
    """Bills (with spans and lines) for trial items (`id`, `account_id`, `period_start`, `period_end`, `units`,
    `total` and the stored `proposal`); each bill's balance is what the books say now (`accounts`:
    selectors.batch_accounts, or _one_account). Values go to the database as stored: no arithmetic here."""
    settled = settled or {}
    now = timezone.now()
    bill_ids = reserve_ids(Bill, len(items))
    rows, written = [], []
    for bill_id, item in zip(bill_ids, items, strict=True):
        account = accounts[item["account_id"]]
        before, previous, total = account.owed, account.previous_due, item["total"]
        rows.append((
            bill_id, item["account_id"], kind, run.pk if run else None, item.get("id"),
            replaces.pk if replaces else None, item["period_start"], item["period_end"], bill_date, due_date,
            item["units"], total, previous, before - previous, settled.get("deposit_applied", ZERO),
            settled.get("refund", ZERO), settled.get("amount_due", before + total), account.language, actor.pk, now,
        ))  # fmt: skip
        written.append(
            Written(
                bill_id,
                item["account_id"],
                item["period_start"],
                item["period_end"],
                bill_date,
                due_date,
                total,
            )
        )
    rebill = kind == BillKind.REBILL
    meter_rows = [
        (bill_id, s["installation_id"], s["serial"], s["size"], s["rate_class"], s["from_read_id"], s["to_read_id"],
         s["from_date"], s["to_date"], s["from_value"], s["to_value"], s["units"], s["estimated"],
         s.get("start_estimated", False), rebill)
        for bill_id, item in zip(bill_ids, items, strict=True)
        for s in item["proposal"]["spans"]
    ]  # fmt: skip
    line_rows = [
        (bill_id, _line_installation(item["proposal"], line), sequence, line["description"][:200],
         line["quantity"], line["unit_price"], line["amount"], line["gl_account"], line["tier"],
         line["explanation"][:200])
        for bill_id, item in zip(bill_ids, items, strict=True)
        for sequence, line in enumerate(item["proposal"]["lines"], start=1)
    ]  # fmt: skip
    return written, BillRows(rows, meter_rows, line_rows)


def _line_installation(proposal: dict, line: dict) -> int | None:
    """The meter (installation) a stored proposal's line bills: its span's, or none for a line of no meter."""
    span = line.get("span")
    return None if span is None else proposal["spans"][span]["installation_id"]


def _insert_bill_rows(rows: BillRows) -> None:
    insert_rows(Bill, BILL_COLUMNS, rows.bills)
    insert_rows(BillMeter, METER_COLUMNS, rows.meters)
    insert_rows(BillLine, LINE_COLUMNS, rows.lines)


def _write_bills(actor, **fields) -> list[Written]:
    """One account's bill (a final bill, a rebill) written at once, inside the caller's transaction."""
    written, rows = _bill_rows(actor, **fields)
    _insert_bill_rows(rows)
    return written


def _item(proposal: calculation.Proposal) -> dict:
    """A proposal made outside a run (a final bill, a rebill) in the form of a trial item."""
    return {
        "account_id": proposal.account_id, "period_start": proposal.period_start,
        "period_end": proposal.period_end, "units": proposal.units, "total": proposal.total,
        "proposal": calculation.proposal_to_json(proposal),
    }  # fmt: skip


def _charges_draft(bill: Written, item: dict, receivable: str) -> EntryDraft:
    postings = [
        Posting(receivable, bill.current_charges, bill.account_id, f"Bill {bill.pk}", bill.due_date),
        *(Posting(gl, -Decimal(amount)) for gl, amount in item["proposal"]["gl"]),
    ]
    period = f"{bill.period_start:%m/%d/%Y}-{bill.period_end:%m/%d/%Y}"
    return EntryDraft(
        bill.bill_date, f"Bill {bill.pk}, service {period}", BILL_SOURCE, bill.pk, tuple(postings)
    )


# --- one account's bills: final bill, cancel and rebill -------------------------------------------------


def bill_final(*, actor, account: Account) -> Bill:
    """The final bill of a stopped account: its service to the final read, prorated; the deposit applied to
    what it owes; any credit left to a refund; any debt left shown as due."""
    require(actor, "billing.add_bill")
    return final_bill_after_final_read(actor=actor, account=account)


def final_bill_after_final_read(*, actor, account: Account) -> Bill:
    """bill_final without its permission check: field work calls it when a technician completes the final
    read of a stopped account, inside the completion's transaction and under its permission (as
    customers.account_activate is called for a turn-on)."""
    if account.status != AccountStatus.FINAL:
        raise BillingError("A final bill is for an account whose service has been stopped.")
    if Bill.objects.filter(account=account, kind=BillKind.FINAL, cancellation__isnull=True).exists():
        raise BillingError("This account already has its final bill.")
    final_on = selectors.final_read_date(account)
    if final_on is None:
        raise BillingError("Enter the final read before the final bill.")
    facts = selectors.account_facts(account, period_end=final_on)
    proposal = _rating([facts], final_on).propose(facts)
    if not proposal.billable:
        problems = "; ".join(message for _, message in proposal.exceptions) or "nothing to bill"
        raise BillingError(f"The final bill cannot be made: {problems}.")
    today = clock.today()
    due = due_date_for(today)
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    deposits = ledger_selectors.gl_code(GLRole.DEPOSITS_HELD)
    refunds = ledger_selectors.gl_code(GLRole.REFUNDS_PAYABLE)
    with transaction.atomic():
        # The balance and the deposit it settles are read under the account's lock; the deposit is what the
        # ledger holds for the account (none when it was never posted), not what the account asked for.
        accounts_lock([account.pk])
        account = Account.objects.select_related("customer").get(pk=account.pk)
        books = _one_account(account)
        after = books[account.pk].owed + proposal.total
        held = ledger_selectors.deposits_held([account.pk])[account.pk]
        applied, refund, credit_refunded, due_now = _settlement(after, held)
        item = _item(proposal)
        (bill,) = _write_bills(
            actor, items=[item], accounts=books,
            bill_date=today, due_date=due, kind=BillKind.FINAL,
            settled={"deposit_applied": applied, "refund": refund, "amount_due": due_now},
        )  # fmt: skip
        entries = [_charges_draft(bill, item, receivable)] if bill.current_charges else []
        postings = []
        if applied:
            postings += [
                Posting(deposits, applied, account.pk, "Deposit applied to the final bill"),
                Posting(receivable, -applied, account.pk, "Deposit applied"),
            ]
        if refund - credit_refunded:  # the deposit not needed for the debt
            postings += [Posting(deposits, refund - credit_refunded, account.pk, "Deposit refunded")]
        if credit_refunded:
            postings += [Posting(receivable, credit_refunded, account.pk, "Credit balance to refund")]
        if refund:
            postings += [Posting(refunds, -refund, description=f"Refund to account {account.number}")]
        if postings:
            entries.append(
                EntryDraft(
                    bill.bill_date, f"Final bill {bill.pk}: deposit applied ${applied:,.2f}, refund ${refund:,.2f}",
                    SETTLEMENT_SOURCE, bill.pk, tuple(postings),
                )
            )  # fmt: skip
        journal_post_batch(actor=actor, drafts=entries)
        bill = Bill.objects.get(pk=bill.pk)
        audit_record(
            actor=actor, action="bill.final", obj=bill, account_id=account.pk,
            after={"charges": str(bill.current_charges), "deposit_applied": str(applied), "refund": str(refund),
                   "amount_due": str(due_now)},
        )  # fmt: skip
    return bill


def _one_account(account: Account) -> dict[int, selectors.BatchAccount]:
    """What a bill of one account needs of its books, as selectors.batch_accounts gives it for a batch."""
    owed = balances_owed([account.pk])[account.pk]
    previous = selectors.previous_due(account.pk)
    return {account.pk: selectors.BatchAccount(account.customer.preferred_language, owed, previous)}


def _settlement(after: Decimal, deposit: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A final bill's (deposit applied, refund, credit refunded, amount due) from the balance with its charges
    and the deposit the ledger holds for the account (never a negative one): the deposit pays the debt first;
    what is left of it, and any credit balance, is refunded."""
    zero = Decimal("0.00")
    deposit = max(deposit, zero)
    if after >= 0:
        applied = min(deposit, after)
        return applied, deposit - applied, zero, after - applied
    return zero, deposit - after, -after, zero


# --- cancel and rebill: a credit under the clerk's adjustment authority ------------------------------------


def bill_cancel_request(*, actor, bill: Bill, reason: str, rebill: bool = True) -> BillCancelRequest:
    """Cancel a posted bill (its journal entries reversed) and, by default, rebill the same meter spans with
    the reads that stand now (a corrected read replaces the one billed). The cancellation is a credit: the
    bill's charges, or with a rebill what the rebill takes off them (rated first, nothing written). Within
    the actor's adjustment limit, and the day's total they credited the account, it is made at once (the
    request approved); above it the request waits for a lead (`bill_cancel_decide`)."""
    require(actor, "billing.cancel_bill")
    if not reason.strip():
        raise BillingError("Say why the bill is cancelled.")
    with transaction.atomic():
        bill = _lock_bill(bill)
        if BillCancelRequest.objects.filter(bill=bill, status=CancelStatus.PENDING).exists():
            raise BillingError(f"Bill {bill.pk}: its cancellation already waits for approval.")
        rebill = rebill and bill.kind != BillKind.FINAL
        proposal = _rebill_proposal(bill) if rebill else None
        credit = _cancel_credit(bill, proposal)
        why = credit_needs_approval(actor=actor, account=bill.account, amount=credit)
        request = BillCancelRequest.objects.create(
            bill=bill, rebill=rebill, reason=reason.strip()[:200], credit=credit, status=CancelStatus.PENDING,
            requested_by=actor, why_approval=why,
        )  # fmt: skip
        if not why:
            _cancel(actor, request, bill, proposal)
        audit_record(
            actor=actor, action="bill.cancel_request", obj=request, account_id=bill.account_id, reason=reason,
            after={"bill": bill.pk, "rebill": rebill, "credit": str(credit), "status": request.status,
                   "why_approval": why},
        )  # fmt: skip
    return request


def bill_cancel(*, actor, bill: Bill, reason: str, rebill: bool = True) -> Bill | None:
    """`bill_cancel_request` made now or not at all: refused (nothing written) when the credit needs a lead's
    approval. Returns the rebill."""
    with transaction.atomic():
        request = bill_cancel_request(actor=actor, bill=bill, reason=reason, rebill=rebill)
        if request.status == CancelStatus.PENDING:
            raise BillingError(f"{request.why_approval} Ask for a lead's approval on the bill's page.")
    return Bill.objects.filter(replaces_id=request.bill_id).first() if request.rebill else None


def bill_cancel_decide(
    *, actor, request: BillCancelRequest, approve: bool, note: str = ""
) -> BillCancelRequest:
    """A lead approves (the bill is cancelled, and rebilled when asked) or rejects a waiting cancellation: not
    their own, and its credit, rated again now, within their own adjustment limit."""
    require(actor, "ledger.approve_adjustment")
    with transaction.atomic():
        # The account's lock first (one lock order), then the request.
        accounts_lock([request.bill.account_id])
        request = BillCancelRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != CancelStatus.PENDING:
            raise BillingError(f"This cancellation is already {request.get_status_display().lower()}.")
        if request.requested_by_id == actor.pk:
            raise BillingError("Someone other than the requester approves a bill's cancellation.")
        if not approve and not note.strip():
            raise BillingError("Say why the cancellation is rejected.")
        before = {"status": request.status, "credit": str(request.credit)}
        if approve:
            bill = _lock_bill(request.bill)
            proposal = _rebill_proposal(bill) if request.rebill else None
            request.credit = _cancel_credit(bill, proposal)
            limit = authority_limit(user=actor, kind="adjustment")
            if request.credit > limit:
                raise BillingError(f"${request.credit:,.2f} is over your adjustment limit of ${limit:,.2f}.")
            _cancel(actor, request, bill, proposal)
        else:
            request.status = CancelStatus.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.decision_note = note.strip()[:200]
        request.save()
        audit_record(
            actor=actor, action="bill.cancel_approve" if approve else "bill.cancel_reject", obj=request,
            account_id=request.bill.account_id, reason=note, before=before,
            after={"status": request.status, "credit": str(request.credit)},
        )  # fmt: skip
    return request


def _lock_bill(bill: Bill) -> Bill:
    """The bill's account locked (accounts_lock: one lock order), then the bill; refused when cancelled."""
    accounts_lock([bill.account_id])
    bill = Bill.objects.select_for_update().select_related("account__customer").get(pk=bill.pk)
    if BillCancellation.objects.filter(bill=bill).exists():
        raise BillingError(f"Bill {bill.pk} is already cancelled.")
    return bill


def _cancel_credit(bill: Bill, proposal: calculation.Proposal | None) -> Decimal:
    """What cancelling takes off the account: the charges, less the rebill's (never below zero)."""
    rebilled = proposal.total if proposal is not None else ZERO
    return max(ZERO, Decimal(bill.current_charges) - rebilled)


def _cancel(
    actor, request: BillCancelRequest, bill: Bill, proposal: calculation.Proposal | None
) -> Bill | None:
    """Cancel the (locked) bill as `request` asks: reverse its entries, rebill with `proposal`. Returns the
    rebill."""
    cancellation = BillCancellation.objects.create(bill=bill, reason=request.reason, cancelled_by=actor)
    request.status, request.cancellation, request.done_on = CancelStatus.APPROVED, cancellation, clock.today()
    request.save(update_fields=["status", "cancellation", "done_on"])
    for entry in JournalEntry.objects.filter(
        source_kind__in=[BILL_SOURCE, SETTLEMENT_SOURCE], source_id=bill.pk, reverses__isnull=True
    ).order_by("id"):
        journal_reverse(actor=actor, entry=entry, reason=f"Bill {bill.pk} cancelled: {request.reason}")
    audit_record(
        actor=actor, action="bill.cancel", obj=bill, account_id=bill.account_id, reason=request.reason,
        before={"amount": str(bill.current_charges)}, after={"cancelled": True, "credit": str(request.credit)},
    )  # fmt: skip
    return _rebill(actor, bill, request.reason, proposal) if proposal is not None else None


def _rebill_proposal(bill: Bill) -> calculation.Proposal:
    """The rebill of `bill`, rated and not written: its meter spans closed by the reads that stand now."""
    spans = []
    for meter in bill.meters.order_by("id"):
        found = selectors.rebill_span(meter, bill.account_id)
        if found is None:
            raise BillingError(f"Meter {meter.serial} has no accepted read to rebill with.")
        to, start = found.to, found.start
        spans.append(
            calculation.MeterSpan(
                installation_id=meter.installation_id, serial=meter.serial, size=meter.size,
                rate_class=meter.rate_class, from_read_id=start.read_id, from_date=start.on,
                from_value=start.value if start.value is not None else meter.from_value, to_read_id=to.id,
                to_date=to.read_on, to_value=to.value, units=found.units, estimated=to.kind == ReadKind.ESTIMATED,
                start_estimated=start.estimated,
            )
        )  # fmt: skip
    if not spans:
        raise BillingError(f"Bill {bill.pk} has no meter spans to rebill: cancel it without a rebill.")
    facts = calculation.AccountFacts(bill.account_id, tuple(spans))
    proposal = _rating([facts], max(s.to_date for s in spans)).propose(facts)
    if not proposal.billable:
        raise BillingError("; ".join(message for _, message in proposal.exceptions))
    return proposal


def _rebill(actor, bill: Bill, reason: str, proposal: calculation.Proposal) -> Bill:
    """Write the rebill `_rebill_proposal` rated, after the bill's entries are reversed."""
    receivable = ledger_selectors.receivable_gl().code
    item = _item(proposal)
    (new,) = _write_bills(
        actor, items=[item], accounts=_one_account(bill.account),
        bill_date=clock.today(), due_date=due_date_for(clock.today()),
        run=bill.run, kind=BillKind.REBILL, replaces=bill,
    )  # fmt: skip
    if new.current_charges:
        journal_post_batch(actor=actor, drafts=[_charges_draft(new, item, receivable)])
    new = Bill.objects.get(pk=new.pk)
    audit_record(
        actor=actor, action="bill.rebill", obj=new, account_id=new.account_id, reason=reason,
        before={"bill": bill.pk, "amount": str(bill.current_charges)}, after={"amount": str(new.current_charges)},
    )  # fmt: skip
    return new


# --- accounts not billed -----------------------------------------------------------------------------------


def unbilled_review_update(*, actor, account: Account, looking: bool, note: str = "") -> UnbilledReview:
    """Say who is looking at an account on the Accounts not billed queue (or stop looking), with a note."""
    require(actor, "billing.change_unbilledreview")
    with transaction.atomic():
        review, _ = UnbilledReview.objects.select_for_update().get_or_create(account=account)
        before = {"looking": review.looking_id, "note": review.note}
        review.looking = actor if looking else None
        review.note = note.strip()[:200]
        review.save()
        audit_record(
            actor=actor, action="billing.unbilled_review", obj=review, account_id=account.pk, reason=note,
            before=before, after={"looking": review.looking_id, "note": review.note},
        )  # fmt: skip
    return review
