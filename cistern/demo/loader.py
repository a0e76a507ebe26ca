"""Load the synthetic district (generator.py): first what the prior system hands over, then its history since.

The conversion is a data conversion, not a clerk's work: customers, premises, meters, installations, the
accounts in service on the conversion date and those closed before it, each meter's opening read, flags and
contact-log entries go in directly, block by block (COPY on PostgreSQL, executemany on SQLite), without
services or audit rows. Service events and flags carry no user (conversion); contact-log entries name the
inactive `conversion` user, because a contact entry must name someone. What the converted accounts owe goes
into the books through the ledger's services: each deposit and set-up fee (and the prior system's payment of
them), each closed account's unpaid balance as an opening balance.

Then history.py replays every day from the conversion date to today through the services a district's staff
use: stops with their final reads and final bills, move-ins with their initial reads, route reads, bill runs,
payments, late fees. With `history_months` 0 (the scale benchmark) there is no replay: every account is
written as it stands today, without reads or bills.
"""

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from cistern.core import clock
from cistern.core.bulk import gin_indexes_drop
from cistern.core.models import NumberSequence
from cistern.customers import search_index
from cistern.customers.models import (
    Account,
    AccountFlag,
    ContactEntry,
    Customer,
    Premise,
    ServiceEvent,
)
from cistern.customers.services import ACCOUNT_SEQUENCE
from cistern.ledger import services as ledger
from cistern.metering.models import Meter, MeterInstallation, Read, Route, ServicePoint
from cistern.payments import batch
from cistern.payments.models import Channel

from . import billing
from . import generator as g
from . import meters as m
from .config import load_config
from .history import Replayed, replay

CONVERSION_USERNAME = "conversion"

# (block attribute, model, columns, first-id key), in foreign-key order.
TABLES = [
    ("customers", Customer, g.CUSTOMER_COLUMNS, "customer"),
    ("premises", Premise, g.PREMISE_COLUMNS, "premise"),
    ("accounts", Account, g.ACCOUNT_COLUMNS, "account"),
    ("service_events", ServiceEvent, g.SERVICE_EVENT_COLUMNS, "service_event"),
    ("flags", AccountFlag, g.FLAG_COLUMNS, "flag"),
    ("contacts", ContactEntry, g.CONTACT_COLUMNS, "contact"),
    ("routes", Route, m.ROUTE_COLUMNS, "route"),
    ("service_points", ServicePoint, m.SERVICE_POINT_COLUMNS, "service_point"),
    ("meters", Meter, m.METER_COLUMNS, "meter"),
    ("installations", MeterInstallation, m.INSTALLATION_COLUMNS, "installation"),
    ("reads", Read, m.READ_COLUMNS, "read"),
]
# Account history kept when no reads are asked for (--history-months 0, the scale benchmark).
DEFAULT_HISTORY_MONTHS = 13


@dataclass
class SeedResult:
    skipped: bool
    totals: g.Totals | None = None
    seconds: float = 0.0
    next_sequence: int = 0
    bills: int = 0
    by_status: dict | None = None
    replayed: Replayed | None = None


def check_columns() -> None:
    """The generator's column lists must be exactly the models' columns (a model change shows up here)."""
    for _, model, columns, _ in TABLES:
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(columns) or len(columns) != len(set(columns)):
            raise RuntimeError(
                f"demo generator columns for {model._meta.db_table} are out of date: "
                f"missing {sorted(actual - set(columns))}, unknown {sorted(set(columns) - actual)}"
            )


