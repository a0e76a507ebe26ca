"""The bulk import and read_record() give every read the same verdict on the same data."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from cistern.customers import services as customer_services
from cistern.metering import batch, imports, services
from cistern.metering.batch import reads_import
from cistern.metering.models import Meter, Read, ServicePoint

from . import test_import

HEADER = test_import.HEADER
clerk, installer, meter_at = test_import.clerk, test_import.installer, test_import.meter_at  # the fixtures

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _district(meter_at, installer, css2, start_account, premise_factory):
    """Meters in different situations, with some history recorded through read_record."""
    meters = {
        "ACTIVE": meter_at(serial="ACTIVE", installed_on=date(2025, 1, 2)),
        "IDLE": meter_at(serial="IDLE", installed_on=date(2025, 1, 2), account=False),
        "SMALL": meter_at(
            serial="SMALL", installed_on=date(2025, 1, 2), dials=4, multiplier="2.5", initial="9000"
        ),
        "LATE": meter_at(
            serial="LATE", installed_on=date(2025, 9, 15)
        ),  # reads before it are of no installation
    }
    # An account that stops mid-way, and a new one after a gap.
    premise = premise_factory()
    first = start_account(premise=premise, start_date=date(2025, 1, 1))
    customer_services.service_stop(
        actor=css2, account=first, stop_date=date(2025, 8, 20),
        forwarding={"street": "1 Main St", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    start_account(premise=premise, start_date=date(2025, 10, 1))
    meters["MOVER"] = meter_at(premise=premise, serial="MOVER", installed_on=date(2025, 1, 2))
    # A change-out: CHANGED goes out on 06/10/2025, NEWONE comes in.
    meters["CHANGED"] = meter_at(serial="CHANGED", installed_on=date(2025, 1, 2))
    for month in range(2, 5):  # history before the change-out, through read_record
        services.read_record(
            actor=installer,
            meter=meters["CHANGED"],
            read_on=date(2025, month, 2),
            value=month * 10,
            source="handheld",
        )
    new_meter = Meter.objects.create(serial="NEWONE", size="3/4")
    services.meter_change_out(
        actor=installer, service_point=ServicePoint.objects.get(installations__meter=meters["CHANGED"]),
        on=date(2025, 6, 10), old_final_value="60", new_meter=new_meter, new_initial_value="5",
    )  # fmt: skip
    meters["NEWONE"] = new_meter
    return meters


def _reads(rng: random.Random, meters) -> list[tuple[str, date, Decimal]]:
    """About 20 reads a meter over 22 months: steady use with zeros, spikes, backwards reads, rollovers,
    same-day second reads, dates before the last accepted read and before installation."""
    reads = []
    for serial, meter in meters.items():
        value = Decimal("9000") if serial == "SMALL" else Decimal("0")
        day = date(2025, 1, 20)
        for _ in range(rng.randint(14, 22)):
            day += timedelta(days=rng.randint(25, 35))
            if day > date(2026, 11, 10):
                break
            roll = rng.random()
            if roll < 0.08:
                step = Decimal(0)
            elif roll < 0.14:
                step = Decimal(rng.randint(40, 90))  # high
            elif roll < 0.2:
                step = -Decimal(rng.randint(1, 5))  # backwards
            elif roll < 0.24:
                step = Decimal(1)  # low
            else:
                step = Decimal(rng.randint(8, 14)) + Decimal(rng.randint(0, 99)) / 100
            value = value + step
            if meter.dials == 4:
                value %= 10_000  # the small register rolls over
            value = max(value, Decimal(0))
            reads.append((serial, day, value))
            if rng.random() < 0.08:  # a second read the same day
                reads.append((serial, day, value + Decimal(rng.randint(1, 3))))
            if rng.random() < 0.05:  # a late read dated before the last one
                reads.append((serial, day - timedelta(days=rng.randint(40, 70)), value + Decimal(2)))
    rng.shuffle(reads)
    return reads


def _outcome(reads_qs):
    return {
        (r.meter.serial, r.read_on, r.value): (
            r.status,
            r.consumption,
            [p["code"] for p in r.problems],
            [p["message"] for p in r.problems],
            r.installation_id,
            r.account_id,
        )  # fmt: skip
        for r in reads_qs.select_related("meter")
    }


@pytest.mark.parametrize(
    "seed,in_workers",
    [(1, False), (2, False), (3, False), (4, True)],
    ids=["seed1", "seed2", "seed3", "seed4-judged-in-worker-processes"],
)
def test_bulk_import_and_read_record_agree(
    seed, in_workers, clerk, installer, css2, meter_at, start_account, premise_factory, monkeypatch
):
    if in_workers:  # as a big file is imported: buckets judged in spawned processes while this one writes
        monkeypatch.setattr(batch, "PARALLEL_BYTES", 1)
        monkeypatch.setattr(batch, "CHUNK_ROWS", 8)
        monkeypatch.setattr(imports, "BLOCK_BYTES", 300)  # blocks of a few lines, parsed in the worker
        monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
        spawned = []
        real_pool = batch.ProcessPoolExecutor
        monkeypatch.setattr(
            batch, "ProcessPoolExecutor", lambda **kw: spawned.append(kw["max_workers"]) or real_pool(**kw)
        )
    meters = _district(meter_at, installer, css2, start_account, premise_factory)
    reads = _reads(random.Random(seed), meters)
    keys = {(s, d, v) for s, d, v in reads}
    assert len(keys) == len(reads)  # identical reads would be skipped by the import
    ordered = sorted(enumerate(reads), key=lambda item: (item[1][0], item[1][1], item[0]))
    existing = set(Read.objects.values_list("pk", flat=True))

    with pytest.raises(_Undo), transaction.atomic():
        for _, (serial, day, value) in ordered:
            services.read_record(
                actor=installer, meter=meters[serial], read_on=day, value=value, source="handheld"
            )
        one_by_one = _outcome(Read.objects.exclude(pk__in=existing))
        raise _Undo

    assert not Read.objects.exclude(pk__in=existing).exists()
    content = HEADER + "".join(f"{s},{d.isoformat()},{v},handheld,,\n" for s, d, v in reads)
    result = reads_import(actor=clerk, file_name=f"agree-{seed}.csv", content=content.encode())
    in_bulk = _outcome(Read.objects.filter(read_import=result.read_import))

    assert len(one_by_one) == len(reads) == result.rows
    statuses = [v[0] for v in one_by_one.values()]
    assert statuses.count("accepted") > 10 and statuses.count("exception") > 10  # the data is varied
    codes = {c for v in one_by_one.values() for c in v[2]}
    assert {"high", "negative", "duplicate", "usage_inactive", "not_installed"} <= codes
    for key, expected in one_by_one.items():
        assert in_bulk[key] == expected, key
    if in_workers:
        assert spawned == [batch.MAX_WORKERS]
