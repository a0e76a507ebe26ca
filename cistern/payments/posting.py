"""How a payment is written, whether one at a time (`services.payment_post`: the counter, the API) or many at
once (`batch.payments_post_batch`: lockbox, autopay, conversion): the lock of its accounts, the read of their
open charges, where its money sits, and the rows of its tables. Both writers go through here so a payment is
the same rows whichever way it came.

The reads and writes here use rows and the driver's cursor (`core.bulk.insert_rows`), not model instances:
posting a payment is the district's busiest write (issue 11: 300 payments/s with 4 posters), and building a
query and a model per row was most of its time.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from cistern.billing.posting import BILL_SOURCE
from cistern.core.bulk import among
from cistern.core.models import DistrictSettings
from cistern.core.money import ZERO
from cistern.customers.models import Account
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLAccount, GLRole, JournalEntry, JournalLine

from . import application
from .models import Channel, TenderKind

PAYMENT = "payment"  # the journal entries' source kind (source id: the payment)

PAYMENT_COLUMNS = [
    "id", "customer_id", "channel", "session_id", "received_on", "amount", "status", "cash_tendered",
    "change_given", "reference", "idempotency_key", "request_fingerprint", "entry_id", "reversal_entry_id",
    "posted_by_id", "posted_at", "ended_by_id", "ended_at", "ended_reason",
]  # fmt: skip
TENDER_COLUMNS = ["payment_id", "kind", "amount", "check_number", "card_brand", "card_last_four", "reference"]
PART_COLUMNS = ["payment_id", "account_id", "amount", "applied", "credit", "balance_after"]


def tender_gl(channel: str, kind: str) -> str:
    """The GL role where a tender's money sits until the bank has it."""
    if channel in (Channel.LOCKBOX, Channel.CONVERSION):
        return GLRole.CASH  # the bank deposited it into the district's account (or the prior system did)
    if channel in (Channel.AUTOPAY, Channel.ACH):
        return GLRole.ACH_CLEARING
    if kind in (TenderKind.CARD, TenderKind.ELECTRONIC):
        return GLRole.PROCESSOR_CLEARING
    return GLRole.UNDEPOSITED_FUNDS


def _priority_sql() -> str:
    return f"SELECT payment_priority FROM {DistrictSettings._meta.db_table} WHERE id = 1"  # noqa: S608


def _kinds(text: str | None) -> tuple[str, ...]:
    kinds = tuple(k.strip().lower() for k in (text or "").split(",") if k.strip())
    return kinds or application.DEFAULT_PRIORITY


def charge_kind(item: aging.OpenItem) -> str:
    """What an open charge is for the payment's priority: the deposit, a fee, or water (a bill)."""
    if item.kind == ledger.START_CHARGES and "deposit" in item.description.lower():
        return "deposit"
    if item.kind == BILL_SOURCE:  # every bill's charges, final bills and rebills too
        return "water"
    return "fees"


@dataclass(frozen=True)
class Chart:
    accounts: dict[str, GLAccount]  # {code: GL account}
    codes: dict[str, str]  # {GL role: code}
    priority: tuple[str, ...]  # the payment priority (DistrictSettings.payment_priority)

    def code(self, role: str) -> str:
        """The code of the GL account with `role`; a role the chart lacks raises NoGLRole, naming it."""
        return self.codes.get(role) or ledger_selectors.gl_code(role)


def chart() -> Chart:
    """The chart of accounts and the district's payment priority, in one read (a payment needs both). Raises
    NoGLRole when a role every payment needs has no account (code names GL accounts by role; the district
    numbers them)."""
    table = GLAccount._meta.db_table
    rows = GLAccount.objects.raw(f"SELECT g.*, ({_priority_sql()}) AS payment_priority FROM {table} g")  # noqa: S608
    accounts = {a.code: a for a in rows}
    codes = {a.role: a.code for a in accounts.values() if a.role}
    for role in (GLRole.RECEIVABLE, GLRole.UNDEPOSITED_FUNDS, GLRole.CASH):
        if role not in codes:
            ledger_selectors.gl_code(role)  # raises NoGLRole, naming what to fix
    return Chart(accounts, codes, _kinds(next(iter(accounts.values())).payment_priority))


def lock_accounts(account_ids) -> dict[int, int]:
    """customers.accounts_lock read as {account id: customer id}: the same rows, the same ascending order, FOR
    UPDATE, without an Account object each (at tens of thousands, that was most of the lock's time)."""
    ids = sorted({int(pk) for pk in account_ids})
    if not ids:
        return {}
    if len(ids) == 1:
        # One account (a payment at the counter or from the API): its own short statement.
        with connection.cursor() as cursor:
            table = Account._meta.db_table
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(f"SELECT id, customer_id FROM {table} WHERE id = %s{lock}", ids)  # noqa: S608
            return dict(cursor.fetchall())
    return dict(
        among(Account.objects.select_for_update(), "id", ids).order_by("pk").values_list("pk", "customer_id")
    )


