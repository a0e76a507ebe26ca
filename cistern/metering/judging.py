"""Reads in bulk, judged: every read of a bucket of meters gets the verdict read_record() would give it.

Pure: plain values in (the bucket's lines, its meters and the facts batch.py loaded for them set-wise), plain
values out, no ORM. So a big file's buckets can be judged in worker processes while the importing process
writes the ones already judged (batch.py); nothing here needs the database.

The reads of one meter are judged in date order, each seeing the ones before it, as if read_record() had been
called for them one by one in that order.
"""

import json
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .reading import PriorRead, ReadFacts, Register, clean_usage, validate

HISTORY = 16  # accepted reads per installation that validation looks at (as selectors.read_facts)
CENT = Decimal("0.01")
ACCEPTED, EXCEPTION, REJECTED = "accepted", "exception", "rejected"


class BucketFacts(NamedTuple):
    """What selectors.read_facts() gathers for one read, for all the meters of a bucket and their dates."""

    installations: dict[
        int, list[tuple]
    ]  # meter -> (id, installed_on, removed_on, initial, premise), newest first
    history: dict[int, list[tuple]]  # installation -> (ordinal, read_on, value, usage or None), newest first
    same_day: dict[tuple[int, int], list[tuple]]  # (meter, ordinal) -> (value, status) stored, newest first
    accounts: dict[int, list[tuple]]  # premise -> (id, start, end, active), latest start first


class Rules(NamedTuple):
    high_percent: int
    low_percent: int
    minimum_typical_units: Decimal
    rollover_window_percent: int


def sort_lines(rows: list[tuple]) -> None:
    """Spilled lines (serial, date ordinal, value, source, reader_code, note, line or index): meter by meter,
    in date order, then in file order."""
    rows.sort(key=lambda r: (r[0], r[1], r[6]))


def judge(rows: list[tuple], meters: dict[str, tuple[int, Register]], facts: BucketFacts, rules: Rules):
    """Yield (row, meter_id, installation_id, account_id, read_on, value, status, consumption, problems) for each
    line of `rows` (sorted by sort_lines), or None for a read identical to a stored one (skipped). `facts` is
    brought up to date as it goes: later reads of a meter see the earlier ones."""
    installations, history, same_day, accounts = facts
    common = rules._asdict()
    none: list = []
    cent, from_ordinal = CENT, date.fromordinal
    for row in rows:
        meter_id, register = meters[row[0]]
        ordinal = row[1]
        value = Decimal(row[2])
        key = (meter_id, ordinal)
        stored = same_day.get(key)
        same_day_values = ()
        if stored is not None:
            if any(v == value for v, _ in stored):
                yield None
                continue
            same_day_values = tuple(v for v, s in stored if s != REJECTED)
        read_on = from_ordinal(ordinal)
        installation = None
        for candidate in installations.get(meter_id, none):
            if candidate[1] <= read_on and (candidate[2] is None or candidate[2] >= read_on):
                installation = candidate
                break
        if installation is None:
            verdict = validate(
                ReadFacts(
                    read_on=read_on, value=value, meter_known=True, register=register, installed=False,
                    same_day_values=same_day_values, **common,
                )
            )  # fmt: skip
            installation_id = account_id = None
            used, status, problems = verdict.consumption, verdict.status, verdict.problems
        else:
            installation_id, installed_on, _, initial, premise_id = installation
            reads = history.get(installation_id)
            if reads is None:
                reads = history[installation_id] = []
            # As selectors.read_facts: the last accepted read, whatever its date.
            prior = PriorRead(reads[0][1], reads[0][2]) if reads else PriorRead(installed_on, initial)
            recent = []
            last_year = None
            year_ago = ordinal - 365
            for r in reads:
                period = r[3]
                if period is None:
                    continue
                if r[0] < ordinal and len(recent) < 3:
                    recent.append(period)
                if last_year is None and -15 <= r[0] - year_ago <= 15:
                    last_year = period
            recent = tuple(recent)
            account_id = account_active = None
            for pk, start, end, active in accounts.get(premise_id, none):
                if start <= read_on and (end is None or end >= read_on):
                    # In service that day (Account.in_service_on): open, or its end date is on or after it.
                    account_id, account_active = pk, active or end is not None
                    break
            used = None
            if account_active and not same_day_values:
                used = clean_usage(read_on, value, register, prior, recent, last_year, **common)
            if used is not None:
                status, problems = ACCEPTED, ()
            else:
                verdict = validate(
                    ReadFacts(
                        read_on=read_on, value=value, meter_known=True, register=register, previous=prior,
                        same_day_values=same_day_values, account_active=account_active, recent_usage=recent,
                        usage_last_year=last_year, **common,
                    )
                )  # fmt: skip
                used, status, problems = verdict.consumption, verdict.status, verdict.problems
        # `used` is in hundredths already (reading.consumption), as the column stores it on both databases.
        value = value.quantize(cent)  # as stored: the next reads see it as read_record would read it back
        same_day[key] = [(value, status)] if stored is None else [(value, status), *stored]
        if status == ACCEPTED and installation_id is not None:
            if not reads or ordinal >= reads[0][0]:  # the usual case: reads of a meter come in date order
                reads.insert(0, (ordinal, read_on, value, used))
            else:
                reads.append((ordinal, read_on, value, used))
                reads.sort(key=lambda r: r[0], reverse=True)
            del reads[HISTORY:]
        yield row, meter_id, installation_id, account_id, read_on, value, status, used, problems


def problems_json(problems) -> str:
    return json.dumps([{"code": p.code, "message": p.message} for p in problems])


# The columns of a judged line as judge_for_storing() gives them, in order; the rest of a read's columns are
# the same for every read of a file (batch.py adds them).
STORED_COLUMNS = [
    "meter_id", "installation_id", "account_id", "read_on", "value", "source", "status", "consumption",
    "problems", "reader_code", "note",
]  # fmt: skip

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


class Judged(NamedTuple):
    rows: list[tuple] | str  # tuples of STORED_COLUMNS, or PostgreSQL COPY text (with `copy_tail` appended)
    accepted: int
    exceptions: int
    skipped: int


def judge_for_storing(
    rows: list[tuple], meters: dict, facts: BucketFacts, rules: Rules, copy_tail: str | None = None
) -> Judged:
    """Judge a bucket and give its reads as the database is to store them: a worker process's whole task.
    With `copy_tail` (the file's constant columns, tab-separated), the reads come as COPY text lines."""
    sort_lines(rows)
    out = []
    accepted = exceptions = skipped = 0
    for judged in judge(rows, meters, facts, rules):
        if judged is None:
            skipped += 1
            continue
        row, meter_id, installation_id, account_id, read_on, _, status, used, problems = judged
        if status == ACCEPTED:
            accepted += 1
        else:
            exceptions += 1
        out.append(
            (meter_id, installation_id, account_id, read_on.isoformat(), row[2], row[3], status,
             None if used is None else str(used), problems_json(problems) if problems else "[]", row[4], row[5])
        )  # fmt: skip
    out.sort(key=lambda r: (r[0], r[3]))  # in index order: SQLite writes it a third faster
    if copy_tail is None:
        return Judged(out, accepted, exceptions, skipped)
    text = "".join(
        f"{r[0]}\t{_copy_field(r[1])}\t{_copy_field(r[2])}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{_copy_field(r[7])}\t"
        f"{_copy_field(r[8])}\t{_copy_field(r[9])}\t{_copy_field(r[10])}\t{copy_tail}\n"
        for r in out
    )
    return Judged(text, accepted, exceptions, skipped)
