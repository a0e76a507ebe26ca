"""Parallel bills' comparison with plain values: every reason, the order they are tried in, the counts over the
union of both sides, the rounding threshold's edges, and bills.csv read for one period."""

from datetime import date
from decimal import Decimal as D

from cistern.conversion import parallel
from cistern.conversion.loadformat import BillRow

END = date(2026, 11, 5)
START = date(2026, 10, 6)  # 30 days
LINES = (('Basic charge 3/4" meter', D("28.40")), ("Usage tier 1, 8 units", D("21.60")))


def cistern(account="1000017", legacy="L1", *, units=D(8), days=30, lines=LINES, total=None, size="3/4"):
    total = sum((a for _, a in lines), D("0.00")) if total is None else total
    return parallel.CisternBill(account, legacy, units, days, size, "residential", lines, total)


def legacy(number="L1", charges="50.00", *, units=D(8), start=START, line=2):
    return BillRow(line, number, date(2026, 11, 8), start, END, units, D(charges), D(charges))


def one(bill, row, **kw):
    result = parallel.compare([bill] if bill else [], {row.legacy_account_number: row} if row else {}, **kw)
    return result, (result.differences[0] if result.differences else None)


def test_equal_to_the_cent_matches():
    result, d = one(cistern(), legacy())
    assert (result.compared, result.matched, d) == (1, 1, None)
    assert result.match_rate == D("100.00")
    assert set(result.counts.values()) == {0}


def test_only_legacy_with_or_without_an_account_and_with_the_hold():
    result = parallel.compare(
        [], {"L1": legacy("L1"), "L2": legacy("L2", "12.00"), "L3": legacy("L3", "9.00")},
        not_billed=[parallel.NotBilled("1000025", "L2", "No read this period for meter M-7.")],
        accounts={"L3": "1000033"},
    )  # fmt: skip
    assert (result.compared, result.matched, result.counts["only_legacy"]) == (3, 0, 3)
    by = {d.legacy_number: d for d in result.differences}
    assert by["L1"].account == "" and by["L1"].note == "No Cistern account has this legacy number."
    assert (
        by["L2"].account == "1000025"
        and by["L2"].note == "Not billed by Cistern: No read this period for meter M-7."
    )
    assert by["L3"].account == "1000033" and "no bill for this account" in by["L3"].note
    assert by["L1"].difference == D("-50.00") and by["L1"].cistern_total is None
    assert by["L1"].legacy_days == 30 and by["L1"].legacy_units == 8


def test_only_cistern_with_and_without_a_legacy_number():
    result = parallel.compare([cistern(legacy="L9"), cistern(account="1000041", legacy="")], {})
    assert result.counts["only_cistern"] == 2 and result.compared == 2
    assert {d.note for d in result.differences} == {
        "No previous-system bill for the period.",
        "No legacy number.",
    }
    assert result.differences[0].difference == D("50.00") and result.differences[0].lines == LINES


def test_units_before_days_before_money():
    _, d = one(cistern(), legacy(charges="58.10", units=D(11), start=date(2026, 10, 4)))
    assert d.reason == "units" and (d.cistern_units, d.legacy_units) == (D(8), D(11))
    _, d = one(cistern(), legacy(charges="50.01", start=date(2026, 10, 4)))
    assert d.reason == "days" and (d.cistern_days, d.legacy_days) == (30, 32)
    assert d.lines == LINES  # all of Cistern's lines


def test_units_compare_as_numbers():
    _, d = one(cistern(units=D("8.00")), legacy(units=D(8)))
    assert d is None


def test_fee_a_line_the_legacy_bill_lacks():
    _, d = one(cistern(), legacy(charges="28.40"))  # the old bill lacks the usage line
    assert (d.reason, d.difference, d.lines) == ("fee", D("21.60"), (LINES[1],))
    assert "no line for Usage tier 1" in d.note


def test_fee_a_known_fee_only_the_legacy_bill_has():
    fees = [("Late penalty", D("10.00")), ("Returned check (NSF) fee", D("25.00"))]
    _, d = one(cistern(), legacy(charges="75.00"), known_fees=fees)
    assert (d.reason, d.difference) == ("fee", D("-25.00"))
    assert d.lines == (("Returned check (NSF) fee", D("25.00")),)
    assert d.note == "Only the previous system's bill has Returned check (NSF) fee ($25.00)."


