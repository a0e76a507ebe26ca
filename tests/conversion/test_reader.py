"""The conversion folder reader: the good fixture reads clean; each broken folder names its first error exactly;
warnings are listed and never refuse. Pure: no database."""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from cistern.conversion import reader
from cistern.conversion.loadformat import MAX_LISTED, AccountRow, CustomerRow, ReadRow
from cistern.ledger.aging import Movement, aging
from tests.conversion.broken_corpus import AS_OF, CASES, GOOD, build, change
from tests.conversion.fixtures.synthetic import write_district

FIRST_READ = ReadRow(2, "BD-1040001", date(2025, 11, 5), Decimal("18230"), "actual")


def read(folder, **kwargs):
    return reader.read_folder(folder, as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def copy_of_good(tmp_path):
    folder = tmp_path / "good"
    shutil.copytree(GOOD, folder)
    return folder


def test_good_reads_without_errors_and_counts_every_row():
    result = read(GOOD)
    assert result.ok and result.errors == [] and result.error_count == 0
    load = result.load_set
    assert load.rows_read == {
        "customers.csv": 12, "premises.csv": 12, "cycles.csv": 2, "routes.csv": 3, "meters.csv": 13,
        "accounts.csv": 13, "reads.csv": 170, "bills.csv": 144, "open_items.csv": 17, "autopay.csv": 2,
        "trial_balance.csv": 11,
    }  # fmt: skip
    assert [len(load.customers), len(load.premises), len(load.cycles), len(load.routes), len(load.meters)] == [
        12, 12, 2, 3, 13,
    ]  # fmt: skip
    assert [len(load.accounts), len(load.open_items), len(load.autopay)] == [13, 17, 2]
    assert load.ignored_columns == {} and load.reads_in_date_order
    # the one warning: the vacant premise's meter
    assert [str(w) for w in result.warnings] == [
        "meters.csv:10:serial: meter BD-1040009 looks inactive: premise P1008 has no active account"
    ]
    assert result.warning_count == 1


def test_good_rows_are_typed():
    load = read(GOOD).load_set
    assert load.accounts[7] == AccountRow(
        line=9, legacy_account_number="10008", legacy_customer_id="C1008", legacy_premise_id="P1008",
        relationship="owner", status="final", start_date=date(2012, 7, 1), end_date=date(2026, 10, 15),
        deposit_held=Decimal("0.00"), paperless=False,
    )  # fmt: skip
    assert load.customers[11] == CustomerRow(
        line=13, legacy_customer_id="C1012", kind="organisation", name="Desert Inn LLC", mailing_line1="PO Box 300",
        mailing_line2="", mailing_city="Joshua Tree", mailing_state="CA", mailing_zip="92252",
        phone="(760) 366-2112", email="office@desertinn.example.com", language="en",
    )  # fmt: skip
    meter = next(m for m in load.meters if m.serial == "SN-2210013")
    assert (meter.size, meter.service_kind, meter.dials, meter.multiplier) == (
        "4",
        "fire_line",
        6,
        Decimal("1"),
    )
    assert (load.cycles[1].cycle, load.cycles[1].read_day, load.cycles[1].bill_day) == ("C02", 20, 23)
    credit = next(item for item in load.open_items if item.amount < 0)
    assert (credit.legacy_account_number, credit.amount, credit.due_date) == (
        "10005",
        Decimal("-25.00"),
        date(2026, 11, 15),
    )
    assert [(a.legacy_account_number, a.routing_number, a.prenote_done) for a in load.autopay] == [
        ("10001", "122000661", True), ("10012", "322271627", False),
    ]  # fmt: skip


def test_good_trial_balance_matches_its_files():
    load = read(GOOD).load_set
    totals = load.legacy_totals
    statuses = [a.status for a in load.accounts]
    assert totals["accounts_active"] == statuses.count("active") == 11
    assert (totals["accounts_final"], totals["accounts_closed"], totals["meters"]) == (1, 1, 13)
    assert totals["deposits_held"] == sum(a.deposit_held for a in load.accounts) == Decimal("600.00")
    assert totals["receivable_total"] == sum(i.amount for i in load.open_items) == Decimal("2706.98")
    aged = dict.fromkeys(["not_due", "1_30", "31_60", "61_90", "over_90"], Decimal("0.00"))
    for number in {i.legacy_account_number for i in load.open_items}:
        items = [
            Movement(i.due_date, i.amount, i.due_date)
            for i in load.open_items
            if i.legacy_account_number == number
        ]
        for bucket, amount in aging(items, AS_OF).items():
            aged[bucket] += amount
    expected = {
        "not_due": "1818.48",
        "1_30": "396.70",
        "31_60": "179.00",
        "61_90": "179.00",
        "over_90": "133.80",
    }
    for bucket, amount in expected.items():
        assert aged[bucket] == totals[f"receivable_{bucket}"] == Decimal(amount)


def test_iter_reads_and_bills_give_typed_rows_in_file_order():
    reads = list(reader.iter_reads(GOOD))
    assert len(reads) == 170 and reads[0] == FIRST_READ
    rollover = [
        r
        for r in reads
        if r.meter_serial == "NP-0550003" and r.read_on.month in (5, 6) and r.read_on.year == 2026
    ]
    assert [r.value for r in rollover] == [Decimal("9991"), Decimal("5")]
    bills = list(reader.iter_bills(GOOD))
    assert len(bills) == 144 and [b.line for b in bills] == list(range(2, 146))
    final = next(b for b in bills if b.legacy_account_number == "10008" and b.bill_date == date(2026, 10, 16))
    assert (final.period_start, final.period_end, final.units, final.current_charges, final.amount_due) == (
        date(2026, 10, 5), date(2026, 10, 15), Decimal("6"), Decimal("95.20"), Decimal("95.20"),
    )  # fmt: skip


def test_iter_bills_without_bills_file_gives_nothing(tmp_path):
    folder = copy_of_good(tmp_path)
    (folder / "bills.csv").unlink()
    (folder / "open_items.csv").unlink()
    (folder / "autopay.csv").unlink()
    result = read(folder)
    assert result.ok and "bills.csv" not in result.load_set.rows_read
    assert list(reader.iter_bills(folder)) == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_broken_folder_names_its_first_error(case, tmp_path):
    result = read(build(case, tmp_path))
    assert not result.ok and result.load_set is None
    first = result.errors[0]
    assert f"{first.file}:{first.line}:{first.field}" == case.expect, [str(e) for e in result.errors[:5]]
    assert case.fragment in first.message, str(first)
    assert result.error_count >= len(result.errors) >= 1


def test_corpus_covers_at_least_24_distinct_cases():
    assert len(CASES) >= 24
    assert len({case.name for case in CASES}) == len(CASES)


def test_every_bad_value_of_a_row_is_listed(tmp_path):
    folder = copy_of_good(tmp_path)
    change(folder / "meters.csv", ("set", 3, "size", "7/8"))
    change(folder / "meters.csv", ("set", 3, "dials", "12"))
    change(folder / "meters.csv", ("set", 3, "multiplier", "0"))
    errors = [str(e) for e in read(folder).errors]
    assert errors == [
        'meters.csv:3:size: unknown size "7/8" (one of: 5/8, 3/4, 1, 1 1/2, 2, 3, 4, 6, 8, 10)',
        "meters.csv:3:dials: 12 is not between 3 and 9",
        'meters.csv:3:multiplier: "0": a multiplier is more than 0',
    ]


def test_a_bad_date_is_not_reported_again_as_missing(tmp_path):
    folder = copy_of_good(tmp_path)
    change(folder / "accounts.csv", ("set", 9, "end_date", "2026-02-30"))
    assert [str(e) for e in read(folder).errors] == [
        'accounts.csv:9:end_date: "2026-02-30" is not a date YYYY-MM-DD'
    ]


def test_a_read_wrapping_near_the_register_end_is_a_rollover_not_an_error():
    # NP-0550003 (4 dials) reads 9991 then 5: within 20% of the end and of zero
    assert read(GOOD).ok


def test_reads_out_of_date_order_are_sorted_per_meter_before_comparing(tmp_path):
    folder = copy_of_good(tmp_path)
    path = folder / "reads.csv"
    header, *rest = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rest)]) + "\n", encoding="utf-8")
    result = read(folder)
    assert result.ok and not result.load_set.reads_in_date_order


