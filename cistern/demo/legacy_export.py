"""The district in this database written as its previous system would export it: a conversion folder in the load
format (cistern/conversion/loadformat.py), for rehearsing a go-live (docs/go-live.md) on the demo district.

What an old system's export looks like, warts included, each a thing `convert` warns about and loads:
- its own numbers: customers `C0000123`, locations `L000045`, accounts `0000045-02` (location, then the
  occupant's turn there); the mapping is kept nowhere in Cistern, only in the folder;
- phones typed five ways over the years: `(760) 366-8438`, `760-366-8438`, `760.366.8438`, `7603668438`,
  `+1 760 366 8438`;
- three people kept twice: for three customers with two accounts or more, one account names a second customer
  record with the same name and mailing address (in a district too small to have three such customers, a
  customer of one account has the second record, which no account names);
- a spare meter set at a vacant location, with no account and no reads;
- bills rounded once per bill: the old system added a bill's charges unrounded and rounded the total, where
  Cistern rounds each line (rates/engine.py), so a prorated bill can differ by a cent or two; and it charged
  the fixed monthly charge of a meter of 1 1/2" and up as a daily rate (the monthly charge x 12 / 365, kept to
  the mill) x 365 / 12 days, also rounded with the bill, which moves those bills by a cent or two. Every
  other bill equals Cistern's to the cent.

Reads: every accepted read of the history, estimated reads as `estimated` and every other kind (route reads,
move-in and final reads, field reads) as `actual`; a read waiting in the exception queue was never billed and is
left out, as the old system would not have accepted it either. reads.csv holds those up to the cutover, what the
old system had read when the district cut over; the reads since are `reads_after_cutover.csv`, a route read file
(`manage.py import_reads`), as the meter readers' files reach Cistern after go-live: `convert` counts every
converted read as billed by the old system, so a later read in reads.csv would never be billed here. Bills: every bill issued and not cancelled.
Open items: each account's open receivable items today (ledger/aging.py: credits applied to the oldest charges),
a credit balance as one negative item due today. The trial balance ages those items on the cutover date.

The cutover and the parallel period (README.txt): the latest posted bill run, its cycle C and period end P; the
cutover is the period end of C's run before it, so the conversion as of the cutover and a parallel run for P
compare C's last period.

No formula neutralising (core/csvsafe.py) here: these files are not for a spreadsheet but for `convert`, which
reads every value as text into typed fields; a leading `=` or `+` is data (a phone `+1 760 366 8438`), and
changing it would make the folder say something other than the district's records.
"""

import csv
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Q

from cistern.billing.models import Bill, BillCycle, BillMeter, BillRun, CycleRoute, RunStatus
from cistern.conversion.loadformat import FILES, TRIAL_BALANCE_COLUMNS, TRIAL_BALANCE_FILE
from cistern.customers.models import Account, Customer, Premise
from cistern.customers.search_text import phone_digits
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.metering.models import Meter, MeterInstallation, Read, ReadKind, ReadStatus, ServicePoint
from cistern.payments import secrets
from cistern.payments.models import AutopayEnrolment, EnrolmentStatus
from cistern.rates import engine
from cistern.rates import selectors as rates_selectors

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DUPLICATED_CUSTOMERS = 3
# The old system's fixed charge for the larger meters: a daily rate to four places x an average month's days.
DAILY_RATE_SIZES = frozenset({"1 1/2", "2", "3", "4", "6", "8", "10"})
DAILY_RATE_PLACES = Decimal("0.001")  # to the mill
YEAR_DAYS, MONTHS = Decimal(365), Decimal(12)
SPARE_SERIAL = "SPARE-0001"
CHUNK = 5000
# The reads after the cutover, as a route read file (metering/batch.py; `manage.py import_reads`).
READS_AFTER_CUTOVER = "reads_after_cutover.csv"
READ_FILE_COLUMNS = ("meter_serial", "read_date", "value", "source", "reader_code")


class ExportError(RuntimeError):
    """The database cannot be exported as asked (the message says why)."""


@dataclass
class ExportResult:
    folder: Path
    rows: dict[str, int]
    cycle: str
    period_end: date
    cutover: date
    # bills whose legacy current charges differ from Cistern's (rounded once per bill), in all and in C's run P
    rounded_total: int
    rounded_in_period: int
    bills_in_period: int
    duplicate_customers: list[tuple[str, str]] = field(default_factory=list)  # (customer id, its second id)
    spare_meter: str = ""
    seconds: float = 0.0