def test_rounding_edges():
    for charges, reason in [
        ("50.05", "rounding"), ("49.95", "rounding"), ("50.01", "rounding"), ("50.06", "rate_or_size"),
        ("49.94", "rate_or_size"),
    ]:  # fmt: skip
        _, d = one(cistern(), legacy(charges=charges))
        assert d.reason == reason, charges
    assert D("0.05") == parallel.ROUNDING_CENTS


def test_rounding_needs_the_same_units_and_days():
    _, d = one(cistern(), legacy(charges="50.02", units=D(9)))
    assert d.reason == "units"


def test_rate_or_size_and_other():
    _, d = one(cistern(), legacy(charges="61.20"))
    assert (d.reason, d.difference) == ("rate_or_size", D("-11.20")) and d.lines == LINES
    assert d.note == 'Cistern billed a 3/4" residential meter.'
    _, d = one(cistern(), legacy(charges="-4.00"))
    assert d.reason == "other"


def test_counts_union_and_order_largest_first():
    bills = [
        cistern("1", "A"),  # matches
        cistern("2", "B"),  # rounding +0.02
        cistern("3", "C"),  # units
        cistern("4", "D"),  # only Cistern
        cistern("5", "E"),  # fee (legacy has a $10 late penalty)
    ]
    rows = {
        "A": legacy("A"), "B": legacy("B", "49.98"), "C": legacy("C", "58.10", units=D(11)),
        "E": legacy("E", "60.00"), "F": legacy("F", "140.00"),
    }  # fmt: skip
    result = parallel.compare(bills, rows, known_fees=[("Late penalty", D("10.00"))])
    assert (result.compared, result.matched) == (6, 1)
    assert parallel.last_line(result.matched, result.compared) == "1 of 6 bills match to the cent"
    assert result.match_rate == D("16.67")
    assert result.counts == {
        "only_legacy": 1, "only_cistern": 1, "units": 1, "days": 0, "fee": 1, "rounding": 1, "rate_or_size": 0,
        "other": 0,
    }  # fmt: skip
    assert [(d.legacy_number, d.reason, d.difference) for d in result.differences] == [
        ("F", "only_legacy", D("-140.00")), ("D", "only_cistern", D("50.00")), ("E", "fee", D("-10.00")),
        ("C", "units", D("-8.10")), ("B", "rounding", D("0.02")),
    ]  # fmt: skip


def test_the_stored_form():
    result = parallel.compare([cistern()], {"L1": legacy(charges="49.98")})
    stored = parallel.comparison_to_json(result)
    assert stored["match_rate"] == "0.00" and stored["counts"]["rounding"] == 1
    assert stored["differences"][0] == {
        "account": "1000017", "legacy_number": "L1", "cistern_total": "50.00", "legacy_total": "49.98",
        "difference": "0.02", "reason": "rounding", "cistern_units": "8", "legacy_units": "8", "cistern_days": 30,
        "legacy_days": 30, "lines": [[LINES[0][0], "28.40"], [LINES[1][0], "21.60"]], "note": "$0.02 apart.",
        "legacy_line": 2,
    }  # fmt: skip


HEADER = "legacy_account_number,bill_date,period_start,period_end,units,current_charges,amount_due"


def test_read_bills_keeps_the_period_and_reports_every_bad_row():
    text = [
        HEADER, "L1,2026-11-08,2026-10-06,2026-11-05,8,50.00,75.00", "L2,2026-10-08,2026-09-06,2026-10-06,8,1,1",
        "L3,2026-11-08,2026-10-06,2026-11-05,eight,50.001,50", "L1,2026-11-08,2026-10-06,2026-11-05,8,50.00,75.00",
        ",2026-11-08,2026-10-06,2026-11-05,8,1,1",
    ]  # fmt: skip
    read = parallel.read_bills(text, period_end=END)
    assert read.rows_read == 5 and list(read.bills) == ["L1"]
    assert read.bills["L1"].current_charges == D("50.00") and read.bills["L1"].line == 2
    assert [str(p) for p in read.problems] == [
        "bills.csv:4:units: 'eight' is not a number.",
        "bills.csv:4:current_charges: '50.001' is not an amount with at most 2 decimals (e.g. 41.20).",
        "bills.csv:5:legacy_account_number: Account L1 has a second bill for the period ending 2026-11-05 "
        "(the first at line 2).",
        "bills.csv:6:legacy_account_number: The legacy account number is blank.",
    ]
    assert read.problem_count == 4


def test_read_bills_missing_column():
    read = parallel.read_bills(["legacy_account_number,bill_date"], period_end=END)
    assert (
        read.problem_count == 5
        and str(read.problems[0]) == "bills.csv:1:period_start: The column is missing from the header."
    )
