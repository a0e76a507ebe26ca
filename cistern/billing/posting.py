"""A bill run's posting pipeline, and the bill rows every bill is written from.

Posting is done in batches, each its own transaction: a batch writes its bills, their meter spans and lines,
and their journal entries (COPY on PostgreSQL, the spans and lines made by the database from the trial items:
PARTS_SQL; executemany on SQLite: core.bulk), or nothing. A run killed anywhere and started again picks up the
items that have no bill yet, so it ends with exactly the bills and ledger an uninterrupted run makes. Which items those are is read once (pending_items), and each batch is
a slice of that list, fetched by id (not by asking again for the next items with no bill, which scans what is
left of the run every batch). On PostgreSQL batches are made ready ahead on a connection of their own and two
are written at once, each in its own transaction on its own connection (post_pipelined): one commits while the
next is copied in. The journal's balance rule is the database's (core.db_guards: one check per statement on
PostgreSQL) as well as the ledger service's; so are a bill's parts' and a journal line's parents (billing
migration 0008, ledger migration 0012: one check per statement instead of a foreign key per row).
"""

import json
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.bulk import among, insert_rows, reserve_ids
from cistern.ledger.services import EntryDraft, JournalRows, Posting, journal_insert, journal_rows

from . import calculation, selectors
from .models import Bill, BillKind, BillLine, BillMeter, BillRun, BillRunItem

POST_BATCH = 5000
BILL_SOURCE = "bill"  # the journal entry of a bill's charges


@dataclass(frozen=True)
class Batch:
    """A posting batch made ready: its bills, spans and lines and its journal entries as rows."""

    last_item: int
    bills: list
    rows: "BillRows"
    journal: JournalRows


