"""parallel_bills end to end: a small demo district, reads imported for one cycle's next period, the previous
system's bills.csv written equal to Cistern's trial but for five deliberate differences; the command and the
pages compare them, and nothing is posted. The district is seeded once for the module."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Max

from cistern.billing.models import Bill, BillCycle, BillRun, BillRunItem, RunStatus
from cistern.conversion import parallel, parallel_run
from cistern.conversion.models import ParallelRun
from cistern.conversion.parallel_run import cistern_side, known_fees
from cistern.core import clock, roles
from cistern.customers.models import Account
from cistern.demo.billing import user
from cistern.demo.loader import seed_district
from cistern.ledger.models import JournalEntry
from cistern.metering import batch
from cistern.metering import services as metering
from cistern.metering.models import MeterInstallation, Read, ReadStatus

TODAY = date(2026, 11, 26)
pytestmark = pytest.mark.django_db
HEADER = ",".join(parallel.BILL_COLUMNS)
LEGACY_ONLY = ("L-9999999", Decimal("999.99"))


def _next_period(cycle: BillCycle) -> tuple[date, date]:
    """The cycle's last posted period end and the one after it (its read day a month later)."""
    last = BillRun.objects.filter(cycle=cycle, status=RunStatus.POSTED).aggregate(d=Max("period_end"))["d"]
    month = (last.replace(day=1) + timedelta(days=32)).replace(day=cycle.read_day)
    return last, month


def _cycle_read_through() -> BillCycle:
    """The cycle with the most bills among those billed through their last read (their next period is not read
    yet): the demo leaves its first cycle's last run as a trial, and a cycle read but not billed yet already
    has its next reads."""
    found = []
    for cycle in BillCycle.objects.order_by("code"):
        posted = BillRun.objects.filter(cycle=cycle, status=RunStatus.POSTED).aggregate(d=Max("period_end"))[
            "d"
        ]
        read = Read.objects.filter(installation__service_point__route__cycle_route__cycle=cycle).aggregate(
            d=Max("read_on")
        )["d"]
        if posted is not None and posted == read:
            found.append((Bill.objects.filter(run__cycle=cycle).count(), cycle.code, cycle))
    assert found, "No cycle of the demo district is billed through its last read."
    return max(found)[2]