def test_a_backwards_read_out_of_order_is_found_at_its_line(tmp_path):
    folder = copy_of_good(tmp_path)
    # 2026-01-05's read moved to the end of the file, lowered below 2025-12-05's
    change(folder / "reads.csv", ("append", "BD-1040001", "2026-01-05", "18200", "actual"))
    change(folder / "reads.csv", ("remove_row", 28))
    errors = [str(e) for e in read(folder).errors]
    assert errors[0].startswith("reads.csv:171:value: 18200 is below meter BD-1040001's read of 2025-12-05")


def test_errors_are_listed_up_to_the_cap_and_all_counted(tmp_path):
    folder = copy_of_good(tmp_path)
    path = folder / "reads.csv"
    with open(path, "a", encoding="utf-8") as f:
        f.writelines(f"XX-{n:07d},2026-11-05,1,actual\n" for n in range(2500))
    change(folder / "customers.csv", ("set", 13, "kind", "company"))
    result = read(folder)
    assert result.error_count == 2501
    assert len(result.errors) == MAX_LISTED
    # file order first (customers before reads), then line
    assert str(result.errors[0]).startswith('customers.csv:13:kind: unknown kind "company"')
    assert [e.line for e in result.errors[1:]] == list(range(172, 172 + MAX_LISTED - 1))
    assert (
        str(result.errors[1]) == 'reads.csv:172:meter_serial: unknown meter "XX-0000000" (not in meters.csv)'
    )