def pending_items(run: BillRun) -> list[int]:
    """The run's billable items with no bill yet, in id order: what posting has left to do."""
    return list(
        BillRunItem.objects.filter(run_id=run.pk, billable=True, bill__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def batches(item_ids: list[int], batch_size: int) -> list[list[int]]:
    return [item_ids[i : i + batch_size] for i in range(0, len(item_ids), batch_size)]


def prepare_batch(actor, run: BillRun, item_ids: list[int], receivable: str) -> Batch | None:
    """The items `item_ids` (consecutive in pending_items) that still have no bill, as rows; None when none
    has. Only reads (and takes ids from the sequences): nothing is written until write_batch."""
    in_database = connection.vendor == "postgresql"  # spans and lines copied from the items there (PARTS_SQL)
    fields = ["id", "account_id", "period_start", "period_end", "total", "units"]
    found = among(BillRunItem.objects.filter(run_id=run.pk, billable=True, bill__isnull=True), "id", item_ids)
    # On PostgreSQL only what the journal entry credits is read of the proposal.
    found = found.values(*fields, gl=KT("proposal__gl")) if in_database else found.values(*fields, "proposal")
    items = list(found.order_by("id"))
    if not items:
        return None
    if in_database:
        for item in items:
            item["proposal"] = {"gl": json.loads(item.pop("gl")), "spans": (), "lines": ()}
    accounts = selectors.batch_accounts(run.pk, items[0]["id"], items[-1]["id"], bill_date=run.bill_date)
    bills, rows = bill_rows(
        actor, items=items, accounts=accounts, bill_date=run.bill_date, due_date=run.due_date, run=run
    )
    if in_database:
        rows = BillRows(rows.bills, [], [], parts_of=([b.pk for b in bills], [item["id"] for item in items]))
    drafts = [
        charges_draft(bill, item, receivable) for bill, item in zip(bills, items, strict=True) if bill.current_charges
    ]  # fmt: skip
    return Batch(items[-1]["id"], bills, rows, journal_rows(actor=actor, drafts=drafts))


def write_batch(actor, run: BillRun, batch: Batch) -> None:
    """One batch, whole or not at all: its bills, spans, lines and journal entries, the run's progress. The run's
    row is locked last (its progress), so that the next batch, on another connection, is copied in while this
    one commits; batches of one run never share an item, and a second poster's batch is refused by the unique
    constraints (one bill per run item, per account and period)."""
    with transaction.atomic():
        insert_bill_rows(batch.rows)
        journal_insert(batch.journal)
        BillRun.objects.filter(pk=run.pk).update(progress_done=F("progress_done") + len(batch.bills))
        audit_record(
            actor=actor, action="billrun.post_batch", obj=run,
            after={"bills": len(batch.bills), "first_bill": batch.bills[0].pk, "last_bill": batch.bills[-1].pk,
                   "charges": str(sum((b.current_charges for b in batch.bills), Decimal("0.00")))},
        )  # fmt: skip


def post_serially(actor, run: BillRun, batch_size: int, receivable: str, report) -> None:
    """Batch after batch on this connection, each made ready and written in one transaction (inside the
    caller's transaction, or on SQLite, whose ids are handed out under the write lock they are written in)."""
    for item_ids in batches(pending_items(run), batch_size):
        with transaction.atomic():
            batch = prepare_batch(actor, run, item_ids, receivable)
            if batch is None:
                continue
            write_batch(actor, run, batch)
        report()


WRITERS = 2  # batches written at once, each on a connection of its own
AHEAD = 2  # batches made ready ahead of the one written next


def post_pipelined(actor, run: BillRun, batch_size: int, receivable: str, report) -> None:
    """Batches made ready on a connection of their own, ahead of the writing (the database's work and ours
    overlap), and written WRITERS at a time, each in its own transaction on its own connection: while one
    commits (the database checks its foreign keys), the next is copied in. Batches are reported in order as
    they commit. A batch is written only if none of its items got a bill meanwhile (another poster): then a
    unique constraint refuses it, what is in flight is let finish, and what is left is read again."""
    preparer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bill-run-prepare")
    writers = [ThreadPoolExecutor(max_workers=1, thread_name_prefix="bill-run-write") for _ in range(WRITERS)]
    prepared: deque[Future] = deque()
    in_flight: deque[tuple[int, Future]] = deque()  # (first item, the write)

    def settle(conflicts: list) -> None:
        """The oldest write in flight finished: reported, or its refusal kept."""
        first, future = in_flight.popleft()
        try:
            future.result()
        except IntegrityError as error:
            conflicts.append((first, error))
            return
        if not conflicts:
            report()

    try:
        todo, refused, turn = batches(pending_items(run), batch_size), None, 0
        while todo:
            conflicts: list[tuple[int, IntegrityError]] = []
            queued = 0
            for item_ids in todo:
                while len(prepared) < AHEAD and queued < len(todo):
                    prepared.append(preparer.submit(prepare_batch, actor, run, todo[queued], receivable))
                    queued += 1
                batch = prepared.popleft().result()
                while len(in_flight) >= WRITERS or (in_flight and in_flight[0][1].done()):
                    settle(conflicts)
                if conflicts:
                    break
                if batch is not None:
                    write = writers[turn % WRITERS].submit(write_batch, actor, run, batch)
                    in_flight.append((item_ids[0], write))
                    turn += 1
            while in_flight:
                settle(conflicts)
            while prepared:  # made from a state that may be stale: made again
                prepared.popleft().result()
            if not conflicts:
                break
            first, error = conflicts[0]
            if refused == first:  # refused twice at the same item: not a race, a real conflict
                raise error
            refused = first
            todo = batches(pending_items(run), batch_size)
    finally:
        for future in [*prepared, *(write for _, write in in_flight)]:
            wait([future])  # nothing is left running on the connections closed below
        for pool in (preparer, *writers):
            pool.submit(connections.close_all).result()  # each helper thread's own connection
            pool.shutdown()


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
    # (bill ids, their trial items' ids): the bills' spans and lines copied by the database from the items'
    # stored proposals (PARTS_SQL), as bill_rows would make them, instead of `meters` and `lines`.
    parts_of: tuple[list[int], list[int]] | None = None


# A run's bills' meter spans and lines, made by PostgreSQL from the trial items' stored proposals: the same rows
# bill_rows makes from them (spans in order; lines numbered from 1, each naming its span's installation), with
# no JSON decoded and no rows sent from here.
_BATCH_ITEMS = """
    FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS b(bill_id, item_id, n)
    JOIN billing_billrunitem i ON i.id = b.item_id
"""
PARTS_SQL = [
    f"""
INSERT INTO billing_billmeter ({", ".join(METER_COLUMNS)})
SELECT b.bill_id, (s->>'installation_id')::bigint, s->>'serial', s->>'size', s->>'rate_class',
    (s->>'from_read_id')::bigint, (s->>'to_read_id')::bigint, (s->>'from_date')::date, (s->>'to_date')::date,
    (s->>'from_value')::numeric, (s->>'to_value')::numeric, (s->>'units')::numeric, (s->>'estimated')::boolean,
    coalesce((s->>'start_estimated')::boolean, false), false
    {_BATCH_ITEMS}
    CROSS JOIN LATERAL jsonb_array_elements(i.proposal->'spans') WITH ORDINALITY AS x(s, k)
ORDER BY b.n, x.k
""",
    f"""
INSERT INTO billing_billline ({", ".join(LINE_COLUMNS)})
SELECT b.bill_id, (i.proposal->'spans'->((l->>'span')::int)->>'installation_id')::bigint, x.k,
    left(l->>'description', 200), (l->>'quantity')::numeric, (l->>'unit_price')::numeric, (l->>'amount')::numeric,
    l->>'gl_account', (l->>'tier')::smallint, left(l->>'explanation', 200)
    {_BATCH_ITEMS}
    CROSS JOIN LATERAL jsonb_array_elements(i.proposal->'lines') WITH ORDINALITY AS x(l, k)
ORDER BY b.n, x.k
""",
]


def bill_rows(actor, *, items, accounts, bill_date, due_date, run=None, kind=BillKind.REGULAR, replaces=None,
               settled: dict | None = None) -> tuple[list[Written], BillRows]:  # fmt: skip
    """Bills (with spans and lines) for trial items (`id`, `account_id`, `period_start`, `period_end`, `units`,
    `total` and the stored `proposal`); each bill's balance is what the books say now (`accounts`:
    selectors.batch_accounts, or one account's for a final bill or a rebill). Values go to the database as
    stored: no arithmetic here."""
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


def insert_bill_rows(rows: BillRows) -> None:
    insert_rows(Bill, BILL_COLUMNS, rows.bills)
    if rows.parts_of is not None:
        with connection.cursor() as cursor:
            for statement in PARTS_SQL:
                cursor.execute(statement, list(rows.parts_of))
        return
    insert_rows(BillMeter, METER_COLUMNS, rows.meters)
    insert_rows(BillLine, LINE_COLUMNS, rows.lines)


def write_bills(actor, **fields) -> list[Written]:
    """One account's bill (a final bill, a rebill) written at once, inside the caller's transaction."""
    written, rows = bill_rows(actor, **fields)
    insert_bill_rows(rows)
    return written


def item_of(proposal: calculation.Proposal) -> dict:
    """A proposal made outside a run (a final bill, a rebill) in the form of a trial item."""
    return {
        "account_id": proposal.account_id, "period_start": proposal.period_start,
        "period_end": proposal.period_end, "units": proposal.units, "total": proposal.total,
        "proposal": calculation.proposal_to_json(proposal),
    }  # fmt: skip


def charges_draft(bill: Written, item: dict, receivable: str) -> EntryDraft:
    postings = [
        Posting(receivable, bill.current_charges, bill.account_id, f"Bill {bill.pk}", bill.due_date),
        *(Posting(gl, -Decimal(amount)) for gl, amount in item["proposal"]["gl"]),
    ]
    period = f"{bill.period_start:%m/%d/%Y}-{bill.period_end:%m/%d/%Y}"
    return EntryDraft(
        bill.bill_date, f"Bill {bill.pk}, service {period}", BILL_SOURCE, bill.pk, tuple(postings)
    )