def _import_reads(cycle: BillCycle, period_end: date, lead) -> int:
    """Every meter in service on the cycle's routes read on `period_end`, through the read import."""
    installations = MeterInstallation.objects.filter(
        service_point__route__cycle_route__cycle=cycle, removed_on__isnull=True
    ).select_related("meter")
    lines = ["meter_serial,read_date,value,source"]
    for i, inst in enumerate(installations.order_by("id")):
        last = (
            Read.objects.filter(installation=inst, status=ReadStatus.ACCEPTED)
            .order_by("-read_on", "-id")
            .first()
        )
        start = last.value if last is not None else inst.initial_value
        lines.append(f"{inst.meter.serial},{period_end.isoformat()},{start + 4 + i % 9},handheld")
    with clock.on(period_end + timedelta(days=1)):
        result = batch.reads_import(
            actor=lead, file_name=f"{cycle.code}-{period_end:%Y%m%d}.csv", content="\n".join(lines).encode()
        )
        for read in Read.objects.filter(read_import=result.read_import, status=ReadStatus.EXCEPTION):
            metering.read_accept(actor=lead, read=read, reason="Checked: the reading is right")
    return len(lines) - 1


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_district(accounts=60, seed=5, history_months=2, today=TODAY)
            for account in Account.objects.all():
                Account.objects.filter(pk=account.pk).update(legacy_number=f"L-{account.number}")
            lead = user("pb-lead", roles.CSS_II, "Lead")
            biller = user("pb-billing", roles.BILLING_ADMIN)
            cycle = _cycle_read_through()
            last, period_end = _next_period(cycle)
            read_count = _import_reads(cycle, period_end, lead)
            yield {
                "cycle": cycle,
                "last": last,
                "period_end": period_end,
                "biller": biller,
                "reads": read_count,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def legacy(district, tmp_path_factory):
    """bills.csv equal to Cistern's trial but for five differences, and the previous period's bills beside it."""
    period_end = district["period_end"]
    side = cistern_side([district["cycle"]], period_end=period_end)
    bills = sorted(side.bills, key=lambda b: (-b.total, b.account))
    assert len(bills) >= 5, f"{len(bills)} bills in {district['cycle'].code}'s trial"
    fee_name, fee = min((f for f in known_fees(period_end) if f[1] >= 1), key=lambda f: f[1])
    missing, with_fee, more_units, rounded = bills[0], bills[1], bills[2], bills[3]
    assert fee < missing.total < LEGACY_ONLY[1]
    rows, history = [], []
    for b in bills:
        start = period_end - timedelta(days=b.days)
        charges, units = b.total, b.units
        if b is missing:
            continue
        if b is with_fee:
            charges += fee
        elif b is more_units:
            charges, units = charges + Decimal("0.50"), units + 3
        elif b is rounded:
            charges += Decimal("0.02")
        bill_date = period_end + timedelta(days=3)
        rows.append(f"{b.legacy_number},{bill_date},{start},{period_end},{units},{charges},{charges + 12}")
        history.append(
            f"{b.legacy_number},{start + timedelta(days=3)},{start - timedelta(days=30)},{start},9,61.00,61.00"
        )
    rows.append(f"{LEGACY_ONLY[0]},{period_end + timedelta(days=3)},{period_end - timedelta(days=30)},{period_end},40,"
                f"{LEGACY_ONLY[1]},{LEGACY_ONLY[1]}")  # fmt: skip
    folder = tmp_path_factory.mktemp("legacy")
    text = "\n".join([HEADER, *history, *rows]) + "\n"
    (folder / "bills.csv").write_text(text, encoding="utf-8")
    expected = [
        (LEGACY_ONLY[0], "only_legacy", -LEGACY_ONLY[1]),
        (missing.legacy_number, "only_cistern", missing.total),
        (with_fee.legacy_number, "fee", -fee),
        (more_units.legacy_number, "units", Decimal("-0.50")),
        (rounded.legacy_number, "rounding", Decimal("-0.02")),
    ]
    return {
        "folder": folder, "text": text, "bills": bills, "expected": expected, "fee": (fee_name, fee),
        "compared": len(bills) + 1, "matched": len(bills) - 4,
    }  # fmt: skip


def _posted():
    return (
        Bill.objects.count(),
        BillRun.objects.count(),
        BillRunItem.objects.count(),
        JournalEntry.objects.count(),
    )


def _command(district, folder, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "parallel_bills", str(folder), "--period-end", district["period_end"].isoformat(), "--user", "pb-billing",
        *extra, stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_the_command_compares_and_posts_nothing(district, legacy):
    before = _posted()
    out, _ = _command(district, legacy["folder"])
    assert _posted() == before
    lines = out.rstrip("\n").split("\n")
    assert lines[-1] == f"{legacy['matched']} of {legacy['compared']} bills match to the cent"
    for reason, count in [("only_legacy", 1), ("only_cistern", 1), ("units", 1), ("days", 0), ("fee", 1),
                          ("rounding", 1), ("rate_or_size", 0), ("other", 0)]:  # fmt: skip
        assert any(line.split()[:2] == [reason, str(count)] for line in lines), reason
    run = ParallelRun.objects.get()
    assert (run.compared, run.matched, run.cycle) == (legacy["compared"], legacy["matched"], "")
    assert run.period_end == district["period_end"]
    assert run.result["cycles"] == [district["cycle"].code]
    assert run.result["legacy_rows_read"] == 2 * (len(legacy["bills"]) - 1) + 1
    found = [(d["legacy_number"], d["reason"], Decimal(d["difference"])) for d in run.result["differences"]]
    assert found == legacy["expected"]
    first = run.result["differences"][0]
    assert first["note"] == "No Cistern account has this legacy number." and first["cistern_total"] is None
    fee_name, fee = legacy["fee"]
    fee_row = run.result["differences"][2]
    assert fee_row["lines"] == [[fee_name, str(fee)]]
    assert fee_row["legacy_total"] == str(Decimal(fee_row["cistern_total"]) + fee)
    units_row = run.result["differences"][3]
    assert Decimal(units_row["legacy_units"]) == Decimal(units_row["cistern_units"]) + 3
    assert units_row["cistern_days"] == units_row["legacy_days"]
    # the largest differences are printed with Cistern's lines
    missing = legacy["bills"][0]
    at = next(i for i, line in enumerate(lines) if f"legacy {missing.legacy_number}" in line)
    assert lines[at + 1].strip() == f"{missing.lines[0][0]}: {missing.lines[0][1]}"


def test_a_malformed_row_refuses_the_comparison_with_file_line_field(district, legacy, tmp_path):
    text = legacy["text"].replace(",40,999.99", ",forty,999.99")
    (tmp_path / "bills.csv").write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.split("\n"), start=1) if ",forty," in x)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("parallel_bills", str(tmp_path), "--period-end", district["period_end"].isoformat(),
                     "--user", "pb-billing", stdout=StringIO(), stderr=err)  # fmt: skip
    assert err.getvalue().splitlines() == [f"bills.csv:{line}:units: 'forty' is not a number."]
    assert not ParallelRun.objects.exists()


def test_an_unknown_cycle_is_refused(district, legacy):
    with pytest.raises(CommandError, match="There is no bill cycle 'C99'"):
        _command(district, legacy["folder"], "--cycle", "C99")


