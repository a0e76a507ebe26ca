"""The conversion's reconciliation: the legacy trial balance, what the files hold and what was loaded, side by
side, figure by figure. Pure: plain values in, the report (a JSON-ready dict) out, no ORM. The files' side is
counted here from the load set; the loaded side is measured by selectors.loaded_figures.

A figure differs when any two of legacy / in files / loaded disagree; each such figure is also a line of
"differences". Money figures are strings with two decimals, counts whole numbers as strings.
"""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from cistern.ledger.aging import BUCKETS, Movement, aging

from .loadformat import FILES, TRIAL_BALANCE_FIGURES, LoadSet

# aging bucket -> trial balance figure
BUCKET_FIGURES = {
    "not_due": "receivable_not_due",
    "1_30": "receivable_1_30",
    "31_60": "receivable_31_60",
    "61_90": "receivable_61_90",
    "over_90": "receivable_over_90",
}
assert set(BUCKET_FIGURES) == set(BUCKETS)  # noqa: S101 (the ledger's buckets are the trial balance's)
MONEY_FIGURES = frozenset({*BUCKET_FIGURES.values(), "receivable_total", "deposits_held"})
CENT = Decimal("0.01")


def receivable_by_bucket(movements_by_account: dict, as_of: date) -> dict[str, Decimal]:
    """Open amounts by trial-balance figure on `as_of` as Cistern ages an account (ledger.aging: credits applied
    to the oldest charges, each charge aged by days past its due date), summed over the accounts, and the
    total. `movements_by_account`: account -> its receivable Movements."""
    figures = dict.fromkeys([*BUCKET_FIGURES.values(), "receivable_total"], Decimal("0.00"))
    for movements in movements_by_account.values():
        for name, amount in aging(movements, as_of).items():
            figures[BUCKET_FIGURES[name]] += amount
            figures["receivable_total"] += amount
    return figures


def open_item_movements(load_set: LoadSet, as_of: date) -> dict[str, list[Movement]]:
    """The open items as each account's receivable movements, dated `as_of`, due when the files say."""
    found: dict[str, list[Movement]] = defaultdict(list)
    for row in load_set.open_items:
        if row.amount:
            found[row.legacy_account_number].append(
                Movement(as_of, row.amount, row.due_date, row.description)
            )
    return found


def files_figures(load_set: LoadSet, as_of: date) -> dict[str, Decimal]:
    """The figures as the files state them (an account's cycle: its meters' route's cycle)."""
    figures = receivable_by_bucket(open_item_movements(load_set, as_of), as_of)
    figures["deposits_held"] = sum((row.deposit_held for row in load_set.accounts), Decimal("0.00"))
    statuses = Counter(row.status for row in load_set.accounts)
    for status in ("active", "final", "closed"):
        figures[f"accounts_{status}"] = Decimal(statuses[status])
    figures["meters"] = Decimal(len(load_set.meters))
    for size, count in sorted(Counter(row.size for row in load_set.meters).items()):
        figures[f"meters_size_{size}"] = Decimal(count)
    route_cycle = {row.route: row.cycle for row in load_set.routes}
    premise_cycle = {}
    for row in load_set.meters:
        premise_cycle.setdefault(row.legacy_premise_id, route_cycle.get(row.route))
    cycles = Counter(premise_cycle.get(row.legacy_premise_id) for row in load_set.accounts)
    for cycle in sorted(row.cycle for row in load_set.cycles):
        figures[f"accounts_cycle_{cycle}"] = Decimal(cycles[cycle])
    return figures


def _label(figure: str) -> str:
    if figure in TRIAL_BALANCE_FIGURES:
        return TRIAL_BALANCE_FIGURES[figure]
    if figure.startswith("meters_size_"):
        return f'Meters {figure.removeprefix("meters_size_")}"'
    if figure.startswith("accounts_cycle_"):
        return f"Accounts in cycle {figure.removeprefix('accounts_cycle_')}"
    return figure


def _text(figure: str, value: Decimal | None) -> str | None:
    if value is None:
        return None
    if figure in MONEY_FIGURES:
        return str(Decimal(value).quantize(CENT))
    return str(int(value))


def _shown(figure: str, value: Decimal | None) -> str:
    if value is None:
        return "none"
    return f"${Decimal(value):,.2f}" if figure in MONEY_FIGURES else f"{int(value):,}"


def report(
    *,
    as_of: date,
    rows_read: dict[str, int],
    rows_loaded: dict[str, int],
    ignored_columns: dict[str, list[str]],
    in_files: dict[str, Decimal],
    loaded: dict[str, Decimal],
    legacy: dict[str, Decimal] | None,
) -> dict:
    """The reconciliation report (ConversionRun.report). `rows_read` / `rows_loaded`: file name -> rows;
    `in_files` / `loaded` / `legacy`: figure key -> amount or count."""
    legacy = legacy or {}
    files = [
        {
            "file": name,
            "read": rows_read.get(name, 0),
            "loaded": rows_loaded.get(name, 0),
            "refused": max(0, rows_read.get(name, 0) - rows_loaded.get(name, 0)),
            "ignored_columns": list(ignored_columns.get(name, [])),
        }
        for name in FILES
    ]
    extra = sorted(k for k in {*in_files, *loaded} if k not in TRIAL_BALANCE_FIGURES)
    totals, differences = [], []
    for figure in [*TRIAL_BALANCE_FIGURES, *extra]:
        values = {
            "legacy": legacy.get(figure) if figure in TRIAL_BALANCE_FIGURES else None,
            "in_files": in_files.get(figure, Decimal(0)),
            "loaded": loaded.get(figure, Decimal(0)),
        }
        given = [_text(figure, v) for v in values.values() if v is not None]
        differs = len(set(given)) > 1
        difference = None
        if differs:
            against = values["legacy"] if values["legacy"] is not None else values["in_files"]
            difference = _text(figure, Decimal(values["loaded"]) - Decimal(against))
            differences.append(
                f"{_label(figure)}: legacy {_shown(figure, values['legacy'])}, in files "
                f"{_shown(figure, values['in_files'])}, loaded {_shown(figure, values['loaded'])}"
            )
        totals.append({
            "figure": figure, "label": _label(figure), "legacy": _text(figure, values["legacy"]),
            "in_files": _text(figure, values["in_files"]), "loaded": _text(figure, values["loaded"]),
            "difference": difference,
        })  # fmt: skip
    return {"as_of": as_of.isoformat(), "files": files, "totals": totals, "differences": differences}


def table_lines(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows of text as aligned columns (the columns in `right` aligned right), the first row a heading."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def report_lines(report_: dict) -> list[str]:
    """The report as text: the files, the totals side by side, the differences."""
    files = [["File", "Read", "Loaded", "Refused", "Ignored columns"]] + [
        [
            f["file"],
            f"{f['read']:,}",
            f"{f['loaded']:,}",
            f"{f['refused']:,}",
            ", ".join(f["ignored_columns"]),
        ]
        for f in report_.get("files", [])
    ]
    totals = [["Figure", "Legacy", "In files", "Loaded", "Difference"]] + [
        [t["label"], t["legacy"] or "-", t["in_files"] or "-", t["loaded"] or "-", t["difference"] or ""]
        for t in report_.get("totals", [])
    ]
    lines = [f"Reconciliation as of {report_.get('as_of', '')}", ""]
    lines += table_lines(files, {1, 2, 3}) + [""] + table_lines(totals, {1, 2, 3, 4}) + [""]
    differences = report_.get("differences", [])
    lines.append(f"Differences: {len(differences)}" if differences else "Differences: none")
    lines += [f"  {d}" for d in differences]
    return lines
