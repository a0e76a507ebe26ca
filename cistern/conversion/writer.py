"""Write a checked conversion folder into the database: cycles, routes, customers, premises, service points,
meters and their installations, accounts (new check-digit numbers, the old number kept), the reads as accepted
history, the previous system's bills as summaries, the open items and deposits into the books, autopay.

Rows go in block by block through core.bulk (COPY on PostgreSQL, executemany on SQLite), their ids reserved
first; reads and bills are streamed from the files, never held. The caller (services.convert) holds the one
transaction and writes the audit rows from what this returns.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.utils import timezone

from cistern.billing.models import BillCycle, CycleRoute, LegacyBill
from cistern.core.bulk import collector_paused, gin_indexes_drop, insert_rows, reserve_ids
from cistern.core.models import DistrictSettings
from cistern.core.services import sequence_next
from cistern.customers import search_index
from cistern.customers.account_number import make_account_number
from cistern.customers.models import (
    Account,
    AccountStatus,
    CreditDecision,
    Customer,
    IdentityMethod,
    OpeningBalance,
    Premise,
    ServiceEvent,
    ServiceEventKind,
)
from cistern.customers.search_text import build_search_text, service_address_text
from cistern.customers.services import ACCOUNT_SEQUENCE
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalEntry, JournalLine
from cistern.metering.models import (
    Meter,
    MeterInstallation,
    MeterStatus,
    Read,
    ReadRules,
    ReadSource,
    ReadStatus,
    Route,
    ServicePoint,
)
from cistern.metering.reading import Register, consumption
from cistern.payments import banking_days as banking
from cistern.payments import secrets as field_crypto
from cistern.payments.autopay import PRENOTE_BANKING_DAYS
from cistern.payments.models import AutopayDebit, AutopayEnrolment, EnrolmentStatus

from . import reader
from .loadformat import LoadSet

BLOCK = 20_000  # rows per COPY / executemany: a block of reads is a few megabytes
FIRST_ACCOUNT_SEQUENCE = 1000001  # as customers.services starts the account numbers
CONVERTED = "Converted from the previous system"
OPENING_DEPOSIT = "opening_deposit"  # a deposit held in the previous system (source: the account)


@dataclass
class Written:
    """Rows written to one table: how many, and the range of their ids."""

    table: str
    count: int = 0
    first_id: int | None = None
    last_id: int | None = None

    def add(self, ids: list[int]) -> None:
        if not ids:
            return
        self.count += len(ids)
        self.first_id = ids[0] if self.first_id is None else min(self.first_id, ids[0])
        self.last_id = ids[-1] if self.last_id is None else max(self.last_id, ids[-1])


@dataclass
class WriteResult:
    tables: dict[str, Written] = field(default_factory=dict)
    # file name -> rows of it written (an open item is a receivable line; a read a Read row)
    loaded: dict[str, int] = field(default_factory=dict)
    accounts: int = 0

    def table(self, model) -> Written:
        name = model._meta.db_table
        return self.tables.setdefault(name, Written(name))


def _blocks(rows: Iterable, size: int = BLOCK) -> Iterator[list]:
    rows = iter(rows)
    while block := list(islice(rows, size)):
        yield block


def write(load_set: LoadSet, *, actor, as_of: date) -> WriteResult:
    """Everything in `load_set` (and its reads and bills, streamed from its folder) into an empty district,
    inside the caller's transaction. Consumes the load set: its customers, premises and meters are emptied."""
    result = WriteResult()
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    with collector_paused():
        if postgres:
            with connection.cursor() as cursor:
                # Foreign keys checked per COPY, not queued to commit (millions of reads); the trigram
                # indexes built once after the accounts, not row by row.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                gin_indexes_drop(cursor, search_index.POSTGRESQL)
            _indexes(REBUILT, drop=True)
        # The previous system billed the converted reads to this date (billing's first span starts there).
        DistrictSettings.objects.update_or_create(id=1, defaults={"converted_on": as_of})
        routes = _cycles_and_routes(load_set, result)
        # The load set's customers, premises and meters are let go once written (a large district's rows
        # are a few hundred megabytes): the caller has counted what it needs of them first.
        customers = _customers(load_set, result, now)
        load_set.customers = []
        premises = _premises(load_set, result)
        load_set.premises = []
        first_reads, in_order = _first_reads(load_set)
        meters = _meters(load_set, result, premises, routes, first_reads)
        load_set.meters = []
        del first_reads
        accounts = _accounts(load_set, result, customers, premises, now, actor)
        _reads(load_set, result, meters, accounts, now, in_order)
        _legacy_bills(load_set, result, accounts)
        if postgres:
            # No trigger events are pending here (every check was immediate): indexes may be built.
            _indexes(REBUILT, drop=False)
            search_index.install_search_index(connection)
            with connection.cursor() as cursor:
                # The books' double-entry check runs at commit, once each entry has all its lines.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _books(load_set, result, accounts, actor, as_of)
        _autopay(load_set, result, accounts, actor, as_of, now)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics for what was just written
    result.accounts = len(load_set.accounts)
    return result