def test_the_pages(district, legacy, client, monkeypatch):
    monkeypatch.setattr(parallel_run, "BATCH", 2)  # SQLite: accounts looked up a few at a time, all found
    client.force_login(district["biller"])
    before = _posted()
    upload = io.BytesIO(legacy["text"].encode())
    upload.name = "bills.csv"
    response = client.post(
        "/conversion/parallel/", {"bills": upload, "period_end": district["period_end"].isoformat()}
    )
    assert response.status_code == 302
    run = ParallelRun.objects.get()
    assert response["Location"] == f"/conversion/parallel/{run.pk}/"
    assert (run.compared, run.matched, run.folder) == (legacy["compared"], legacy["matched"], "bills.csv")
    assert _posted() == before
    page = client.get(response["Location"]).content.decode()
    assert f"{legacy['matched']} of {legacy['compared']} bills match to the cent" in page
    assert "Billed only by the previous system" in page and "<caption>Differences by reason</caption>" in page
    positions = [page.index(f"<td>{number}</td>") for number, _, _ in legacy["expected"]]
    assert positions == sorted(positions)
    units = client.get(f"{response['Location']}?reason=units").content.decode()
    assert legacy["expected"][3][0] in units and legacy["expected"][0][0] not in units
    assert client.get(f"{response['Location']}?reason=colour").status_code == 400
    listing = client.get("/conversion/parallel/").content.decode()
    assert f"Run {run.pk}" in listing and f"{run.result['match_rate']}%" in listing

    workbook = client.get(f"/conversion/parallel/{run.pk}/xlsx/")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    sheet = book["Differences"]
    assert [sheet.cell(r, 2).value for r in range(2, 7)] == [n for n, _, _ in legacy["expected"]]
    assert sheet.cell(2, 6).value == -999.99
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert summary["Compared"] == legacy["compared"] and summary["Units differ"] == 1


def test_a_zip_of_the_folder_and_bad_input(district, legacy, client):
    client.force_login(district["biller"])
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("legacy/bills.csv", legacy["text"])
        archive.writestr("legacy/README.txt", "not read")
    packed.seek(0)
    packed.name = "legacy.zip"
    end = district["period_end"].isoformat()
    response = client.post(
        "/conversion/parallel/", {"bills": packed, "period_end": end, "cycle": district["cycle"].code}
    )
    assert response.status_code == 302
    assert ParallelRun.objects.get().cycle == district["cycle"].code

    def post(data):
        upload = io.BytesIO(data.pop("text", legacy["text"]).encode())
        upload.name = "bills.csv"
        return client.post("/conversion/parallel/", {"bills": upload, **data})

    response = post({"period_end": "11/31/2026"})
    assert response.status_code == 400 and "period_end: " in response.content.decode()
    response = post({"period_end": end, "cycle": "C99"})
    assert response.status_code == 400 and "cycle: There is no bill cycle" in response.content.decode()
    response = post({"period_end": end, "text": legacy["text"].replace(",40,999.99", ",forty,999.99")})
    assert (
        response.status_code == 400
        and "units: &#x27;forty&#x27; is not a number." in response.content.decode()
    )
    assert ParallelRun.objects.count() == 1


def test_an_auditor_reads_but_does_not_compare(district, legacy, client, make_user):
    client.force_login(make_user(roles.AUDITOR, username="pb-auditor"))
    assert client.get("/conversion/parallel/").status_code == 200
    upload = io.BytesIO(legacy["text"].encode())
    upload.name = "bills.csv"
    end = district["period_end"].isoformat()
    assert client.post("/conversion/parallel/", {"bills": upload, "period_end": end}).status_code == 403


def test_the_workbook_runs_no_formula(district, client):
    run = ParallelRun.objects.create(
        by=district["biller"], folder="=cmd|' /C calc'!A0", period_end=date(2026, 11, 5), compared=1, matched=0,
        result={"cycles": [], "counts": {}, "match_rate": "0.00", "differences": [{
            "account": "", "legacy_number": "=HYPERLINK(\"x\")", "cistern_total": None, "legacy_total": "5.00",
            "difference": "-5.00", "reason": "only_legacy", "cistern_units": None, "legacy_units": "1",
            "cistern_days": None, "legacy_days": 30, "lines": [], "note": "@SUM(1)", "legacy_line": 2}]},
    )  # fmt: skip
    client.force_login(district["biller"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/conversion/parallel/{run.pk}/xlsx/").content))
    assert book["Differences"].cell(2, 2).value == '\'=HYPERLINK("x")'
    assert book["Differences"].cell(2, 11).value == "'@SUM(1)"
    assert book["Summary"].cell(4, 2).value == "'=cmd|' /C calc'!A0"