class _Entry:
    __slots__ = ("entry_date", "memo", "source_kind", "reverses_id")

    def __init__(self, entry_date, memo, source_kind, reverses_id):
        self.entry_date, self.memo, self.source_kind, self.reverses_id = (
            entry_date,
            memo,
            source_kind,
            reverses_id,
        )


class _Line:
    """A receivable line as ledger_selectors.movements reads it (the attributes it uses), from one row of one
    query for every account paid, instead of a JournalLine model per line."""

    __slots__ = (
        "pk",
        "account_id",
        "amount",
        "due_date",
        "description",
        "entry_id",
        "gl_account_id",
        "entry",
    )

    def __init__(self, pk, account_id, amount, due_date, description, entry_id, gl_account_id, entry):
        self.pk, self.account_id, self.amount, self.due_date = pk, account_id, amount, due_date
        self.description, self.entry_id, self.gl_account_id, self.entry = (
            description,
            entry_id,
            gl_account_id,
            entry,
        )


_LINES = [
    "id", "account_id", "amount", "due_date", "description", "entry_id", "gl_account_id", "entry__entry_date",
    "entry__memo", "entry__source_kind", "entry__reverses_id",
]  # fmt: skip


def _movements(rows: list[tuple]) -> list[aging.Movement]:
    """An account's receivable lines as aging movements. An account with a reversal among its lines goes
    through ledger_selectors.movements (which pairs each reversing line with the line it reverses); the others,
    most of them, are turned into movements directly (the same values, nothing to pair)."""
    if any(row[10] is not None for row in rows):
        entries = {row[5]: _Entry(row[7], row[8], row[9], row[10]) for row in rows}
        return ledger_selectors.movements(
            _Line(r[0], r[1], r[2], r[3], r[4], r[5], r[6], entries[r[5]]) for r in rows
        )
    return [aging.Movement(r[7], r[2], r[3], r[4] or r[8], r[0], r[9], None) for r in rows]


def _one_account_sql() -> str:
    """The ORM's query of `_LINES` for one account, written out (the ORM took longer to build it than the
    database to answer it), its receivable lines named by their GL accounts' ids; PostgreSQL's driver returns
    the values as the ORM would (Decimal, date)."""
    line, entry = JournalLine._meta.db_table, JournalEntry._meta.db_table
    return (
        "SELECT l.id, l.account_id, l.amount, l.due_date, l.description, l.entry_id, l.gl_account_id, "  # noqa: S608
        f"e.entry_date, e.memo, e.source_kind, e.reverses_id FROM {line} l JOIN {entry} e ON e.id = l.entry_id "
        "WHERE l.account_id = %s AND l.gl_account_id = ANY(%s)"
    )


def open_charges(
    account_ids: list[int], chart: Chart | None = None
) -> dict[int, tuple[list[application.OpenCharge], Decimal]]:
    """{account id: (its open charges as a payment pays them, its balance)} in one query (`chart`: the chart,
    when the caller has read it)."""
    by_account: dict[int, list[tuple]] = defaultdict(list)
    if len(account_ids) == 1 and chart is not None and connection.vendor == "postgresql":
        receivable = [a.pk for a in chart.accounts.values() if a.receivable]
        with connection.cursor() as cursor:
            cursor.execute(_one_account_sql(), [account_ids[0], receivable])
            rows = cursor.fetchall()
    else:
        # Many accounts (a lockbox file) are read in chunks.
        rows = among(JournalLine.objects.filter(gl_account__receivable=True), "account_id", account_ids)
        rows = rows.values_list(*_LINES).order_by().iterator(chunk_size=20_000)
    for row in rows:
        by_account[row[1]].append(row)
    found = {}
    for account_id in account_ids:
        lines = sorted(by_account.get(account_id, []), key=lambda r: (r[7], r[0]))  # receivable_lines' order
        items, _credit = aging.open_items(_movements(lines))
        charges = [
            application.OpenCharge(i.line_id, i.due, charge_kind(i), i.open)
            for i in items
            if i.line_id is not None
        ]
        found[account_id] = (charges, sum((line[2] for line in lines), ZERO))
    return found


def allocations(applied: application.Application) -> list[dict]:
    """A part's `applied` column: each charge it paid, as the account page lists them."""
    return [
        {"line": a.charge_id, "kind": a.kind, "due": a.due.isoformat(), "amount": str(a.amount)}
        for a in applied.allocations
    ]
