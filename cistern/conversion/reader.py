"""Reads a conversion folder (docs/conversion.md) into a LoadSet, checking every row of every file before
anything is written: values, references between files, duplicates, reads. Pure: no ORM.

Errors refuse the folder (the first MAX_LISTED listed in file then line order, all counted); warnings are
listed for the district to review and never refuse it. reads.csv and bills.csv are checked streaming
(checks_streams.py) and read again by the writer with `iter_reads` / `iter_bills` once the folder is clean.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import checks_values as v
from .checks_files import WHOLE_ROW, Listed, Table, open_table, plain_rows, rows
from .checks_streams import ROLLOVER_WINDOW_PERCENT, MeterIndex, check_bills, check_reads
from .loadformat import (
    ACCOUNT_STATUSES,
    BANK_ACCOUNT_TYPES,
    CUSTOMER_KINDS,
    FILES,
    LANGUAGES,
    MAX_ROWS,
    METER_SIZES,
    OCCUPANCIES,
    OPTIONAL_FILES,
    READ_KINDS,
    RELATIONSHIPS,
    SERVICE_KINDS,
    TRIAL_BALANCE_COLUMNS,
    TRIAL_BALANCE_FIGURES,
    TRIAL_BALANCE_FILE,
    AccountRow,
    AutopayRow,
    BillRow,
    CustomerRow,
    CycleRow,
    LoadSet,
    MeterRow,
    OpenItemRow,
    PremiseRow,
    ReadResult,
    ReadRow,
    RouteRow,
)

REQUIRED = "empty: a value is required"
# Per file, per column in FILES order: (parser, required). A blank optional value is "" (None for a date).
SPECS: dict[str, tuple[tuple[v.Parser, bool], ...]] = {
    "customers.csv": (
        (v.text(v.LEGACY_ID), True), (v.one_of(CUSTOMER_KINDS, "kind"), True), (v.text(v.NAME), True),
        (v.text(v.STREET), True), (v.text(v.UNIT), False), (v.text(v.CITY), True), (v.parse_state, True),
        (v.text(v.ZIP), True), (str, False), (v.parse_email, False), (v.one_of(LANGUAGES, "language"), True),
    ),
    "premises.csv": (
        (v.text(v.LEGACY_ID), True), (v.text(v.STREET), True), (v.text(v.UNIT), False), (v.text(v.CITY), True),
        (v.parse_state, True), (v.text(v.ZIP), True), (v.text(v.PARCEL), False),
        (v.one_of(OCCUPANCIES, "occupancy"), True),
    ),
    "cycles.csv": ((v.text(v.CYCLE), True), (v.whole_number(1, 28), True), (v.whole_number(1, 28), True)),
    "routes.csv": ((v.text(v.ROUTE), True), (v.text(v.CYCLE), False)),
    "meters.csv": (
        (v.text(v.SERIAL), True), (v.one_of(METER_SIZES, "size"), True), (v.text(v.MAKE), False),
        (v.whole_number(3, 9), True), (v.parse_multiplier, True), (v.text(v.LEGACY_ID), True),
        (v.one_of(SERVICE_KINDS, "service kind"), True), (v.parse_date, True), (v.text(v.ROUTE), False),
        (v.whole_number(0, v.INT_MAX), True),
    ),
    "accounts.csv": (
        (v.text(v.LEGACY_ID), True), (v.text(v.LEGACY_ID), True), (v.text(v.LEGACY_ID), True),
        (v.one_of(RELATIONSHIPS, "relationship"), True), (v.one_of(ACCOUNT_STATUSES, "status"), True),
        (v.parse_date, True), (v.parse_date, False), (v.money(negative=False), True), (v.parse_bool, True),
    ),
    "open_items.csv": (
        (v.text(v.LEGACY_ID), True), (v.parse_date, True), (v.money(), True), (v.text(v.DESCRIPTION), False),
    ),
    "autopay.csv": (
        (v.text(v.LEGACY_ID), True), (v.parse_routing, True), (v.parse_bank_account, True),
        (v.one_of(BANK_ACCOUNT_TYPES, "account type"), True), (v.parse_bool, True),
    ),
}  # fmt: skip
# Columns of few distinct values (a kind, a city, a route, a day): each distinct value is held once, not once
# per row, so 100,000 customers do not carry 100,000 copies of "Joshua Tree".
SHARED = frozenset({
    "kind", "mailing_line2", "mailing_city", "mailing_state", "mailing_zip", "language", "unit", "city", "state",
    "zip", "occupancy", "cycle", "read_day", "bill_day", "size", "make", "dials", "multiplier", "service_kind",
    "installed_on", "route", "relationship", "status", "start_date", "end_date", "deposit_held", "due_date",
    "description", "routing_number", "account_type",
})  # fmt: skip
COUNT_FIGURES = frozenset({"accounts_active", "accounts_final", "accounts_closed", "meters"})
# An account in these statuses is billed (or has its final bill settled), so it needs a bill cycle.
NEEDS_CYCLE = ("active", "final")


def read_folder(
    path: Path,
    *,
    as_of: date,
    max_rows: int | None = None,
    rollover_window_percent: int = ROLLOVER_WINDOW_PERCENT,
) -> ReadResult:
    """Every file of the folder read and checked. `as_of`: the conversion date (a meter not read in the 12
    months before it is listed as inactive). `max_rows`: a file of more rows is refused (MAX_ROWS)."""
    folder = _Folder(Path(path), as_of, max_rows or MAX_ROWS)
    folder.read(rollover_window_percent)
    errors, warnings = folder.errors, folder.warnings
    load_set = folder.load_set if errors.count == 0 else None
    return ReadResult(load_set, errors.listed(), errors.count, warnings.listed(), warnings.count)


class _Days(dict):
    """Date text -> date, each parsed once: a folder's million rows fall on a few thousand days, and the rows
    then share one date object each (less to hold where the writer keeps them)."""

    def __missing__(self, text: str) -> date:
        self[text] = day = date.fromisoformat(text)
        return day


def iter_reads(folder: Path) -> Iterator[ReadRow]:
    """reads.csv's rows, typed, in file order. Only for a folder `read_folder` found without errors."""
    days = _Days()
    kinds = {kind: kind for kind in READ_KINDS}
    for line, (serial, read_on, value, kind) in plain_rows(Path(folder), "reads.csv", FILES["reads.csv"]):
        yield ReadRow(line, serial, days[read_on], Decimal(value), kinds[kind])