# The tables of millions of rows: on PostgreSQL their indexes are built once after the COPY, not row by row.
REBUILT = (Read, LegacyBill)


def _indexes(models, *, drop: bool) -> None:
    with connection.schema_editor() as editor:
        for model in models:
            for index in model._meta.indexes:
                (editor.remove_index if drop else editor.add_index)(model, index)


# --- the district's structure ------------------------------------------------------------------------------


def _cycles_and_routes(load_set: LoadSet, result: WriteResult) -> dict[str, int]:
    """Bill cycles and routes, each route in its cycle: route code -> route id."""
    cycles = BillCycle.objects.bulk_create(
        BillCycle(code=row.cycle, name=f"Cycle {row.cycle}", read_day=row.read_day, bill_day=row.bill_day)
        for row in load_set.cycles
    )
    result.table(BillCycle).add([c.pk for c in cycles])
    cycle_ids = {c.code: c.pk for c in cycles}
    routes = Route.objects.bulk_create(
        Route(code=row.route, name=f"Route {row.route}") for row in load_set.routes
    )
    result.table(Route).add([r.pk for r in routes])
    route_ids = {r.code: r.pk for r in routes}
    cycle_routes = CycleRoute.objects.bulk_create(
        CycleRoute(cycle_id=cycle_ids[row.cycle], route_id=route_ids[row.route]) for row in load_set.routes
    )
    result.table(CycleRoute).add([c.pk for c in cycle_routes])
    result.loaded["cycles.csv"] = len(cycles)
    result.loaded["routes.csv"] = len(routes)
    return route_ids


@dataclass(frozen=True)
class _Customer:
    id: int
    name: str
    phone: str
    email: str
    mailing_address: str


CUSTOMER_COLUMNS = (
    "id", "kind", "name", "phone", "phone_alt", "email", "mailing_street", "mailing_unit", "mailing_city",
    "mailing_state", "mailing_zip", "preferred_language", "paperless", "created_at",
)  # fmt: skip


def _customers(load_set: LoadSet, result: WriteResult, now) -> dict[str, _Customer]:
    """Customers, paperless when any of their accounts was (and they have an e-mail address to send to)."""
    paperless = {row.legacy_customer_id for row in load_set.accounts if row.paperless}
    ids = reserve_ids(Customer, len(load_set.customers))
    found, rows = {}, []
    for pk, row in zip(ids, load_set.customers, strict=True):
        rows.append(
            (pk, row.kind, row.name, row.phone, "", row.email, row.mailing_line1, row.mailing_line2, row.mailing_city,
             row.mailing_state, row.mailing_zip, row.language,
             bool(row.email) and row.legacy_customer_id in paperless, now)
        )  # fmt: skip
        unit = f" {row.mailing_line2}" if row.mailing_line2 else ""
        mailing = f"{row.mailing_line1}{unit}, {row.mailing_city}, {row.mailing_state} {row.mailing_zip}"
        found[row.legacy_customer_id] = _Customer(pk, row.name, row.phone, row.email, mailing)
    for block in _blocks(rows):
        insert_rows(Customer, CUSTOMER_COLUMNS, block)
    result.table(Customer).add(ids)
    result.loaded["customers.csv"] = len(ids)
    return found


@dataclass(frozen=True)
class _Premise:
    id: int
    occupancy: str
    service_address: str
    parcel_number: str


