"""Writing many rows of a model fast: ids handed out first, then one COPY (PostgreSQL) or one executemany
(SQLite) per table. For batch writers (a bill run's posting) that already hold their transaction and have
checked their rows; `bulk_create` is the path for everything else. Append-only tables are fine: this only
inserts."""

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import chain, islice

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, as its own inserts would get them."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite (AUTOINCREMENT): past both the highest id there is and the highest ever handed out. The
        # caller's transaction is IMMEDIATE, so no other writer takes ids meanwhile.
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "  # noqa: S608 (a model's own table)
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def reserve_one_each(*models: type[models.Model]) -> list[int]:
    """One new primary key for each model, in one statement on PostgreSQL (a payment and its journal entry)."""
    if connection.vendor != "postgresql":
        return [reserve_ids(model, 1)[0] for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["nextval(pg_get_serial_sequence(%s, 'id'))"] * len(models)),
            [model._meta.db_table for model in models],
        )
        return list(cursor.fetchone())


_SQLITE_AS_IS = frozenset({int, str, float, bytes, bool, type(None)})


def _sqlite_value(value, _last=[None, None]):  # noqa: B006 (the last datetime adapted: rows share their `now`)
    kind = type(value)  # by exact type first: a block of a million reads has twenty million values
    if kind in _SQLITE_AS_IS:
        return value
    if kind is date:
        return value.isoformat()
    if isinstance(value, datetime):
        if value is not _last[0]:
            _last[0], _last[1] = value, connection.ops.adapt_datetimefield_value(value)
        return _last[1]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, str, float, bytes)):
        return value
    return str(value)  # Decimal: as Django writes it


FEW_ROWS = 20  # insert_rows writes up to this many rows with INSERT, more with COPY


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (values in the order of `columns`, attribute names such as "bill_id") into `model`'s
    table. Values are Python values: Decimal, date, aware datetime, int, str, bool, None. A row the database
    refuses raises Django's IntegrityError, as the ORM's writes do (the driver's cursor is used directly)."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    names = [by_attname[name].column for name in columns]
    table = model._meta.db_table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            rows = iter(rows)
            first = list(islice(rows, FEW_ROWS + 1))
            if len(first) <= FEW_ROWS:
                # A few rows (one payment's): one INSERT is one round trip; COPY takes two.
                if first:
                    cursor.cursor.execute(*_insert_sql(model, columns, first))
                return
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in chain(first, rows):
                    copy.write_row(row)
            return
        placeholders = ", ".join("?" for _ in names)
        cursor.cursor.executemany(  # the driver's cursor: "?" placeholders, no per-row wrapping
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})",  # noqa: S608
            ([_sqlite_value(v) for v in row] for row in rows),
        )


def _insert_sql(model: type[models.Model], columns: Sequence[str], rows: list[Sequence]) -> tuple[str, list]:
    """One INSERT of `rows` into `model`'s table, with its parameters."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    names = ", ".join(by_attname[name].column for name in columns)
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    return (
        f"INSERT INTO {model._meta.db_table} ({names}) VALUES {values}",  # noqa: S608 (our own names)
        [value for row in rows for value in row],
    )


def insert_tables(*writes: tuple[type[models.Model], Sequence[str], Sequence[Sequence]]) -> None:
    """`insert_rows` for several tables, each write (model, columns, rows). A few rows each (one payment's
    entry, lines, tender, part and audit) go to PostgreSQL as one execute of several INSERTs, one round trip
    (the driver binds parameters on the client, which allows several statements); otherwise table by table."""
    if connection.vendor != "postgresql" or any(len(rows) > FEW_ROWS for _, _, rows in writes):
        for model, columns, rows in writes:
            insert_rows(model, columns, rows)
        return
    statements, params = [], []
    for model, columns, rows in writes:
        if rows:
            sql, values = _insert_sql(model, columns, list(rows))
            statements.append(sql)
            params += values
    if statements:
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.cursor.execute("; ".join(statements), params)


def among(queryset: models.QuerySet, field: str, ids) -> models.QuerySet:
    """`queryset` narrowed to rows whose `field` (an attribute name such as "installation_id") is one of `ids`
    (a list, or a subquery). A long list goes to PostgreSQL as one array parameter rather than one parameter
    per id (cheap to send and to plan, whatever the table's statistics say)."""
    if isinstance(ids, list) and len(ids) > 100 and connection.vendor == "postgresql":
        meta = queryset.model._meta
        column = f'"{meta.db_table}"."{meta.get_field(field).column}"'
        return queryset.extra(where=[f"{column} = ANY(%s)"], params=[ids])  # noqa: S610 (our own names)
    return queryset.filter(**{f"{field}__in": ids})


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk step (objects are still freed by reference counting,
    and any cycles are collected once it is over): such a step makes millions of short-lived objects beside
    a hundred thousand kept ones, and every collection of the oldest generation would walk all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A GIN index (PostgreSQL's trigram search indexes) is built once after a large load, not row by row.
_GIN_INDEX = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON \w+ USING gin", re.IGNORECASE)


def gin_indexes_drop(cursor, statements: Iterable[str]) -> None:
    """Drop the GIN indexes that `statements` (an app's index DDL) create; the caller creates them again after
    its load, from the same statements."""
    for statement in statements:
        match = _GIN_INDEX.search(statement)
        if match:
            cursor.execute(f"DROP INDEX IF EXISTS {match.group(1)}")
