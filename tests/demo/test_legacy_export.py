"""The demo district as its previous system would export it (`seed_district --legacy-export`), and the district's
configuration alone (`seed_district --config-only`), the database a conversion starts from.

No formula neutralising is checked: the folder is a load format read by `convert` as text into typed fields,
not a spreadsheet, and a phone kept as `+1 760 366 8438` must reach the converter as the district typed it."""

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from cistern.billing.models import Bill, BillCycle
from cistern.conversion.loadformat import FILES, TRIAL_BALANCE_COLUMNS, TRIAL_BALANCE_FILE
from cistern.core.models import ClosureDay, DistrictSettings
from cistern.customers.models import Account, Customer, Premise
from cistern.demo import config, legacy_export
from cistern.demo.legacy_export import legacy_account_number, legacy_charges, phone_as_typed
from cistern.metering.models import MeterInstallation, Read, ReadStatus, Route
from cistern.payments.models import AutopayEnrolment, EnrolmentStatus
from cistern.rates.models import Fee, RateSchedule

TODAY = date(2026, 11, 26)
pytestmark = pytest.mark.django_db


# --- pure: the old system's ways -----------------------------------------------------------------------------


def test_a_phone_is_typed_five_ways():
    typed = [phone_as_typed("(760) 366-8438", i) for i in range(5)]
    assert typed == ["(760) 366-8438", "760-366-8438", "760.366.8438", "7603668438", "+1 760 366 8438"]
    assert phone_as_typed("", 3) == ""


def test_an_old_account_number_is_the_location_then_the_occupant():
    assert legacy_account_number(12345, 1) == "0012345-01"


def test_a_bill_rounded_once_differs_from_its_lines_rounded_each():
    # Two prorated lines of 25.8117 and 10.6667: Cistern bills 25.81 + 10.67 = 36.48, the old system 36.48;
    # lines of 0.005 each: Cistern 0.01 + 0.01, the old system 0.01.
    spans = [(Decimal("0.02"), Decimal("0.010"))]
    assert legacy_charges(Decimal("50.02"), spans) == Decimal("50.01")
    assert legacy_charges(Decimal("36.48"), [(Decimal("36.48"), Decimal("36.4784"))]) == Decimal("36.48")


# --- the configuration alone ---------------------------------------------------------------------------------


def test_config_only_loads_the_configuration_and_no_customers_twice_alike():
    out = StringIO()
    call_command("seed_district", "--config-only", "--as-of", TODAY.isoformat(), stdout=out)
    assert "Loaded the district's configuration" in out.getvalue()
    assert DistrictSettings.objects.get(id=1).name == config.DISTRICT["name"]
    assert ClosureDay.objects.count() == 2
    assert RateSchedule.objects.count() == 2
    fees = Fee.objects.count()
    assert fees == 8
    assert not Customer.objects.exists() and not Premise.objects.exists()
    assert not Route.objects.exists() and not BillCycle.objects.exists() and not Account.objects.exists()
    call_command("seed_district", "--config-only", "--as-of", TODAY.isoformat(), stdout=StringIO())
    assert (
        Fee.objects.count() == fees and ClosureDay.objects.count() == 2 and RateSchedule.objects.count() == 2
    )