# --- pure: the old system's ways ------------------------------------------------------------------------------

PHONE_FORMATS = (
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "{a}{b}{c}",
    "+1 {a} {b} {c}",
)


def phone_as_typed(phone: str, index: int) -> str:
    """The phone in one of the five ways the old system's clerks typed them (by `index`); blank stays blank."""
    digits = phone_digits(phone)
    if len(digits) != 10:
        return phone
    return PHONE_FORMATS[index % len(PHONE_FORMATS)].format(a=digits[:3], b=digits[3:6], c=digits[6:])


def legacy_account_number(location: int, occupant: int) -> str:
    """The old system's account number: the location, then the occupant's turn there (`0000045-02`)."""
    return f"{location:07d}-{occupant:02d}"


def _unrounded(tariffs, *, start: date, end: date, units: Decimal, proration: engine.Proration, size: str):
    """(Cistern's charges for a meter's span, line by line rounded; the old system's, unrounded): the same
    tariffs and proration as rates/engine.py, without the rounding of each line."""
    rounded = engine.total(engine.rate(tariffs, start=start, end=end, units=units, proration=proration))
    days = (end - start).days
    regular = proration.regular_min_days <= days <= proration.regular_max_days
    parts = engine.tariffs_for_period(tariffs, start, end)
    exact = Decimal(0)
    for tariff, part_start, part_end in parts:
        part_days = (part_end - part_start).days
        month = Decimal(part_days) / Decimal(days) if regular else Decimal(part_days) / proration.month_days
        part_units = units if len(parts) == 1 else units * part_days / days
        basic = tariff.basic_fee
        if size in DAILY_RATE_SIZES:
            daily = (basic * MONTHS / YEAR_DAYS).quantize(DAILY_RATE_PLACES, rounding=ROUND_HALF_UP)
            basic = daily * YEAR_DAYS / MONTHS
        exact += basic * month
        for block in tariff.blocks:
            low = block.after * month
            high = None if block.through is None else block.through * month
            used = max(Decimal(0), (part_units if high is None else min(part_units, high)) - low)
            exact += used * block.price
    return rounded, exact


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def legacy_charges(current_charges: Decimal, spans: list[tuple[Decimal, Decimal]]) -> Decimal:
    """A bill's current charges as the old system had them: Cistern's, with the rated lines of every meter span
    (rounded, unrounded) replaced by their unrounded sum rounded once."""
    rounded = sum((r for r, _ in spans), ZERO)
    exact = sum((e for _, e in spans), Decimal(0))
    return current_charges - rounded + cents(exact)


# --- the export -----------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, rows) -> int:
    header = (
        FILES.get(name)
        or {TRIAL_BALANCE_FILE: TRIAL_BALANCE_COLUMNS, READS_AFTER_CUTOVER: READ_FILE_COLUMNS}[name]
    )
    count = 0
    with open(folder / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value)


def _money(value: Decimal) -> str:
    return format(cents(value), "f")