def conversion_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=CONVERSION_USERNAME,
        defaults={"first_name": "Data", "last_name": "Conversion", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _first_ids() -> dict[str, int]:
    return {key: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for _, model, _, key in TABLES}


# --- writers --------------------------------------------------------------------------------------------


def _sqlite_value(value):
    kind = type(value)
    if kind is datetime:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if kind is date:
        return value.isoformat()
    if kind is Decimal:
        return str(value)
    return value


class SqliteWriter:
    def __init__(self):
        self.raw = connection.connection

    def write(self, model, columns, rows):
        if not rows:
            return
        sql = (
            f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '  # noqa: S608 (names from models)
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        self.raw.executemany(sql, [tuple(map(_sqlite_value, row)) for row in rows])


class PostgresWriter:
    def __init__(self):
        self.raw = connection.connection

    def write(self, model, columns, rows):
        if not rows:
            return
        sql = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _postgres_before_load(cursor) -> None:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked per COPY, not queued to commit
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    gin_indexes_drop(cursor, search_index.POSTGRESQL)  # the trigram indexes, built again after the load


# --- the district ---------------------------------------------------------------------------------------


def seed_district(
    *,
    accounts: int,
    seed: int,
    history_months: int = 13,
    today: date | None = None,
    if_empty: bool = False,
    progress=None,
) -> SeedResult:
    """Load a district of `accounts` accounts into an empty database. Raises RuntimeError if accounts exist
    (unless `if_empty`, which then does nothing). `history_months` is the months of monthly reads and of
    account history; 0 seeds meters and installations without reads (account history then spans
    DEFAULT_HISTORY_MONTHS)."""
    if Account.objects.exists():
        if if_empty:
            return SeedResult(skipped=True)
        raise RuntimeError(
            "The database already has accounts; seed_district loads an empty district "
            "(use --if-empty to leave it as it is, or start from a fresh database)."
        )
    check_columns()
    started = time.monotonic()
    today = today or clock.today()
    vendor = connection.vendor
    with transaction.atomic():
        user = conversion_user()
        staff = load_config(today)  # settings, holidays, closures, rates and fees, staff, forms (config.py)
        gen = g.DistrictGenerator(
            accounts=accounts, seed=seed, today=today, history_months=history_months or DEFAULT_HISTORY_MONTHS,
            read_months=history_months, now=timezone.now(), conversion_user_id=user.pk, first_ids=_first_ids(),
        )  # fmt: skip
        connection.ensure_connection()
        if vendor == "postgresql":
            writer = PostgresWriter()
            with connection.cursor() as cursor:
                _postgres_before_load(cursor)
        else:
            writer = SqliteWriter()
        opening_balances = []
        for block in gen.blocks():
            for attr, model, columns, _ in TABLES:
                writer.write(model, columns, getattr(block, attr))
            opening_balances += block.opening_balances
            if progress:
                progress(gen.totals, time.monotonic() - started)
        if vendor == "postgresql":
            models = [model for _, model, _, _ in TABLES]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
                # Back to the database's own timing: the services that follow (a read import names its
                # ReadImport before writing it) rely on foreign keys checked at commit.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            search_index.install_search_index(connection)  # puts the GIN indexes back
        converted = gen.converted_accounts if gen.replaying else accounts
        next_sequence = g.FIRST_SEQUENCE + converted
        sequence, created = NumberSequence.objects.select_for_update().get_or_create(
            name=ACCOUNT_SEQUENCE, defaults={"next_value": next_sequence}
        )
        if not created and sequence.next_value < next_sequence:
            NumberSequence.objects.filter(name=ACCOUNT_SEQUENCE).update(next_value=next_sequence)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            tables = ", ".join(model._meta.db_table for _, model, _, _ in TABLES)
            # VACUUM sets the visibility map (index-only scans) but cannot run inside a transaction,
            # as when a test calls the command; ANALYZE alone still gives the planner its statistics.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} {tables}")
        elif vendor == "sqlite":
            cursor.execute("ANALYZE")
    billing.load_cycles()
    convert_books(staff, opening_balances, on=gen.conversion_date)
    replayed = None
    if gen.replaying:
        replayed = replay(gen.history(), seed=seed)
    if vendor == "postgresql":
        # The books and the replayed months were written after the statistics above: without these the
        # planner guesses thousands of journal lines per account (seen: a parallel plan and 10 ms for 2 lines
        # on every account page) until autovacuum gets to the tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    by_status = dict(Account.objects.values_list("status").annotate(n=Count("id")).order_by())
    return SeedResult(
        skipped=False, totals=gen.totals, seconds=time.monotonic() - started,
        bills=replayed.bills + replayed.final_bills if replayed else 0, by_status=by_status, replayed=replayed,
        next_sequence=max(next_sequence, NumberSequence.objects.get(name=ACCOUNT_SEQUENCE).next_value),
    )  # fmt: skip


def convert_books(staff, opening_balances, *, on: date) -> None:
    """What the converted accounts owe, into the ledger through its services, dated the conversion date: each
    closed account's unpaid balance (an opening balance), and the deposit and set-up fee of each converted
    account, with the prior system's record of their payment."""
    with clock.on(on), transaction.atomic():
        by_id = Account.objects.in_bulk([row[1] for row in opening_balances])
        for _, account_id, amount, as_of, note in opening_balances:
            ledger.opening_balance_post(actor=staff.biller, account=by_id[account_id], amount=amount, on=as_of,
                                        memo=note)  # fmt: skip
        # Accounts closed before the conversion: the prior system settled their deposit (none is recorded)
        # and charged and took their set-up fee. Posted in blocks: a scale district has a million accounts.
        owing = Account.objects.filter(Q(deposit_amount__gt=0) | Q(setup_fee_amount__gt=0)).order_by("pk")
        for block in _blocks(owing.only("pk", "number", "deposit_amount", "setup_fee_amount"), 20_000):
            charged = set(ledger.start_charges_post_batch(actor=staff.clerk, accounts=block, on=on))
            paid = [batch.BatchItem(a.pk, a.deposit_amount + a.setup_fee_amount, reference="Prior system")
                    for a in block if a.pk in charged]  # fmt: skip
            batch.payments_post_batch(actor=staff.biller, channel=Channel.CONVERSION, received_on=on, items=paid,
                                      note="Deposit and set-up fee paid in the prior system")  # fmt: skip


def _blocks(queryset, size: int):
    block = []
    for row in queryset.iterator(chunk_size=size):
        block.append(row)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def check_sample(size: int = 200) -> list[str]:
    """full_clean() a spread of seeded accounts with their rows, and compare each account's search text with
    what the services would write. Returns the problems found (empty: all well)."""
    from django.core.exceptions import ValidationError

    from cistern.customers.services import account_search_text

    problems: list[str] = []
    ids = list(
        Account.objects.order_by("pk").values_list("pk", flat=True)[
            :: max(1, Account.objects.count() // size)
        ]
    )
    accounts = (
        Account.objects.filter(pk__in=ids)
        .select_related("customer", "premise")
        .prefetch_related("flags", "contacts", "service_events")
    )
    for account in accounts:
        rows = [account, account.customer, account.premise, *account.flags.all(), *account.contacts.all(),
                *account.service_events.all()]  # fmt: skip
        if hasattr(account, "opening_balance"):
            rows.append(account.opening_balance)
        for row in rows:
            try:
                row.full_clean()
            except ValidationError as exc:
                problems.append(
                    f"{type(row).__name__} {row.pk} (account {account.number}): {exc.message_dict}"
                )
        if account.search_text != account_search_text(account):
            problems.append(f"account {account.number}: search_text differs from account_search_text()")
    return problems