PREMISE_COLUMNS = (
    "id",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "parcel_number",
    "zone",
    "occupancy_type",
)


def _premises(load_set: LoadSet, result: WriteResult) -> dict[str, _Premise]:
    # The load format's occupancies are the district's own (owner = owner-occupied, rental, vacation, commercial).
    ids = reserve_ids(Premise, len(load_set.premises))
    found, rows = {}, []
    for pk, row in zip(ids, load_set.premises, strict=True):
        rows.append(
            (pk, row.street, row.unit, row.city, row.state, row.zip, row.parcel_number, "", row.occupancy)
        )
        address = service_address_text(row.street, row.unit, row.city)
        found[row.legacy_premise_id] = _Premise(pk, row.occupancy, address, row.parcel_number)
    for block in _blocks(rows):
        insert_rows(Premise, PREMISE_COLUMNS, block)
    result.table(Premise).add(ids)
    result.loaded["premises.csv"] = len(ids)
    return found


def _first_reads(load_set: LoadSet) -> tuple[dict[str, tuple[date, Decimal]], bool]:
    """Each meter's first converted read (its register when the history begins: the installation's initial
    value), and whether each meter's reads come in date order in the file. One pass over reads.csv, holding
    two dates and a value per meter."""
    first: dict[str, tuple[date, Decimal]] = {}
    last: dict[str, date] = {}
    in_order = True
    for row in reader.iter_reads(load_set.folder):
        known = first.get(row.meter_serial)
        if known is None or row.read_on < known[0]:
            first[row.meter_serial] = (row.read_on, row.value)
        if row.read_on < last.get(row.meter_serial, date.min):
            in_order = False
        last[row.meter_serial] = row.read_on
    return first, in_order


@dataclass
class _Meter:
    id: int
    installation_id: int
    premise_id: int
    register: Register
    last_on: date | None = None
    last_value: Decimal | None = None


SERVICE_POINT_COLUMNS = ("id", "premise_id", "kind", "route_id", "read_sequence", "location_note")
METER_COLUMNS = (
    "id",
    "serial",
    "size",
    "make",
    "model",
    "dials",
    "multiplier",
    "unit",
    "status",
    "purchased_on",
)
INSTALLATION_COLUMNS = (
    "id", "meter_id", "service_point_id", "installed_on", "initial_value", "removed_on", "final_value",
)  # fmt: skip


def _meters(load_set, result, premises, routes, first_reads) -> dict[str, _Meter]:
    """A service point per meter (its premise, kind, route and place in the route), the meter (installed) and
    its installation, whose initial value is the meter's first converted read (0 without one)."""
    count = len(load_set.meters)
    point_ids, meter_ids = reserve_ids(ServicePoint, count), reserve_ids(Meter, count)
    installation_ids = reserve_ids(MeterInstallation, count)
    points, meters, installations, found = [], [], [], {}
    for row, point_id, meter_id, inst_id in zip(
        load_set.meters, point_ids, meter_ids, installation_ids, strict=True
    ):
        premise_id = premises[row.legacy_premise_id].id
        points.append((point_id, premise_id, row.service_kind, routes[row.route], row.read_sequence, ""))
        meters.append((meter_id, row.serial, row.size, row.make, "", row.dials, row.multiplier, "HCF",
                       MeterStatus.INSTALLED, None))  # fmt: skip
        initial = first_reads.get(row.serial, (None, Decimal("0")))[1]
        installations.append((inst_id, meter_id, point_id, row.installed_on, initial, None, None))
        found[row.serial] = _Meter(meter_id, inst_id, premise_id, Register(row.dials, row.multiplier))
    for model, columns, rows in [
        (ServicePoint, SERVICE_POINT_COLUMNS, points),
        (Meter, METER_COLUMNS, meters),
        (MeterInstallation, INSTALLATION_COLUMNS, installations),
    ]:
        for block in _blocks(rows):
            insert_rows(model, columns, block)
    result.table(ServicePoint).add(point_ids)
    result.table(Meter).add(meter_ids)
    result.table(MeterInstallation).add(installation_ids)
    result.loaded["meters.csv"] = count
    return found


# --- accounts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    id: int
    number: str
    premise_id: int
    customer_name: str
    status: str
    start_date: date
    end_date: date | None


