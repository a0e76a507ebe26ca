"""Broken conversion folders: each is the `good` fixture with one targeted change, and the first error the
reader must report for it (`file:line:field` exactly, and a fragment of the message).

Usage: `from tests.conversion.broken_corpus import AS_OF, CASES, GOOD, build`, then `build(case, tmp_path)`
writes the broken folder and returns its path.
"""

import csv
import io
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

GOOD = Path(__file__).parent / "fixtures" / "good"
AS_OF = date(2026, 11, 30)


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    # The change, as data: ("set", line, column, value) | ("remove_row", line) | ("append", values...) |
    # ("remove_file",) | ("drop_column", column) | ("replace_line", line, text) | ("encode", encoding).
    # A line is the row's number counting the header as 1.
    change: tuple
    expect: str  # the first error's file:line:field
    fragment: str  # a part of its message

    def __str__(self) -> str:
        return self.name


CASES: list[Case] = [
    # files and headers
    Case("missing_file", "meters.csv", ("remove_file",), "meters.csv:0:-", "missing from the folder"),
    Case("missing_column", "premises.csv", ("drop_column", "zip"), "premises.csv:1:zip", "missing from the header"),
    Case("not_utf8", "customers.csv", ("encode", "latin-1"), "customers.csv:4:-", "not UTF-8"),
    Case("row_too_short", "premises.csv", ("replace_line", 5, "P1004,62180 Sunflower Rd,,Joshua Tree,CA,92252"),
         "premises.csv:5:-", "6 values: the header has 8"),
    # values
    Case("empty_required_value", "customers.csv", ("set", 5, "name", ""), "customers.csv:5:name",
         "a value is required"),
    Case("bad_date", "accounts.csv", ("set", 4, "start_date", "11/01/2009"), "accounts.csv:4:start_date",
         "is not a date YYYY-MM-DD"),
    Case("impossible_date", "accounts.csv", ("set", 9, "end_date", "2026-02-30"), "accounts.csv:9:end_date",
         "is not a date YYYY-MM-DD"),
    Case("money_three_decimals", "accounts.csv", ("set", 5, "deposit_held", "200.000"),
         "accounts.csv:5:deposit_held", "more than 2 decimals"),
    Case("money_comma", "open_items.csv", ("set", 2, "amount", "1,124.15"), "open_items.csv:2:amount",
         "no comma"),
    Case("bad_boolean", "accounts.csv", ("set", 3, "paperless", "yes"), "accounts.csv:3:paperless",
         "not true or false"),
    Case("unknown_meter_size", "meters.csv", ("set", 3, "size", "7/8"), "meters.csv:3:size", 'unknown size "7/8"'),
    Case("name_too_long", "customers.csv", ("set", 2, "name", "Maria " + "L" * 115), "customers.csv:2:name",
         "121 characters, at most 120 fit"),
    Case("serial_too_long", "meters.csv", ("set", 2, "serial", "BD-" + "1" * 28), "meters.csv:2:serial",
         "at most 30 fit"),
    Case("state_not_two_letters", "premises.csv", ("set", 3, "state", "Cal"), "premises.csv:3:state",
         "not a state"),
    Case("cycle_read_day_31", "cycles.csv", ("set", 2, "read_day", "31"), "cycles.csv:2:read_day",
         "between 1 and 28"),
    # keys and references
    Case("duplicate_customer_id", "customers.csv", ("set", 3, "legacy_customer_id", "C1001"),
         "customers.csv:3:legacy_customer_id", "customer C1001 is already on line 2"),
    Case("duplicate_cycle", "cycles.csv", ("set", 3, "cycle", "C01"), "cycles.csv:3:cycle", "already on line 2"),
    Case("duplicate_route", "routes.csv", ("set", 3, "route", "R01"), "routes.csv:3:route", "already on line 2"),
    Case("route_unknown_cycle", "routes.csv", ("set", 2, "cycle", "C09"), "routes.csv:2:cycle",
         'unknown cycle "C09"'),
    Case("duplicate_serial", "meters.csv", ("set", 3, "serial", "BD-1040001"), "meters.csv:3:serial",
         "meter BD-1040001 is already on line 2"),
    Case("meter_unknown_premise", "meters.csv", ("set", 3, "legacy_premise_id", "P9999"),
         "meters.csv:3:legacy_premise_id", 'unknown premise "P9999"'),
    Case("meter_unknown_route", "meters.csv", ("set", 3, "route", "R09"), "meters.csv:3:route",
         'unknown route "R09"'),
    Case("account_unknown_customer", "accounts.csv", ("set", 3, "legacy_customer_id", "C9999"),
         "accounts.csv:3:legacy_customer_id", 'unknown customer "C9999"'),
    Case("account_unknown_premise", "accounts.csv", ("set", 3, "legacy_premise_id", "P9999"),
         "accounts.csv:3:legacy_premise_id", 'unknown premise "P9999"'),
    Case("account_route_without_cycle", "routes.csv", ("set", 4, "cycle", ""), "accounts.csv:11:legacy_premise_id",
         "route R03 has no cycle"),
    Case("account_premise_without_meter", "meters.csv", ("remove_row", 3), "accounts.csv:3:legacy_premise_id",
         "premise P1002 has no meter"),
    Case("account_meters_in_two_cycles", "meters.csv", ("set", 8, "route", "R03"),
         "accounts.csv:7:legacy_premise_id", "routes of cycles C01, C02"),
    Case("two_active_accounts_on_premise", "accounts.csv", ("set", 3, "legacy_premise_id", "P1001"),
         "accounts.csv:3:status", "premise P1001 already has an active account, 10001 (line 2)"),
    Case("active_with_end_date", "accounts.csv", ("set", 2, "end_date", "2026-01-31"), "accounts.csv:2:end_date",
         "an active account has no end date"),
    Case("final_without_end_date", "accounts.csv", ("set", 9, "end_date", ""), "accounts.csv:9:end_date",
         "a final account needs its end date"),
    Case("end_before_start", "accounts.csv", ("set", 9, "end_date", "2012-06-30"), "accounts.csv:9:end_date",
         "before the start date 2012-07-01"),
    Case("paperless_without_email", "accounts.csv", ("set", 3, "paperless", "true"), "accounts.csv:3:paperless",
         "customer C1002 has no email"),
    # reads
    Case("read_unknown_meter", "reads.csv", ("set", 2, "meter_serial", "XX-0000000"), "reads.csv:2:meter_serial",
         'unknown meter "XX-0000000"'),
    Case("read_backwards", "reads.csv", ("set", 35, "value", "9900"), "reads.csv:35:value",
         "9900 is below meter NP-0550003's read of 2025-12-05 (9940, line 22) and is not a rollover"),
    Case("read_backwards_mid_register", "reads.csv", ("set", 100, "value", "9000"), "reads.csv:100:value",
         "9000 is below meter NP-0550003's read of 2026-05-05 (9991, line 87) and is not a rollover"),
    Case("duplicate_read", "reads.csv", ("append", "BD-1040001", "2025-11-05", "18230", "actual"),
         "reads.csv:172:read_on", "meter BD-1040001 already has a read on 2025-11-05 (line 2)"),
    Case("read_before_install", "meters.csv", ("set", 2, "installed_on", "2026-01-01"), "reads.csv:2:read_on",
         "before meter BD-1040001 was installed (2026-01-01)"),
    Case("read_beyond_dials", "reads.csv", ("set", 9, "value", "10001"), "reads.csv:9:value",
         "more than meter NP-0550003's 4 dials show"),
    Case("read_unknown_kind", "reads.csv", ("set", 3, "kind", "guess"), "reads.csv:3:kind", 'unknown kind "guess"'),
    # bills, open items, autopay, trial balance
    Case("bill_unknown_account", "bills.csv", ("set", 2, "legacy_account_number", "99999"),
         "bills.csv:2:legacy_account_number", 'unknown account "99999"'),
    Case("bill_period_backwards", "bills.csv", ("set", 2, "period_end", "2025-11-01"), "bills.csv:2:period_end",
         "before the period's start 2025-11-05"),
    Case("bill_money_comma", "bills.csv", ("set", 3, "amount_due", "1,145.10"), "bills.csv:3:amount_due",
         "no comma"),
    Case("open_item_unknown_account", "open_items.csv", ("set", 3, "legacy_account_number", "99999"),
         "open_items.csv:3:legacy_account_number", 'unknown account "99999"'),
    Case("autopay_bad_routing_number", "autopay.csv", ("set", 2, "routing_number", "122000662"),
         "autopay.csv:2:routing_number", "check digit does not match"),
    Case("autopay_closed_account", "autopay.csv", ("set", 3, "legacy_account_number", "10009"),
         "autopay.csv:3:legacy_account_number", "account 10009 is closed"),
    Case("autopay_final_account", "autopay.csv", ("set", 3, "legacy_account_number", "10008"),
         "autopay.csv:3:legacy_account_number", "account 10008 is final"),
    Case("unknown_trial_balance_figure", "trial_balance.csv", ("set", 2, "figure", "receivable_current"),
         "trial_balance.csv:2:figure", 'unknown figure "receivable_current"'),
    Case("trial_balance_count_not_whole", "trial_balance.csv", ("set", 12, "amount", "13.5"),
         "trial_balance.csv:12:amount", "not a whole number"),
]  # fmt: skip


def build(case: Case, into: Path) -> Path:
    """The `good` folder copied under `into` (a folder named after the case) with the case's change."""
    folder = Path(into) / case.name
    shutil.copytree(GOOD, folder)
    change(folder / case.file, case.change)
    return folder


def change(path: Path, what: tuple) -> None:
    kind, *args = what
    if kind == "remove_file":
        path.unlink()
        return
    if kind == "encode":
        path.write_bytes(path.read_text(encoding="utf-8").encode(args[0]))
        return
    if kind == "replace_line":
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[args[0] - 1] = args[1]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    if kind == "set":
        line, column, value = args
        rows[line - 1][header.index(column)] = value
    elif kind == "remove_row":
        del rows[args[0] - 1]
    elif kind == "append":
        rows.append(list(args))
    elif kind == "drop_column":
        at = header.index(args[0])
        rows = [row[:at] + row[at + 1 :] for row in rows]
    else:
        raise ValueError(f"unknown change {kind!r}")
    write_rows(path, rows)


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
