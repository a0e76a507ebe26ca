"""The conversion of the good fixture folder (tests/conversion/fixtures/good, as of 2026-11-30) into an empty
district configured as the demo district is, through `convert` and the `convert` command."""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from cistern.billing import services as billing
from cistern.billing import unbilled
from cistern.billing.models import BillCycle, BillRunItem, LegacyBill
from cistern.conversion import reconciliation
from cistern.conversion.errors import ConversionError
from cistern.conversion.models import ConversionOutcome, ConversionRun
from cistern.conversion.services import convert
from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.core.selectors import district_settings
from cistern.customers.account_number import check_digit_fails
from cistern.customers.models import Account, Customer, OpeningBalance, Premise, ServiceEvent
from cistern.customers.selectors import account_search
from cistern.demo.config import load_config
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.aging import Movement
from cistern.ledger.models import GLRole, JournalEntry, JournalLine
from cistern.metering import services as metering
from cistern.metering.models import (
    Meter,
    MeterInstallation,
    Read,
    ReadSource,
    ReadStatus,
    Route,
    ServicePoint,
)
from cistern.payments import secrets
from cistern.payments.models import AutopayEnrolment, EnrolmentStatus

GOOD = Path(__file__).parent / "fixtures" / "good"
AS_OF = date(2026, 11, 30)