ACCOUNT_COLUMNS = (
    "id", "number", "customer_id", "premise_id", "relationship", "occupancy_type", "status", "start_date",
    "end_date", "identity_method", "identity_verified_by_id", "credit_decision", "credit_decided_on",
    "credit_decided_by_id", "deposit_amount", "deposit_waived_reason", "setup_fee_amount", "forwarding_street",
    "forwarding_unit", "forwarding_city", "forwarding_state", "forwarding_zip", "legacy_number", "search_text",
    "created_at",
)  # fmt: skip
SERVICE_EVENT_COLUMNS = (
    "id", "account_id", "kind", "effective_on", "note", "related_account_id", "created_by_id", "created_at",
)  # fmt: skip


def _accounts(load_set, result, customers, premises, now, actor) -> dict[str, _Account]:
    """Accounts with new numbers from the account sequence, in file order; the old number kept (searchable).
    The previous system vouched for each customer: identity "existing customer", credit not checked here."""
    count = len(load_set.accounts)
    ids = reserve_ids(Account, count)
    first_sequence = (
        sequence_next(name=ACCOUNT_SEQUENCE, start=FIRST_ACCOUNT_SEQUENCE, count=count) if count else 0
    )
    events, found = [], {}

    def rows() -> Iterator[tuple]:  # made block by block: a district's accounts are many
        for offset, (pk, row) in enumerate(zip(ids, load_set.accounts, strict=True)):
            number = make_account_number(first_sequence + offset)
            customer, premise = customers[row.legacy_customer_id], premises[row.legacy_premise_id]
            search_text = build_search_text(
                number=number, name=customer.name, phones=[customer.phone], email=customer.email,
                mailing_address=customer.mailing_address, service_address=premise.service_address,
                parcel_number=premise.parcel_number, legacy_number=row.legacy_account_number,
            )  # fmt: skip
            events.append((pk, ServiceEventKind.START, row.start_date))
            if row.end_date is not None:
                events.append((pk, ServiceEventKind.STOP, row.end_date))
            if row.status == AccountStatus.CLOSED:
                events.append((pk, ServiceEventKind.CLOSED, row.end_date))
            found[row.legacy_account_number] = _Account(
                pk, number, premise.id, customer.name, row.status, row.start_date, row.end_date
            )
            yield (
                pk, number, customer.id, premise.id, row.relationship, premise.occupancy, row.status,
                row.start_date, row.end_date, IdentityMethod.EXISTING_CUSTOMER, None, CreditDecision.NOT_CHECKED,
                None, None, row.deposit_held, "", Decimal("0.00"), "", "", "", "", "", row.legacy_account_number,
                search_text, now,
            )  # fmt: skip

    for block in _blocks(rows()):
        insert_rows(Account, ACCOUNT_COLUMNS, block)
    event_ids = reserve_ids(ServiceEvent, len(events))
    event_rows = [
        (pk, a, kind, on, CONVERTED, None, actor.pk, now)
        for pk, (a, kind, on) in zip(event_ids, events, strict=True)
    ]
    for block in _blocks(event_rows):
        insert_rows(ServiceEvent, SERVICE_EVENT_COLUMNS, block)
    result.table(Account).add(ids)
    result.table(ServiceEvent).add(event_ids)
    result.loaded["accounts.csv"] = count
    return found


class _Occupants:
    """Whose water a read of a premise's meter was: the account in service there that day (the latest to
    start when two overlap), or nobody (a vacant spell)."""

    def __init__(self, accounts: Iterable[_Account]):
        self.by_premise: dict[int, list[_Account]] = defaultdict(list)
        for account in accounts:
            self.by_premise[account.premise_id].append(account)
        for found in self.by_premise.values():
            found.sort(key=lambda a: a.start_date, reverse=True)

    def on(self, premise_id: int, day: date) -> int | None:
        for account in self.by_premise.get(premise_id, ()):
            if account.start_date <= day and (account.end_date is None or day <= account.end_date):
                return account.id
        return None


READ_COLUMNS = (
    "id", "meter_id", "installation_id", "account_id", "read_on", "value", "kind", "source", "status",
    "consumption", "problems", "reader_code", "note", "read_import_id", "reviewed_by_id", "reviewed_at",
    "created_by_id", "created_at",
)  # fmt: skip