# --- the export of a seeded district -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_district", "--accounts", "80", "--seed", "7", "--history-months", "4",
                         "--as-of", TODAY.isoformat(), stdout=StringIO())  # fmt: skip
            first, second = tmp_path_factory.mktemp("export-1"), tmp_path_factory.mktemp("export-2")
            result = legacy_export.export(first, today=TODAY)
            out = StringIO()
            call_command(
                "seed_district", "--legacy-export", str(second), "--as-of", TODAY.isoformat(), stdout=out
            )
            # A config-only load on a district with accounts says so and changes nothing.
            refused = StringIO()
            schedules = RateSchedule.objects.count()
            call_command("seed_district", "--config-only", stdout=refused)
            assert RateSchedule.objects.count() == schedules
            counts = {
                "customers": Customer.objects.count(),
                "premises": Premise.objects.count(),
                "accounts": Account.objects.count(),
                "meters": MeterInstallation.objects.values("meter").distinct().count(),
                "reads": Read.objects.filter(status=ReadStatus.ACCEPTED)
                .values("meter", "read_on")
                .distinct()
                .count(),
                "bills": Bill.objects.filter(cancellation__isnull=True).count(),
                "routes": Route.objects.count(),
                "autopay": AutopayEnrolment.objects.exclude(status=EnrolmentStatus.ENDED)
                .filter(account__status__in=["active", "pending"])
                .count(),
                "status": Counter(Account.objects.values_list("status", flat=True)),
            }
            yield result, first, second, out.getvalue(), refused.getvalue(), counts
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _rows(folder, name):
    with open(folder / name, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_every_file_has_the_load_formats_columns(exported):
    result, folder, *_ = exported
    for name, columns in FILES.items():
        assert tuple(_rows(folder, name)[0]) == columns, name
    assert tuple(_rows(folder, TRIAL_BALANCE_FILE)[0]) == TRIAL_BALANCE_COLUMNS


def test_the_rows_are_the_databases(exported):
    result, folder, _, _, _, counts = exported
    assert len(_rows(folder, "customers.csv")) - 1 == counts["customers"] + 3  # three kept twice
    assert len(_rows(folder, "premises.csv")) - 1 == counts["premises"]
    assert len(_rows(folder, "accounts.csv")) - 1 == counts["accounts"]
    assert len(_rows(folder, "meters.csv")) - 1 == counts["meters"] + 1  # and the spare
    # the reads to the cutover, and the reads since as a route read file
    read_rows = _rows(folder, "reads.csv")[1:]
    after = _rows(folder, legacy_export.READS_AFTER_CUTOVER)[1:]
    assert len(read_rows) + len(after) == counts["reads"]
    assert max(row[1] for row in read_rows) <= result.cutover.isoformat() < min(row[1] for row in after)
    assert len(_rows(folder, "bills.csv")) - 1 == counts["bills"]
    assert len(_rows(folder, "routes.csv")) - 1 == counts["routes"]
    assert len(_rows(folder, "autopay.csv")) - 1 == counts["autopay"]
    assert result.rows["bills.csv"] == counts["bills"]
    figures = dict(_rows(folder, TRIAL_BALANCE_FILE)[1:])
    assert int(figures["accounts_active"]) == counts["status"]["active"] + counts["status"]["pending"]
    assert int(figures["accounts_final"]) == counts["status"]["final"]
    assert int(figures["meters"]) == counts["meters"] + 1
    buckets = sum(
        Decimal(figures[f"receivable_{k}"]) for k in ("not_due", "1_30", "31_60", "61_90", "over_90")
    )
    assert buckets == Decimal(figures["receivable_total"])
    open_items = sum(Decimal(row[2]) for row in _rows(folder, "open_items.csv")[1:])
    assert open_items == Decimal(figures["receivable_total"])


def test_the_old_numbers_are_kept_nowhere_in_cistern(exported):
    _, folder, *_ = exported
    numbers = [row[0] for row in _rows(folder, "accounts.csv")[1:]]
    assert all(len(n) == 10 and n[7] == "-" for n in numbers)
    assert not Account.objects.filter(number__in=numbers).exists()
    assert not Account.objects.exclude(legacy_number="").exists()


def test_phones_come_in_five_formats(exported):
    _, folder, *_ = exported
    phones = [row[8] for row in _rows(folder, "customers.csv")[1:] if row[8]]
    shapes = {
        "(760) ": sum(p.startswith("(") for p in phones),
        "dashes": sum(p.count("-") == 2 and not p.startswith("(") for p in phones),
        "dots": sum(p.count(".") == 2 for p in phones),
        "digits": sum(p.isdigit() for p in phones),
        "+1": sum(p.startswith("+1 ") for p in phones),
    }
    assert all(count > 0 for count in shapes.values()), shapes


def test_three_customers_are_kept_twice(exported):
    result, folder, *_ = exported
    customers = _rows(folder, "customers.csv")[1:]
    by_id = {row[0]: row for row in customers}
    groups = Counter((row[2], row[3], row[4], row[5], row[7]) for row in customers)
    assert len(result.duplicate_customers) == 3
    accounts = _rows(folder, "accounts.csv")[1:]
    for first, second in result.duplicate_customers:
        same = by_id[first][2:8] == by_id[second][2:8]
        assert same and groups[(by_id[first][2], *by_id[first][3:6], by_id[first][7])] >= 2
        # the second record names one of the customer's accounts (none in a district too small to have three
        # customers with two accounts or more)
        assert sum(row[1] == second for row in accounts) <= 1
        assert sum(row[1] == first for row in accounts) >= 1


def test_a_spare_meter_stands_at_a_vacant_location(exported):
    result, folder, *_ = exported
    spare = [row for row in _rows(folder, "meters.csv")[1:] if row[0] == result.spare_meter]
    assert len(spare) == 1
    location = spare[0][5]
    assert not any(row[0] == result.spare_meter for row in _rows(folder, "reads.csv")[1:])
    open_at = [row for row in _rows(folder, "accounts.csv")[1:] if row[2] == location and row[4] == "active"]
    assert open_at == []


def test_some_bills_are_rounded_once_and_differ_by_cents(exported):
    result, folder, *_ = exported
    legacy = [Decimal(row[5]) for row in _rows(folder, "bills.csv")[1:]]
    # bills.csv is written in the bills' order: bill date, account, bill
    cistern = Bill.objects.filter(cancellation__isnull=True).order_by("bill_date", "account_id", "pk")
    differences = [
        old - new for old, new in zip(legacy, cistern.values_list("current_charges", flat=True), strict=True)
    ]
    differing = [d for d in differences if d]
    assert len(differing) == result.rounded_total
    assert 0 < len(differing) < len(legacy) / 5
    assert all(Decimal("0.01") <= abs(d) <= Decimal("0.03") for d in differing)


def test_the_readme_names_the_cutover_and_the_parallel_period(exported):
    result, folder, _, out, refused, _ = exported
    text = (folder / "README.txt").read_text()
    assert f"cutover: {result.cutover.isoformat()}" in text
    assert f"--period-end {result.period_end.isoformat()} --cycle {result.cycle}" in text
    assert result.cutover < result.period_end
    assert f"--as-of {result.cutover}" in out
    assert "already has accounts" in refused


def test_the_export_is_the_same_twice(exported):
    _, first, second, *_ = exported
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name == "README.txt":  # names its own folder
            continue
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