def iter_bills(folder: Path) -> Iterator[BillRow]:
    """bills.csv's rows, typed, in file order (none when the folder has no bills.csv). Only for a folder
    `read_folder` found without errors."""
    if not (Path(folder) / "bills.csv").is_file():
        return
    days = _Days()
    for line, values in plain_rows(Path(folder), "bills.csv", FILES["bills.csv"]):
        number, bill_date, start, end, units, current, due = values
        yield BillRow(
            line,
            number,
            days[bill_date],
            days[start],
            days[end],
            Decimal(units),
            Decimal(current),
            Decimal(due),
        )


def _key(*parts: str) -> str:
    return "\x1f".join(" ".join(part.lower().split()) for part in parts)


class _Folder:
    """One reading of a folder: the tables, what each file's keys are, the problems found."""

    def __init__(self, folder: Path, as_of: date, max_rows: int):
        self.folder, self.as_of, self.max_rows = folder, as_of, max_rows
        self.errors, self.warnings = Listed(), Listed()
        self.load_set = LoadSet(folder=folder)
        self.tables: dict[str, Table] = {}
        # legacy id -> the same string: accounts and meters refer to it, holding one string, not a copy each
        self.customers: dict[str, str] = {}
        self.customers_with_email: set[str] = set()
        self.premises: dict[str, str] = {}
        self.cycles: set[str] = set()
        self.route_cycle: dict[str, str] = {}  # route -> its cycle ("" for none)
        self.meters = MeterIndex()
        self.meter_premise: list[str] = []  # by meter index
        self.meter_route: list[str] = []
        self.meter_line: list[int] = []
        self.premise_meters: dict[str, int | list[int]] = {}  # a list only when a premise has several
        self.accounts: dict[str, str] = {}  # legacy number -> status
        self.premises_active: dict[str, tuple[str, int]] = {}  # premise -> (its active account, line)

    # --- plumbing ---------------------------------------------------------------------------------------

    def error(self, file: str, line: int, field: str, message: str) -> None:
        self.errors.add(file, line, field, message)

    def known(self, name: str) -> bool:
        """The file was read: a reference to a key it lacks is an error (not noise after its own error)."""
        return name in self.tables

    def open(self) -> None:
        for name, columns in FILES.items():
            table = open_table(
                self.folder, name, columns, self.errors, self.warnings, self.load_set.ignored_columns
            )
            if table is not None:
                self.tables[name] = table
            elif name not in OPTIONAL_FILES and not (self.folder / name).is_file():
                self.error(name, 0, WHOLE_ROW, "the file is missing from the folder")

    def typed(self, name: str) -> Iterator[tuple[int, dict, set[str]]]:
        """The file's rows as (line, column -> value, the columns whose value was bad: None in `values`);
        each bad value listed."""
        table = self.tables.get(name)
        if table is None:
            return
        columns, spec = FILES[name], SPECS[name]
        shared = {column: {} for column in columns if column in SHARED}
        count = 0
        for line, row in rows(table, self.errors, self.max_rows):
            count += 1
            values, bad = {}, set()
            for column, (parse, required), position in zip(columns, spec, table.positions, strict=True):
                raw = row[position].strip()
                if not raw:
                    values[column] = None if parse is v.parse_date else ""
                    if required:
                        self.error(name, line, column, REQUIRED)
                        bad.add(column)
                    continue
                try:
                    held = shared.get(column)
                    if held is None:
                        values[column] = parse(raw)
                    elif raw in held:
                        values[column] = held[raw]
                    else:
                        values[column] = held[raw] = parse(raw)
                except ValueError as problem:
                    values[column] = None
                    self.error(name, line, column, str(problem))
                    bad.add(column)
            yield line, values, bad
        self.load_set.rows_read[name] = count

    def first_time(self, seen: dict, key, name: str, line: int, field: str, what: str) -> bool:
        """Whether `key` is new in the file; a duplicate is an error naming the first line."""
        if key in seen:
            self.error(name, line, field, f"{what} {key} is already on line {seen[key]}")
            return False
        seen[key] = line
        return True

    # --- the files, in FILES order (each refers only to those before it) --------------------------------

    def read(self, window_percent: int) -> None:
        self.open()
        self.read_customers()
        self.read_premises()
        self.read_cycles()
        self.read_routes()
        self.read_meters()
        self.read_accounts()
        self.read_reads(window_percent)
        self.read_bills()
        self.read_open_items()
        self.read_autopay()
        self.read_trial_balance()
        self.warn_inactive_meters()

    def read_customers(self) -> None:
        name, seen = "customers.csv", {}
        # hash of the name and mailing address -> the first customer's id; the others' ids when there are
        # others. A hash, not the text: 100,000 addresses held once more would cost tens of megabytes.
        first_alike: dict[int, str] = {}
        more_alike: dict[int, list[str]] = {}
        for line, values, bad in self.typed(name):
            ok = not bad
            legacy_id = values["legacy_customer_id"]
            if legacy_id:
                ok &= self.first_time(seen, legacy_id, name, line, "legacy_customer_id", "customer")
                self.customers.setdefault(legacy_id, legacy_id)
                if values["email"]:
                    self.customers_with_email.add(legacy_id)
            if values["phone"]:
                phone, warning = v.normal_phone(values["phone"])
                if warning:
                    self.warnings.add(name, line, "phone", warning)
                if len(phone) > v.PHONE:
                    self.error(name, line, "phone", f"{len(phone)} characters, at most {v.PHONE} fit")
                    ok = False
                values["phone"] = phone
            self.warn_street(name, line, "mailing_line1", values["mailing_line1"])
            if legacy_id and values["name"] and values["mailing_line1"]:
                address = (
                    values[c] or "" for c in ("mailing_line1", "mailing_line2", "mailing_city", "mailing_zip")
                )
                key = hash(_key(values["name"], *address))
                if key in first_alike:
                    more_alike.setdefault(key, []).append(legacy_id)
                else:
                    first_alike[key] = legacy_id
            if ok:
                self.load_set.customers.append(CustomerRow(line=line, **values))
        for key, others in more_alike.items():
            first = first_alike[key]
            ids = ", ".join([first, *others])
            self.warnings.add(
                    name, seen[first], "legacy_customer_id",
                    f"customers {ids} have the same name and mailing address: likely one customer, listed for review",
                )  # fmt: skip

    def warn_street(self, name: str, line: int, field: str, street: str | None) -> None:
        warning = v.street_warning(street) if street else None
        if warning:
            self.warnings.add(name, line, field, warning)

    def read_premises(self) -> None:
        name, seen = "premises.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            legacy_id = values["legacy_premise_id"]
            if legacy_id:
                ok &= self.first_time(seen, legacy_id, name, line, "legacy_premise_id", "premise")
                self.premises.setdefault(legacy_id, legacy_id)
            self.warn_street(name, line, "street", values["street"])
            if ok:
                self.load_set.premises.append(PremiseRow(line=line, **values))

    def read_cycles(self) -> None:
        name, seen = "cycles.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            if values["cycle"]:
                ok &= self.first_time(seen, values["cycle"], name, line, "cycle", "cycle")
                self.cycles.add(values["cycle"])
            if ok:
                self.load_set.cycles.append(CycleRow(line=line, **values))

    def read_routes(self) -> None:
        name, seen = "routes.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            route, cycle = values["route"], values["cycle"]
            if cycle and self.known("cycles.csv") and cycle not in self.cycles:
                self.error(name, line, "cycle", f'unknown cycle "{cycle}" (not in cycles.csv)')
                ok = False
            if route:
                ok &= self.first_time(seen, route, name, line, "route", "route")
                self.route_cycle.setdefault(route, cycle or "")
            if ok:
                self.load_set.routes.append(RouteRow(line=line, **values))

    def read_meters(self) -> None:
        name, seen = "meters.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            serial, premise, route = values["serial"], values["legacy_premise_id"], values["route"]
            if premise in self.premises:
                premise = values["legacy_premise_id"] = self.premises[premise]
            elif premise and self.known("premises.csv"):
                self.error(
                    name, line, "legacy_premise_id", f'unknown premise "{premise}" (not in premises.csv)'
                )
                ok = False
            if route and self.known("routes.csv") and route not in self.route_cycle:
                self.error(name, line, "route", f'unknown route "{route}" (not in routes.csv)')
                ok = False
            if serial:
                if not self.first_time(seen, serial, name, line, "serial", "meter"):
                    continue
                installed = values["installed_on"]
                index = self.meters.add(
                    serial,
                    values["dials"],
                    values["multiplier"],
                    installed.toordinal() if installed else None,
                )
                self.meter_premise.append(premise or "")
                self.meter_route.append(route or "")
                self.meter_line.append(line)
                if premise:
                    held = self.premise_meters.setdefault(premise, index)
                    if held != index:
                        self.premise_meters[premise] = (
                            [*held, index] if isinstance(held, list) else [held, index]
                        )
            if ok:
                self.load_set.meters.append(MeterRow(line=line, **values))

    def read_accounts(self) -> None:
        name, seen = "accounts.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            number, customer, premise = (
                values["legacy_account_number"],
                values["legacy_customer_id"],
                values["legacy_premise_id"],
            )
            status, start, end = values["status"], values["start_date"], values["end_date"]
            if customer in self.customers:
                customer = values["legacy_customer_id"] = self.customers[customer]
            if premise in self.premises:
                premise = values["legacy_premise_id"] = self.premises[premise]
            if number:
                ok &= self.first_time(seen, number, name, line, "legacy_account_number", "account")
                self.accounts.setdefault(number, status or "")
            if customer and self.known("customers.csv") and customer not in self.customers:
                self.error(
                    name, line, "legacy_customer_id", f'unknown customer "{customer}" (not in customers.csv)'
                )
                ok = False
            if premise and self.known("premises.csv") and premise not in self.premises:
                self.error(
                    name, line, "legacy_premise_id", f'unknown premise "{premise}" (not in premises.csv)'
                )
                ok = False
            if not bad & {"status", "start_date", "end_date"}:
                ok &= self.check_status(name, line, status, start, end)
            if status == "active" and premise:
                if premise in self.premises_active:
                    other, other_line = self.premises_active[premise]
                    self.error(
                        name, line, "status",
                        f"premise {premise} already has an active account, {other} (line {other_line})",
                    )  # fmt: skip
                    ok = False
                else:
                    self.premises_active[premise] = (number or "?", line)
            if status in NEEDS_CYCLE and premise and premise in self.premises:
                ok &= self.check_cycle(name, line, premise)
            if (
                values["paperless"]
                and customer in self.customers
                and customer not in self.customers_with_email
            ):
                self.error(name, line, "paperless", f"customer {customer} has no email: paperless needs one")
                ok = False
            if ok:
                self.load_set.accounts.append(AccountRow(line=line, **values))

    def check_status(self, name: str, line: int, status: str, start: date | None, end: date | None) -> bool:
        if status == "active" and end is not None:
            self.error(name, line, "end_date", "an active account has no end date")
            return False
        if status in ("final", "closed") and end is None:
            self.error(name, line, "end_date", f"a {status} account needs its end date")
            return False
        if start is not None and end is not None and end < start:
            self.error(name, line, "end_date", f"{end} is before the start date {start}")
            return False
        return True

    def check_cycle(self, name: str, line: int, premise: str) -> bool:
        """An account's cycle is its premise's meters' routes' cycle: there must be exactly one."""
        if not (self.known("meters.csv") and self.known("routes.csv")):
            return True
        held = self.premise_meters.get(premise, [])
        meters = held if isinstance(held, list) else [held]
        if not meters:
            problem = f"premise {premise} has no meter in meters.csv: the account would have no bill cycle"
            self.error(name, line, "legacy_premise_id", problem)
            return False
        cycles = set()
        for index in meters:
            route = self.meter_route[index]
            if route not in self.route_cycle:
                continue  # meters.csv lists the unknown route already
            cycle = self.route_cycle[route]
            if not route or not cycle:
                where = f"route {route} has no cycle" if route else "is on no route"
                self.error(
                    name, line, "legacy_premise_id",
                    f"premise {premise}'s meter {self.meters.serials[index]} {where}: the account would have "
                    f"no bill cycle",
                )  # fmt: skip
                return False
            cycles.add(cycle)
        if len(cycles) > 1:
            self.error(
                name, line, "legacy_premise_id",
                f"premise {premise}'s meters are on routes of cycles {', '.join(sorted(cycles))}: an account has one",
            )  # fmt: skip
            return False
        return True

    def read_reads(self, window_percent: int) -> None:
        table = self.tables.get("reads.csv")
        if table is None:
            return
        found = check_reads(
            rows(table, self.errors, self.max_rows), table.positions, self.meters, self.errors,
            meters_known=self.known("meters.csv"), window_percent=window_percent,
        )  # fmt: skip
        self.load_set.rows_read["reads.csv"] = found.rows
        self.load_set.reads_in_date_order = found.in_date_order

    def read_bills(self) -> None:
        table = self.tables.get("bills.csv")
        if table is None:
            return
        count = check_bills(
            rows(table, self.errors, self.max_rows), table.positions, self.accounts, self.errors,
            accounts_known=self.known("accounts.csv"),
        )  # fmt: skip
        self.load_set.rows_read["bills.csv"] = count

    def account_problem(self, number: str | None) -> str | None:
        if number and self.known("accounts.csv") and number not in self.accounts:
            return f'unknown account "{number}" (not in accounts.csv)'
        return None

    def read_open_items(self) -> None:
        name = "open_items.csv"
        for line, values, bad in self.typed(name):
            ok = not bad
            problem = self.account_problem(values["legacy_account_number"])
            if problem:
                self.error(name, line, "legacy_account_number", problem)
                ok = False
            if ok:
                self.load_set.open_items.append(OpenItemRow(line=line, **values))

    def read_autopay(self) -> None:
        name, seen = "autopay.csv", {}
        for line, values, bad in self.typed(name):
            ok = not bad
            number = values["legacy_account_number"]
            problem = self.account_problem(number)
            status = self.accounts.get(number)
            if not problem and status and status != "active":
                problem = f"account {number} is {status}: autopay is only for an active account"
            if problem:
                self.error(name, line, "legacy_account_number", problem)
                ok = False
            if number:
                ok &= self.first_time(seen, number, name, line, "legacy_account_number", "autopay of account")
            if ok:
                self.load_set.autopay.append(AutopayRow(line=line, **values))

    def read_trial_balance(self) -> None:
        name = TRIAL_BALANCE_FILE
        table = open_table(
            self.folder,
            name,
            TRIAL_BALANCE_COLUMNS,
            self.errors,
            self.warnings,
            self.load_set.ignored_columns,
        )
        if table is None:
            return
        seen, totals, count = {}, self.load_set.legacy_totals, 0
        p_figure, p_amount = table.positions
        for line, row in rows(table, self.errors, self.max_rows):
            count += 1
            figure, amount = row[p_figure].strip(), row[p_amount].strip()
            if figure not in TRIAL_BALANCE_FIGURES:
                known = ", ".join(TRIAL_BALANCE_FIGURES)
                self.error(
                    name,
                    line,
                    "figure",
                    f'unknown figure "{figure}" (one of: {known})' if figure else REQUIRED,
                )
                continue
            if not self.first_time(seen, figure, name, line, "figure", "figure"):
                continue
            parse = v.whole_number(0, v.INT_MAX) if figure in COUNT_FIGURES else v.money()
            if not amount:
                self.error(name, line, "amount", REQUIRED)
                continue
            try:
                totals[figure] = Decimal(parse(amount))
            except ValueError as problem:
                self.error(name, line, "amount", str(problem))
        self.load_set.rows_read[name] = count

    # --- after every file ------------------------------------------------------------------------------

    def warn_inactive_meters(self) -> None:
        """A meter at a premise with no active account, or not read in the 12 months before as_of."""
        if not self.known("meters.csv"):
            return
        as_of = self.as_of
        year_before = (as_of.replace(year=as_of.year - 1, day=min(as_of.day, 28)) if as_of.month == 2
                       else as_of.replace(year=as_of.year - 1)).toordinal()  # fmt: skip
        reads_known = self.known("reads.csv")
        accounts_known = self.known("accounts.csv")
        for index, serial in enumerate(self.meters.serials):
            reasons = []
            premise = self.meter_premise[index]
            if accounts_known and premise in self.premises and premise not in self.premises_active:
                reasons.append(f"premise {premise} has no active account")
            if reads_known and self.meters.last_read[index] < year_before:
                last = self.meters.last_read[index]
                reasons.append(f"not read since {date.fromordinal(last)}" if last else "never read")
            if reasons:
                message = f"meter {serial} looks inactive: {'; '.join(reasons)}"
                self.warnings.add("meters.csv", self.meter_line[index], "serial", message)