def _reads(
    load_set, result, meters: dict[str, _Meter], accounts: dict[str, _Account], now, in_order: bool
) -> None:
    """The reads as accepted history, streamed: each linked to its installation and the account in service,
    its consumption since the meter's previous read (rollover and multiplier applied), so validation and
    estimation work from the first day. A meter's reads out of date order in the file are put in order first
    (held per meter only then)."""
    rules = ReadRules.objects.filter(pk=1).first()
    window = rules.rollover_window_percent if rules else 20
    occupants = _Occupants(accounts.values())
    table = result.table(Read)
    loaded = 0

    def rows(source: Iterable) -> Iterator[tuple]:
        for row in source:
            meter = meters[row.meter_serial]
            used = None
            if meter.last_value is not None:
                used = consumption(meter.last_value, row.value, meter.register, window)
            meter.last_on, meter.last_value = row.read_on, row.value
            yield (
                meter.id, meter.installation_id, occupants.on(meter.premise_id, row.read_on), row.read_on, row.value,
                row.kind, ReadSource.CONVERSION, ReadStatus.ACCEPTED, used, "[]", "", "", None, None, None, None, now,
            )  # fmt: skip

    if in_order:
        source = reader.iter_reads(load_set.folder)
    else:
        source = sorted(reader.iter_reads(load_set.folder), key=lambda r: (r.meter_serial, r.read_on))
    for block in _blocks(rows(source)):
        ids = reserve_ids(Read, len(block))
        insert_rows(Read, READ_COLUMNS, [(pk, *row) for pk, row in zip(ids, block, strict=True)])
        table.add(ids)
        loaded += len(block)
    result.loaded["reads.csv"] = loaded


LEGACY_BILL_COLUMNS = (
    "id", "account_id", "bill_date", "period_start", "period_end", "units", "current_charges", "amount_due",
    "is_final",
)  # fmt: skip


def _legacy_bills(load_set, result, accounts: dict[str, _Account]) -> None:
    """The previous system's bills, streamed. A stopped account's bill whose period reaches its end date is its
    final bill (billing counts the account final-billed)."""
    table, loaded = result.table(LegacyBill), 0

    def rows() -> Iterator[tuple]:
        for row in reader.iter_bills(load_set.folder):
            account = accounts[row.legacy_account_number]
            final = account.end_date is not None and row.period_end >= account.end_date
            yield (account.id, row.bill_date, row.period_start, row.period_end, row.units, row.current_charges,
                   row.amount_due, final)  # fmt: skip

    for block in _blocks(rows()):
        ids = reserve_ids(LegacyBill, len(block))
        insert_rows(LegacyBill, LEGACY_BILL_COLUMNS, [(pk, *row) for pk, row in zip(ids, block, strict=True)])
        table.add(ids)
        loaded += len(block)
    result.loaded["bills.csv"] = loaded


# --- the books -----------------------------------------------------------------------------------------


OPENING_BALANCE_COLUMNS = ("id", "account_id", "amount", "as_of", "note")


