"""The go-live rehearsal end to end (docs/go-live.md): a small demo district is seeded and exported as its previous
system would export it, the database emptied, the district's configuration loaded alone, the folder converted
as of the cutover the export names, the reads read since imported, and the last period's bills compared with the
previous system's. What the export put in on purpose comes back as warnings, the converted books equal the
export's trial balance, and the only differences in the parallel period are the bills the old system rounded
once per bill."""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from cistern.billing.models import BillCycle
from cistern.conversion.models import ConversionRun, ParallelRun
from cistern.core import clock, roles
from cistern.customers.models import Account
from cistern.demo import legacy_export, loader
from cistern.ledger.verify import breaches
from cistern.metering import services as metering
from cistern.metering.models import Read, ReadStatus

TODAY = date(2026, 11, 26)
# Measured: 60 accounts with 4 months of history seed in about 2 minutes on a quiet 2-core machine; 13 months
# take three times as long and add nothing the last period needs (two posted runs of every cycle).
ACCOUNTS, HISTORY_MONTHS, SEED = 60, 4, 21
pytestmark = pytest.mark.django_db


def _readme(folder) -> dict[str, str]:
    text = (folder / "README.txt").read_text()
    return dict(re.findall(r"^(\w+): (\S+)$", text, re.MULTILINE))


def test_the_demo_district_converts_and_bills_the_last_period_as_its_previous_system_did(tmp_path):
    with clock.on(TODAY):
        with transaction.atomic():
            loader.seed_district(accounts=ACCOUNTS, seed=SEED, history_months=HISTORY_MONTHS, today=TODAY)
            exported = legacy_export.export(tmp_path, today=TODAY)
            transaction.set_rollback(True)
        assert not Account.objects.exists() and not BillCycle.objects.exists()

        readme = _readme(tmp_path)
        cutover, period_end, cycle = (
            readme["cutover"],
            readme["parallel_period_end"],
            readme["parallel_cycle"],
        )
        assert (cutover, period_end, cycle) == (
            exported.cutover.isoformat(), exported.period_end.isoformat(), exported.cycle,
        )  # fmt: skip

        call_command("seed_district", config_only=True, stdout=StringIO())
        admin = get_user_model().objects.create_user("go-live-admin", password="not-a-demo-Password-1")
        admin.groups.add(Group.objects.get(name=roles.BILLING_ADMIN))
        lead = get_user_model().objects.create_user("go-live-lead", password="not-a-demo-Password-1")
        lead.groups.add(Group.objects.get(name=roles.CSS_II))

        converted = StringIO()
        call_command("convert", str(tmp_path), as_of=cutover, user=admin.username, stdout=converted)
        out = converted.getvalue()
        warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
        phones = [w for w in warnings if ":phone: " in w]
        # Every format but Cistern's own, "(760) 366-8438", is read and normalised with a warning.
        for shape in (
            r'"\d{3}-\d{3}-\d{4}"',
            r'"\d{3}\.\d{3}\.\d{4}"',
            r'"\d{10}"',
            r'"\+1 \d{3} \d{3} \d{4}"',
        ):
            assert any(re.search(shape + r" read as \(\d{3}\) \d{3}-\d{4}", w) for w in phones), shape
        for first, second in exported.duplicate_customers:
            assert any(f"customers {first}, {second} have the same name" in w for w in warnings), (
                first,
                second,
            )
        assert any(f"meter {exported.spare_meter} looks inactive" in w for w in warnings)
        run = ConversionRun.objects.get()
        assert run.outcome == "converted"

        # The converted books equal the export's trial balance, figure by figure.
        figures = dict(
            line.split(",") for line in (tmp_path / "trial_balance.csv").read_text().splitlines()[1:]
        )
        loaded = {row["figure"]: row["loaded"] for row in run.report["totals"]}
        for figure, amount in figures.items():
            assert Decimal(loaded[figure]) == Decimal(amount), figure
        assert run.report["differences"] == []
        assert breaches() == []

        # The meter readers' files since the cutover, reviewed by a lead as on any read day.
        call_command(
            "import_reads",
            str(tmp_path / legacy_export.READS_AFTER_CUTOVER),
            user=admin.username,
            stdout=StringIO(),
        )
        for read in Read.objects.filter(status=ReadStatus.EXCEPTION):
            metering.read_accept(actor=lead, read=read, reason="Reviewed before billing: the read stands")

        compared = StringIO()
        call_command("parallel_bills", str(tmp_path), period_end=period_end, cycle=cycle, user=admin.username,
                     stdout=compared)  # fmt: skip
    parallel = ParallelRun.objects.get()
    counts = parallel.result["counts"]
    assert {reason: n for reason, n in counts.items() if n and reason != "rounding"} == {}
    assert counts["rounding"] == exported.rounded_in_period
    assert all(d["reason"] == "rounding" for d in parallel.result["differences"])
    assert parallel.compared == exported.bills_in_period
    last = compared.getvalue().splitlines()[-1]
    matched = exported.bills_in_period - exported.rounded_in_period
    assert last == f"{matched} of {exported.bills_in_period} bills match to the cent"