def test_a_file_over_the_row_cap_is_refused_at_line_0():
    result = read(GOOD, max_rows=150)
    assert [str(e) for e in result.errors] == ["reads.csv:0:-: more than 150 rows: over the cap, not read"]


def test_a_byte_order_mark_is_accepted(tmp_path):
    folder = copy_of_good(tmp_path)
    for name in ("customers.csv", "reads.csv"):
        path = folder / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = read(folder)
    assert result.ok and result.load_set.customers[0].legacy_customer_id == "C1001"
    assert list(reader.iter_reads(folder))[0] == FIRST_READ


def test_windows_line_endings_and_padded_values_are_read(tmp_path):
    folder = copy_of_good(tmp_path)
    path = folder / "cycles.csv"
    path.write_bytes(b"cycle , read_day,bill_day\r\nC01, 5 ,8\r\nC02,20,23\r\n\r\n")
    result = read(folder)
    assert result.ok and [(c.cycle, c.read_day, c.line) for c in result.load_set.cycles] == [
        ("C01", 5, 2),
        ("C02", 20, 3),
    ]


# --- warnings ----------------------------------------------------------------------------------------------


def warnings_of(result, file):
    return [str(w) for w in result.warnings if w.file == file]


def test_odd_phones_are_normalised_with_a_warning(tmp_path):
    folder = copy_of_good(tmp_path)
    for line, phone in [(2, "760-366-2101"), (3, "760.366.2102"), (4, "7603662103"), (5, "+1 760 366 2104"),
                        (6, "366-2105"), (7, "(760)366-2106")]:  # fmt: skip
        change(folder / "customers.csv", ("set", line, "phone", phone))
    result = read(folder)
    assert result.ok
    assert warnings_of(result, "customers.csv") == [
        'customers.csv:2:phone: phone "760-366-2101" read as (760) 366-2101',
        'customers.csv:3:phone: phone "760.366.2102" read as (760) 366-2102',
        'customers.csv:4:phone: phone "7603662103" read as (760) 366-2103',
        'customers.csv:5:phone: phone "+1 760 366 2104" read as (760) 366-2104',
        'customers.csv:6:phone: phone "366-2105" is not 10 digits: kept as typed, check it',
        'customers.csv:7:phone: phone "(760)366-2106" read as (760) 366-2106',
    ]
    phones = [c.phone for c in result.load_set.customers[:6]]
    assert phones == ["(760) 366-2101", "(760) 366-2102", "(760) 366-2103", "(760) 366-2104", "366-2105",
                      "(760) 366-2106"]  # fmt: skip