def _books(load_set, result, accounts: dict[str, _Account], actor, as_of: date) -> None:
    """Per account with open items, one entry against Opening balances: a receivable line per item, due when
    the previous system said (aging goes on), recorded as the account's OpeningBalance (their sum). Per account
    with a deposit held, one entry: Opening balances against Deposits held, naming the account."""
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    opening = ledger_selectors.gl_code(GLRole.OPENING_BALANCES)
    deposits_held = ledger_selectors.gl_code(GLRole.DEPOSITS_HELD)
    items = defaultdict(list)
    for row in load_set.open_items:
        if row.amount:
            items[row.legacy_account_number].append(row)
    owed = [(accounts[number], rows) for number, rows in items.items()]
    owed.sort(key=lambda pair: pair[0].id)
    balance_ids = reserve_ids(OpeningBalance, len(owed))
    balances = [
        (pk, account.id, sum((r.amount for r in rows), Decimal("0.00")), as_of, CONVERTED)
        for pk, (account, rows) in zip(balance_ids, owed, strict=True)
    ]
    for block in _blocks(balances):
        insert_rows(OpeningBalance, OPENING_BALANCE_COLUMNS, block)
    result.table(OpeningBalance).add(balance_ids)
    memo = f"Opening balance converted from the previous system, as of {as_of:%m/%d/%Y}"

    def drafts() -> Iterator[ledger.EntryDraft]:  # made block by block: as many as the accounts
        for (pk, account_id, total, _, _), (account, rows) in zip(balances, owed, strict=True):
            postings = [
                ledger.Posting(receivable, r.amount, account_id, (r.description or "Opening balance (converted)")[:200],
                               r.due_date)
                for r in rows
            ]  # fmt: skip
            if total:
                postings.append(
                    ledger.Posting(
                        opening, -total, description=f"Opening balance of account {account.number}"
                    )
                )
            yield ledger.EntryDraft(as_of, memo, ledger.OPENING_BALANCE, pk, tuple(postings), "Conversion")
        held = sorted(
            (
                (accounts[row.legacy_account_number], row.deposit_held)
                for row in load_set.accounts
                if row.deposit_held
            ),
            key=lambda pair: pair[0].id,
        )
        for account, amount in held:
            yield ledger.EntryDraft(
                as_of, f"Deposit held in the previous system, as of {as_of:%m/%d/%Y}", OPENING_DEPOSIT, account.id,
                (ledger.Posting(opening, amount, description=f"Deposit of account {account.number}"),
                 ledger.Posting(deposits_held, -amount, account.id, "Guarantee deposit (converted)")),
                "Conversion",
            )  # fmt: skip

    lines = 0
    for block in _blocks(drafts(), BLOCK // 4):
        ids = ledger.journal_post_batch(actor=actor, drafts=block)
        result.table(JournalEntry).add(ids)
        lines += sum(len(d.postings) for d in block)
    result.table(JournalLine).count = lines
    result.loaded["open_items.csv"] = sum(len(rows) for _, rows in owed)


# --- autopay -------------------------------------------------------------------------------------------


ENROLMENT_COLUMNS = (
    "id", "account_id", "holder_name", "routing_number", "bank_account_encrypted", "bank_account_last_four",
    "bank_account_type", "status", "live_from", "enrolled_by_id", "enrolled_at", "ended_on", "ended_reason",
)  # fmt: skip
DEBIT_COLUMNS = ("id", "enrolment_id", "prenote", "amount", "settle_on", "status", "presentment", "trace_number",
                 "return_code")  # fmt: skip


def _autopay(load_set, result, accounts: dict[str, _Account], actor, as_of: date, now) -> None:
    """Autopay enrolments, the bank account encrypted. A prenote the previous system completed: active, live
    from `as_of`; one not yet done: its zero-dollar prenote scheduled as enrolment_create schedules it."""
    ids = reserve_ids(AutopayEnrolment, len(load_set.autopay))
    rows, prenotes = [], []
    settle_on = banking.banking_day_on_or_after(as_of)
    for pk, row in zip(ids, load_set.autopay, strict=True):
        account = accounts[row.legacy_account_number]
        holder = " ".join(account.customer_name.split())[:22]
        if row.prenote_done:
            status, live_from = EnrolmentStatus.ACTIVE, as_of
        else:
            status, live_from = (
                EnrolmentStatus.PRENOTE,
                banking.add_banking_days(settle_on, PRENOTE_BANKING_DAYS),
            )
            prenotes.append(pk)
        rows.append(
            (pk, account.id, holder, row.routing_number, field_crypto.encrypt(row.account_number),
             row.account_number[-4:], row.account_type, status, live_from, actor.pk, now, None, "")
        )  # fmt: skip
    for block in _blocks(rows):
        insert_rows(AutopayEnrolment, ENROLMENT_COLUMNS, block)
    debit_ids = reserve_ids(AutopayDebit, len(prenotes))
    debits = [(pk, enrolment, True, Decimal("0.00"), settle_on, "scheduled", 1, "", "")
              for pk, enrolment in zip(debit_ids, prenotes, strict=True)]  # fmt: skip
    insert_rows(AutopayDebit, DEBIT_COLUMNS, debits)
    result.table(AutopayEnrolment).add(ids)
    result.table(AutopayDebit).add(debit_ids)
    result.loaded["autopay.csv"] = len(ids)