def parallel_period() -> tuple[BillRun, date]:
    """(the latest posted bill run, the period end of its cycle's run before it: the cutover)."""
    latest = (
        BillRun.objects.filter(status=RunStatus.POSTED)
        .select_related("cycle")
        .order_by("-bill_date", "-period_end", "-cycle__code")
        .first()
    )
    if latest is None:
        raise ExportError("No bill run has been posted: the export needs a billed period to compare.")
    previous = (
        BillRun.objects.filter(cycle=latest.cycle, status=RunStatus.POSTED, period_end__lt=latest.period_end)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if previous is None:
        raise ExportError(
            f"Cycle {latest.cycle.code} has only one posted run: no earlier period end to cut over on."
        )
    return latest, previous


def export(folder: Path, *, today: date) -> ExportResult:
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    run, cutover = parallel_period()
    rows: dict[str, int] = {}

    # Locations (premises) and accounts: the old numbers.
    premises = list(Premise.objects.order_by("pk").values_list(
        "pk", "street", "unit", "city", "state", "zip_code", "parcel_number", "occupancy_type"))  # fmt: skip
    location = {pk: index for index, (pk, *_rest) in enumerate(premises, start=1)}
    premise_id = {pk: f"L{index:06d}" for pk, index in location.items()}
    accounts = list(Account.objects.order_by("premise_id", "start_date", "pk").values_list(
        "pk", "customer_id", "premise_id", "relationship", "status", "start_date", "end_date"))  # fmt: skip
    number: dict[int, str] = {}
    turn: dict[int, int] = defaultdict(int)
    for pk, _customer, premise, *_ in accounts:
        turn[premise] += 1
        number[pk] = legacy_account_number(location[premise], turn[premise])

    # Customers, three of them kept twice.
    customers = list(Customer.objects.order_by("pk").values_list(
        "pk", "kind", "name", "mailing_street", "mailing_unit", "mailing_city", "mailing_state", "mailing_zip",
        "phone", "email", "preferred_language", "paperless"))  # fmt: skip
    customer_id = {row[0]: f"C{index:07d}" for index, row in enumerate(customers, start=1)}
    by_customer: dict[int, list[int]] = defaultdict(list)
    for pk, customer, *_ in sorted(accounts):
        by_customer[customer].append(pk)
    # Customers with two accounts or more first; a small district may have fewer than three, and then a customer
    # of one account is kept twice with the second record left without an account.
    twice = sorted(by_customer, key=lambda c: (len(by_customer[c]) < 2, c))[:DUPLICATED_CUSTOMERS]
    second_record = {}  # account -> the duplicate customer's id
    duplicates = []
    customer_rows = []
    by_pk = {row[0]: row for row in customers}
    for index, (
        pk,
        kind,
        name,
        street,
        unit,
        city,
        state,
        zip_code,
        phone,
        email,
        language,
        _paperless,
    ) in enumerate(customers):
        customer_rows.append((customer_id[pk], kind, name, street, unit, city, state, zip_code,
                              phone_as_typed(phone, index), email, language))  # fmt: skip
    for offset, customer in enumerate(twice, start=len(customers) + 1):
        duplicate = f"C{offset:07d}"
        if len(by_customer[customer]) >= 2:
            second_record[by_customer[customer][-1]] = duplicate
        duplicates.append((customer_id[customer], duplicate))
        _pk, kind, name, street, unit, city, state, zip_code, phone, email, language, _ = by_pk[customer]
        customer_rows.append((duplicate, kind, name, street, unit, city, state, zip_code,
                              phone_as_typed(phone, offset), email, language))  # fmt: skip
    rows["customers.csv"] = _write(folder, "customers.csv", customer_rows)

    # Meters where they are installed now (or were last), and the spare one at a vacant location.
    installed = {}
    for meter_id, point_id, installed_on in MeterInstallation.objects.order_by("meter_id", "installed_on", "pk").values_list(
        "meter_id", "service_point_id", "installed_on"
    ):  # fmt: skip
        installed[meter_id] = (point_id, installed_on)
    points = {
        pk: (premise, kind, route, sequence)
        for pk, premise, kind, route, sequence in ServicePoint.objects.values_list(
            "pk", "premise_id", "kind", "route__code", "read_sequence"
        )
    }
    meters = Meter.objects.filter(pk__in=list(installed)).order_by("serial").values_list(
        "pk", "serial", "size", "make", "dials", "multiplier")  # fmt: skip
    meter_rows = []
    for pk, serial, size, make, dials, multiplier in meters:
        point_id, installed_on = installed[pk]
        premise, kind, route, sequence = points[point_id]
        meter_rows.append((serial, size, make, dials, _text(multiplier), premise_id[premise], kind,
                           installed_on.isoformat(), route, sequence))  # fmt: skip
    occupied = {premise for _, _, premise, *_ in accounts}
    vacant = [pk for pk in location if pk not in occupied]
    with_point = {premise: (kind, route, sequence) for premise, kind, route, sequence in points.values()}
    spare_at = next((pk for pk in vacant if pk in with_point), None)
    if spare_at is None:  # every location has had an account: the one whose last account ended first
        ended = {}
        for _pk, _c, premise, _r, status, _s, end in accounts:
            ended[premise] = end if status in ("final", "closed") and end else None
        candidates = sorted((end, pk) for pk, end in ended.items() if end is not None and pk in with_point)
        if not candidates:
            raise ExportError("No vacant location to set the spare meter at.")
        spare_at = candidates[0][1]
    route = with_point[spare_at][1]
    last_sequence = max(seq for _p, _k, r, seq in points.values() if r == route)
    spare_on = min(on for _p, on in installed.values())
    meter_rows.append((SPARE_SERIAL, "3/4", "Badger", 6, "1", premise_id[spare_at], "irrigation",
                       spare_on.isoformat(), route, last_sequence + 10))  # fmt: skip
    rows["meters.csv"] = _write(folder, "meters.csv", meter_rows)

    rows["premises.csv"] = _write(
        folder, "premises.csv",
        ((premise_id[pk], street, unit, city, state, zip_code, parcel, occupancy)
         for pk, street, unit, city, state, zip_code, parcel, occupancy in premises),
    )  # fmt: skip
    cycles = list(BillCycle.objects.filter(cycle_routes__isnull=False).distinct().order_by("code").values_list(
        "code", "read_day", "bill_day"))  # fmt: skip
    rows["cycles.csv"] = _write(folder, "cycles.csv", cycles)
    rows["routes.csv"] = _write(
        folder,
        "routes.csv",
        CycleRoute.objects.order_by("route__code").values_list("route__code", "cycle__code"),
    )

    # Accounts, in the old numbers' order.
    deposits = ledger_selectors.accounts_holding_deposits()
    paperless = {row[0]: row[11] for row in customers}
    status_count: dict[str, int] = defaultdict(int)
    account_rows = []
    for pk, customer, premise, relationship, status, start, end in accounts:
        status = "active" if status == "pending" else status
        status_count[status] += 1
        account_rows.append((number[pk], second_record.get(pk, customer_id[customer]), premise_id[premise],
                             relationship, status, start.isoformat(), end.isoformat() if end else "",
                             _money(deposits.get(pk, ZERO)), _text(paperless[customer])))  # fmt: skip
    account_rows.sort(key=lambda row: row[0])
    rows["accounts.csv"] = _write(folder, "accounts.csv", account_rows)

    # Reads: every accepted read, one a meter a day.
    serial_of = dict(Meter.objects.values_list("pk", "serial"))
    seen = set()
    read_rows = []
    for meter_id, read_on, value, kind in (
        Read.objects.filter(status=ReadStatus.ACCEPTED).order_by("read_on", "meter_id", "pk")
        .values_list("meter_id", "read_on", "value", "kind")
    ):  # fmt: skip
        key = (meter_id, read_on)
        if key in seen:
            continue
        seen.add(key)
        read_rows.append((serial_of[meter_id], read_on.isoformat(), _text(value),
                          "estimated" if kind == ReadKind.ESTIMATED else "actual"))  # fmt: skip
    read_rows.sort(key=lambda row: (row[1], row[0]))
    # The old system's reads end at the cutover; the meters read since come into Cistern as route read files do.
    cut = cutover.isoformat()
    rows["reads.csv"] = _write(folder, "reads.csv", (row for row in read_rows if row[1] <= cut))
    rows[READS_AFTER_CUTOVER] = _write(
        folder,
        READS_AFTER_CUTOVER,
        ((serial, on, value, "handheld", "") for serial, on, value, _ in read_rows if on > cut),
    )

    # Bills, rounded as the old system rounded them.
    bills = list(
        Bill.objects.filter(cancellation__isnull=True).order_by("bill_date", "account_id", "pk").values_list(
            "pk", "account_id", "bill_date", "period_start", "period_end", "units", "current_charges", "amount_due",
            "run_id")
    )  # fmt: skip
    spans: dict[int, list] = defaultdict(list)
    first = min((b[3] for b in bills if b[3]), default=today)
    book = rates_selectors.tariff_book(start=first, end=today)
    proration = rates_selectors.proration()
    rated = {}
    for bill_id, rate_class, size, start, end, units in BillMeter.objects.filter(
        bill__cancellation__isnull=True
    ).values_list("bill_id", "rate_class", "size", "from_date", "to_date", "units"):
        if start is None or end is None or end <= start:
            continue
        key = (rate_class, size, start, end, units)
        if key not in rated:
            rated[key] = _unrounded(book[(rate_class, size)], start=start, end=end, units=units,
                                    proration=proration, size=size)  # fmt: skip
        spans[bill_id].append(rated[key])
    bill_rows = []
    rounded_total = rounded_in_period = in_period = 0
    for bill_id, account, bill_date, start, end, units, charges, due, run_id in bills:
        legacy = legacy_charges(charges, spans.get(bill_id, []))
        if legacy != charges:
            rounded_total += 1
        if run_id == run.pk:
            in_period += 1
            rounded_in_period += legacy != charges
        bill_rows.append((number[account], bill_date.isoformat(), start.isoformat() if start else "",
                          end.isoformat() if end else "", _text(units), _money(legacy),
                          _money(due + legacy - charges)))  # fmt: skip
    rows["bills.csv"] = _write(folder, "bills.csv", bill_rows)

    # Open items today, and the trial balance aged on the cutover.
    movements = {}
    ids = sorted(number)
    for at in range(0, len(ids), CHUNK):  # IN lists of a bounded size (SQLite's parameter limit)
        movements.update(ledger_selectors.receivable_movements(ids[at : at + CHUNK]))
    item_rows = []
    buckets = dict.fromkeys(aging.BUCKETS, ZERO)
    for pk in sorted(movements, key=lambda a: number[a]):
        items, credit = aging.open_items(movements[pk])
        for item in items:
            what = (item.kind or "charge").replace("_", " ").capitalize()
            item_rows.append(
                (number[pk], item.due.isoformat(), _money(item.open), f"{what} of {item.on:%m/%d/%Y}")
            )
            buckets[aging.bucket((cutover - item.due).days)] += item.open
        if credit > 0:
            item_rows.append((number[pk], today.isoformat(), _money(-credit), "Credit balance"))
            buckets[aging.NOT_DUE] -= credit
    rows["open_items.csv"] = _write(folder, "open_items.csv", item_rows)

    # Autopay of the accounts in service: a stopped account's enrolment ended with it in the old system.
    autopay_rows = []
    in_service = Q(account__status__in=["active", "pending"])
    for account, routing, encrypted, kind, status in (
        AutopayEnrolment.objects.filter(in_service)
        .exclude(status=EnrolmentStatus.ENDED)
        .values_list("account_id", "routing_number", "bank_account_encrypted", "bank_account_type", "status")
    ):
        autopay_rows.append((number[account], routing, secrets.decrypt(encrypted), kind,
                             _text(status == EnrolmentStatus.ACTIVE)))  # fmt: skip
    autopay_rows.sort()
    rows["autopay.csv"] = _write(folder, "autopay.csv", autopay_rows)

    figures = [(f"receivable_{key}", _money(amount)) for key, amount in buckets.items()]
    figures += [
        ("receivable_total", _money(sum(buckets.values(), ZERO))),
        ("deposits_held", _money(sum((deposits.get(pk, ZERO) for pk in number), ZERO))),
        ("accounts_active", str(status_count["active"])),
        ("accounts_final", str(status_count["final"])),
        ("accounts_closed", str(status_count["closed"])),
        ("meters", str(len(meter_rows))),
    ]
    rows[TRIAL_BALANCE_FILE] = _write(folder, TRIAL_BALANCE_FILE, figures)

    result = ExportResult(
        folder=folder, rows=rows, cycle=run.cycle.code, period_end=run.period_end, cutover=cutover,
        rounded_total=rounded_total, rounded_in_period=rounded_in_period, bills_in_period=in_period,
        duplicate_customers=duplicates, spare_meter=SPARE_SERIAL,
    )  # fmt: skip
    (folder / "README.txt").write_text(readme(result, today), encoding="utf-8")
    result.seconds = time.monotonic() - started
    return result


def readme(result: ExportResult, today: date) -> str:
    dupes = ", ".join(f"{a} and {b}" for a, b in result.duplicate_customers)
    return (
        f"Legacy export of the demo district, written {today.isoformat()} (the load format: docs/go-live.md).\n"
        f"\n"
        f"cutover: {result.cutover.isoformat()}\n"
        f"parallel_cycle: {result.cycle}\n"
        f"parallel_period_end: {result.period_end.isoformat()}\n"
        f"parallel_bills: {result.bills_in_period}\n"
        f"rounded_per_bill_in_period: {result.rounded_in_period}\n"
        f"\n"
        f"Convert as of the cutover (the period end before the last one billed), import the reads read since, then\n"
        f"compare the last period:\n"
        f"  manage.py convert {result.folder} --as-of {result.cutover.isoformat()}\n"
        f"  manage.py import_reads {result.folder / READS_AFTER_CUTOVER} --user <a billing admin>\n"
        f"  manage.py parallel_bills {result.folder} --period-end {result.period_end.isoformat()} "
        f"--cycle {result.cycle}\n"
        f"\n"
        f"What convert warns about: phones typed five ways; customers kept twice ({dupes}); the spare meter "
        f"{result.spare_meter}, with no account and no reads. Bills rounded once per bill: "
        f"{result.rounded_total} in all differ from Cistern's by a cent or two, {result.rounded_in_period} of "
        f"them in the parallel period.\n"
    )