def test_likely_duplicate_customers_are_listed_once_per_group(tmp_path):
    folder = copy_of_good(tmp_path)
    change(folder / "customers.csv", ("set", 3, "name", "maria  LOPEZ"))
    change(folder / "customers.csv", ("set", 3, "mailing_line1", "61750 chollita rd"))
    change(folder / "customers.csv", ("set", 11, "name", "Maria Lopez"))
    change(folder / "customers.csv", ("set", 11, "mailing_line1", "61750  Chollita Rd"))
    result = read(folder)
    assert result.ok
    assert warnings_of(result, "customers.csv") == [
        "customers.csv:2:legacy_customer_id: customers C1001, C1002, C1010 have the same name and mailing address: "
        "likely one customer, listed for review"
    ]


def test_inactive_meters_are_listed(tmp_path):
    result = read(GOOD, as_of=date(2028, 1, 15))
    assert result.ok
    meters = warnings_of(result, "meters.csv")
    assert len(meters) == 13
    assert meters[0] == "meters.csv:2:serial: meter BD-1040001 looks inactive: not read since 2026-11-05"
    assert meters[8] == (
        "meters.csv:10:serial: meter BD-1040009 looks inactive: premise P1008 has no active account; "
        "not read since 2026-11-05"
    )


def test_a_meter_never_read_is_listed(tmp_path):
    folder = copy_of_good(tmp_path)
    change(folder / "meters.csv", ("append", "BD-1049999", "3/4", "Badger", "6", "1", "P1001", "irrigation",
                                   "2026-11-20", "R01", "11"))  # fmt: skip
    result = read(folder)
    assert result.ok
    assert "meters.csv:15:serial: meter BD-1049999 looks inactive: never read" in warnings_of(
        result, "meters.csv"
    )


def test_extra_columns_are_ignored_and_listed(tmp_path):
    folder = copy_of_good(tmp_path)
    path = folder / "premises.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(f"{line},{'notes' if i == 0 else 'gate code 1234'}" for i, line in enumerate(lines)) + "\n"
    )
    result = read(folder)
    assert result.ok
    assert result.load_set.ignored_columns == {"premises.csv": ["notes"]}
    assert warnings_of(result, "premises.csv") == ['premises.csv:1:notes: extra column "notes" ignored']
    assert result.load_set.premises[0].street == "61750 Chollita Rd"


def test_a_spelled_out_street_suffix_is_listed(tmp_path):
    folder = copy_of_good(tmp_path)
    change(folder / "premises.csv", ("set", 2, "street", "61750 Chollita Road"))
    change(folder / "customers.csv", ("set", 4, "mailing_line1", "7350 Hillview Rd."))
    result = read(folder)
    assert result.ok
    assert warnings_of(result, "premises.csv") == [
        'premises.csv:2:street: street "61750 Chollita Road" is searched as "61750 Chollita RD" (suffix in the '
        "USPS form)"
    ]
    assert len(warnings_of(result, "customers.csv")) == 1


def test_warnings_never_refuse_and_are_counted_past_the_cap(tmp_path):
    folder = copy_of_good(tmp_path)
    path = folder / "customers.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    extra = [
        f"D{n:05d},person,Person {n},{n} Sage Ave,,Joshua Tree,CA,92252,366-{n:04d},,en" for n in range(1200)
    ]
    path.write_text("\n".join(rows + extra) + "\n", encoding="utf-8")
    result = read(folder)
    assert result.ok
    assert result.warning_count == 1201 and len(result.warnings) == MAX_LISTED


def test_a_synthetic_district_reads_clean_and_counts_its_rows(tmp_path):
    written = write_district(tmp_path / "district", accounts=240)
    result = read(tmp_path / "district")
    assert result.ok and result.load_set.rows_read == written
    assert written["reads.csv"] == written["bills.csv"] == 240 * 13
    assert len(result.load_set.accounts) == 240 and len(result.load_set.meters) == 240
    # 1 account in 20 is final: its premise's meter has no active account
    assert result.warning_count == 12
    assert sum(1 for _ in reader.iter_reads(tmp_path / "district")) == 240 * 13