def _csv(name: str) -> list[dict]:
    with (GOOD / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def district(db):
    """The demo district's configuration: settings, holidays, rates and fees, staff (no customers)."""
    with clock.on(AS_OF):
        return load_config(AS_OF)


@pytest.fixture
def admin(district, make_user):
    return make_user(roles.BILLING_ADMIN, "conversion-admin")


@pytest.fixture
def converted(admin):
    with clock.on(AS_OF):
        return convert(actor=admin, folder=GOOD, as_of=AS_OF, dry_run=False)


def _account(legacy: str) -> Account:
    return Account.objects.get(legacy_number=legacy)


def test_rows_per_table(converted):
    assert converted.outcome == ConversionOutcome.CONVERTED
    assert Customer.objects.count() == 12
    assert Premise.objects.count() == 12
    assert BillCycle.objects.count() == 2
    assert Route.objects.count() == 3
    assert Meter.objects.count() == ServicePoint.objects.count() == MeterInstallation.objects.count() == 13
    assert Account.objects.count() == 13
    assert Read.objects.count() == 170
    assert set(Read.objects.values_list("source", "status").distinct()) == {
        (ReadSource.CONVERSION, ReadStatus.ACCEPTED)
    }
    assert LegacyBill.objects.count() == 144
    assert AutopayEnrolment.objects.count() == 2
    assert OpeningBalance.objects.count() == len({r["legacy_account_number"] for r in _csv("open_items.csv")})
    statuses = sorted(Account.objects.values_list("legacy_number", "status"))
    assert ("10008", "final") in statuses and ("10009", "closed") in statuses
    assert sum(1 for _, s in statuses if s == "active") == 11
    # One audit row per table written, and one for the conversion.
    tables = AuditEvent.objects.filter(action="conversion.table")
    assert {e.changes["table"][1] for e in tables} >= {
        "customers_account",
        "metering_read",
        "billing_legacybill",
    }
    assert AuditEvent.objects.get(action="conversion.converted").reason == "Conversion as of 2026-11-30"


def test_new_check_digit_numbers_keep_the_legacy_number_findable(converted):
    numbers = list(Account.objects.order_by("id").values_list("number", "legacy_number"))
    assert [legacy for _, legacy in numbers] == [r["legacy_account_number"] for r in _csv("accounts.csv")]
    assert all(not check_digit_fails(number) and number != legacy for number, legacy in numbers)
    assert len({number for number, _ in numbers}) == 13
    found = [account for _, account in account_search("10007")]
    assert [a.legacy_number for a in found] == ["10007"]


def test_balances_and_aging_equal_the_open_items(converted):
    items = defaultdict(list)
    for row in _csv("open_items.csv"):
        items[row["legacy_account_number"]].append(
            Movement(AS_OF, Decimal(row["amount"]), date.fromisoformat(row["due_date"]))
        )
    for legacy, rows in items.items():
        account = _account(legacy)
        assert ledger_selectors.account_balance(account) == sum(m.amount for m in rows)
        assert OpeningBalance.objects.get(account=account).amount == sum(m.amount for m in rows)
    # 10007: three charges past due by 1-30, 31-60 and 61-90 days on the conversion date, as the files say.
    aging = ledger_selectors.account_aging(_account("10007"), AS_OF)
    expected = reconciliation.receivable_by_bucket({"10007": items["10007"]}, AS_OF)
    for bucket, figure in reconciliation.BUCKET_FIGURES.items():
        assert aging[bucket] == expected[figure]
    assert aging["1_30"] > 0 and aging["31_60"] > 0 and aging["61_90"] > 0


def test_deposits_held_without_a_receivable_line(converted):
    held = {r["legacy_account_number"]: Decimal(r["deposit_held"]) for r in _csv("accounts.csv")}
    by_id = ledger_selectors.deposits_held([a.pk for a in Account.objects.all()])
    for legacy, amount in held.items():
        assert by_id.get(_account(legacy).pk, Decimal("0.00")) == amount
    assert held["10004"] == Decimal("200.00")
    deposit_entries = JournalEntry.objects.filter(source_kind="opening_deposit")
    assert deposit_entries.count() == 3
    assert not JournalLine.objects.filter(entry__in=deposit_entries, gl_account__receivable=True).exists()
    assert JournalLine.objects.filter(
        entry__in=deposit_entries, gl_account__role=GLRole.OPENING_BALANCES
    ).aggregate(t=Sum("amount"))["t"] == Decimal("600.00")


def test_autopay_enrolments_decrypt(converted):
    done = AutopayEnrolment.objects.get(account=_account("10001"))
    assert secrets.decrypt(done.bank_account_encrypted) == "000123456789"
    assert (done.routing_number, done.status, done.live_from) == ("122000661", EnrolmentStatus.ACTIVE, AS_OF)
    pending = AutopayEnrolment.objects.get(account=_account("10012"))
    assert secrets.decrypt(pending.bank_account_encrypted) == "88001234"
    assert pending.status == EnrolmentStatus.PRENOTE
    assert pending.debits.filter(prenote=True).count() == 1


def test_the_books_verify(converted):
    out = StringIO()
    call_command("verify_ledger", stdout=out)  # raises CommandError on any breach
    assert "every rule holds" in out.getvalue()


def test_an_active_accounts_next_bill_starts_at_its_last_converted_read(converted, district):
    account = _account("10001")
    meter = Meter.objects.get(serial="BD-1040001")
    last = Read.objects.filter(meter=meter).order_by("-read_on").first()
    assert last.read_on == date(2026, 11, 5)
    supervisor = district.biller
    with clock.on(date(2026, 12, 5)):
        metering.read_record(
            actor=supervisor, meter=meter, read_on=date(2026, 12, 5), value=last.value + 9, source="handheld"
        )
        run = billing.bill_run_create(actor=supervisor, cycle=BillCycle.objects.get(code="C01"),
                                      period_end=date(2026, 12, 5))  # fmt: skip
        billing.bill_run_calculate(actor=supervisor, run=run)
    item = BillRunItem.objects.get(run=run, account=account)
    assert not item.has_exceptions, item.exceptions
    assert item.period_start == date(2026, 11, 5)
    assert item.units == Decimal("9.00")


def test_converted_reads_after_the_conversion_date_are_the_next_bills(admin, district):
    """As of 11/04 the previous system had billed to the October reads: the 11/05 read, converted too, closes
    the first bill here."""
    with clock.on(date(2026, 11, 4)):
        convert(actor=admin, folder=GOOD, as_of=date(2026, 11, 4), dry_run=False)
    assert district_settings().converted_on == date(2026, 11, 4)
    account = _account("10001")
    reads = list(Read.objects.filter(meter__serial="BD-1040001").order_by("-read_on")[:2])
    assert [r.read_on for r in reads] == [date(2026, 11, 5), date(2026, 10, 5)]
    with clock.on(date(2026, 11, 6)):
        run = billing.bill_run_create(actor=district.biller, cycle=BillCycle.objects.get(code="C01"),
                                      period_end=date(2026, 11, 5))  # fmt: skip
        billing.bill_run_calculate(actor=district.biller, run=run)
    item = BillRunItem.objects.get(run=run, account=account)
    assert not item.has_exceptions, item.exceptions
    assert (item.period_start, item.period_end) == (date(2026, 10, 5), date(2026, 11, 5))
    assert item.units == reads[0].value - reads[1].value


def test_a_final_account_with_a_legacy_final_bill_is_final_billed(converted, district):
    """10008 stopped on 10/15/2026; the previous system's bill to 10/15 was its final bill."""
    final = _account("10008")
    assert LegacyBill.objects.filter(account=final, is_final=True).count() == 1
    cycle = BillCycle.objects.get(code="C01")
    with clock.on(date(2026, 11, 30)):
        run = billing.bill_run_create(actor=district.biller, cycle=cycle, period_end=date(2026, 11, 5))
        billing.bill_run_calculate(actor=district.biller, run=run)
        assert BillRunItem.objects.get(run=run, account=final).disposition == "final_billed"
        billing.bill_run_approve(actor=district.approver, run=run)
        billing.bill_run_post(actor=district.biller, run=run)
    with clock.on(date(2026, 12, 30)):  # long past the district's days to a final bill
        assert final.pk not in {row["account"].pk for row in unbilled.accounts_not_billed()}
        assert unbilled.held_from_billing(final.pk) is None


def test_the_reconciliation_report(converted):
    report = converted.report
    assert set(report) == {"as_of", "files", "totals", "differences"}
    assert report["as_of"] == "2026-11-30"
    files = {f["file"]: f for f in report["files"]}
    assert files["reads.csv"] == {"file": "reads.csv", "read": 170, "loaded": 170, "refused": 0,
                                  "ignored_columns": []}  # fmt: skip
    totals = {t["figure"]: t for t in report["totals"]}
    assert totals["accounts_active"]["loaded"] == "11"
    assert totals["deposits_held"] == {
        "figure": "deposits_held", "label": "Deposits held", "legacy": "600.00", "in_files": "600.00",
        "loaded": "600.00", "difference": None,
    }  # fmt: skip
    assert totals["accounts_cycle_C01"]["legacy"] is None
    assert any(k.startswith("meters_size_") for k in totals)
    assert report["differences"] == []


def test_a_legacy_total_that_disagrees_is_a_difference(admin):
    with clock.on(AS_OF):
        run = convert(actor=admin, folder=GOOD, as_of=AS_OF, dry_run=True, legacy_totals={"meters": "14"})
    meters = next(t for t in run.report["totals"] if t["figure"] == "meters")
    assert (meters["legacy"], meters["in_files"], meters["loaded"], meters["difference"]) == (
        "14",
        "13",
        "13",
        "-1",
    )
    assert run.report["differences"] == ["Meters: legacy 14, in files 13, loaded 13"]


def test_a_dry_run_writes_nothing_but_reports_what_it_would_load(admin):
    with clock.on(AS_OF):
        dry = convert(actor=admin, folder=GOOD, as_of=AS_OF, dry_run=True)
    assert dry.outcome == ConversionOutcome.DRY_RUN
    assert not Account.objects.exists() and not Read.objects.exists() and not JournalEntry.objects.exists()
    assert not ServiceEvent.objects.exists() and not BillCycle.objects.exists()
    with clock.on(AS_OF):
        real = convert(actor=admin, folder=GOOD, as_of=AS_OF, dry_run=False)
    assert dry.report["totals"] == real.report["totals"]
    assert dry.report["files"] == real.report["files"]


def test_a_database_with_accounts_is_refused(converted, admin):
    with clock.on(AS_OF), pytest.raises(ConversionError) as refused:
        convert(actor=admin, folder=GOOD, as_of=AS_OF, dry_run=False)
    assert refused.value.run.outcome == ConversionOutcome.REFUSED
    assert refused.value.run.errors[0].startswith("The database already holds accounts")
    assert Account.objects.count() == 13


def test_the_command(admin):
    out = StringIO()
    with clock.on(AS_OF):
        call_command("convert", str(GOOD), "--as-of", "2026-11-30", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[-1].startswith("Dry run: nothing written")
    assert "Reconciliation as of 2026-11-30" in text and "Differences: none" in text
    with clock.on(AS_OF):
        call_command("convert", str(GOOD), "--as-of", "2026-11-30", "--user", admin.username, stdout=out)
    assert (
        out.getvalue().splitlines()[-1].startswith("Converted: 13 accounts, 13 meters, 170 reads, 144 bills")
    )
    out = StringIO()
    with clock.on(AS_OF), pytest.raises(CommandError):
        call_command("convert", str(GOOD), "--as-of", "2026-11-30", stdout=out)
    assert out.getvalue().splitlines() == [
        "The database already holds accounts: a conversion loads an empty district (start from a fresh database).",
        "1 error",
    ]
    assert ConversionRun.objects.filter(outcome=ConversionOutcome.REFUSED).count() == 1


def test_only_a_converter_may_convert(district, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        convert(actor=make_user(roles.CSS_I), folder=GOOD, as_of=AS_OF, dry_run=True)
