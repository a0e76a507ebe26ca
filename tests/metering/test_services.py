"""Reads, reviews, estimates, installs and change-outs through the services, as the pages use them."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core.models import AuditEvent
from cistern.metering import services
from cistern.metering.models import Meter, MeterInstallation, Read, ReadKind, ReadStatus, ServicePoint

from .conftest import month

pytestmark = pytest.mark.django_db


def record(actor, installation, when, value, **kwargs):
    return services.read_record(
        actor=actor, meter=installation.meter, read_on=when, value=value, source="handheld", **kwargs
    )


# --- read_record ------------------------------------------------------------------------------------------


def test_a_normal_read_is_accepted_with_its_consumption(install, supervisor):
    account, inst = install(initial="100")
    read = record(supervisor, inst, month(0), "111")
    assert (read.status, read.consumption, read.problems) == (ReadStatus.ACCEPTED, D("11"), [])
    assert (read.account, read.installation) == (account, inst)
    assert AuditEvent.objects.filter(action="read.record").count() == 1


def test_a_read_with_problems_waits_as_an_exception(install, supervisor, history):
    _, inst = install()
    history(inst, [10, 10, 10])
    read = record(supervisor, inst, month(3), "30")  # 0 used on an active account
    assert read.status == ReadStatus.EXCEPTION and [p["code"] for p in read.problems] == ["zero_usage"]
    high = record(supervisor, inst, month(4), "90")
    assert high.status == ReadStatus.EXCEPTION and [p["code"] for p in high.problems] == ["high"]


def test_an_unknown_meter_is_refused_and_nothing_is_stored(supervisor):
    with pytest.raises(services.ReadRejected, match="No meter with this serial"):
        services.read_record(actor=supervisor, meter=None, read_on=month(0), value="5", source="manual")
    assert not Read.objects.exists()


def test_read_record_refuses_bad_values_and_users_without_permission(install, supervisor, make_user):
    _, inst = install()
    with pytest.raises(services.MeteringError, match="not a register value"):
        record(supervisor, inst, month(0), "-4")
    with pytest.raises(PermissionDenied):
        record(make_user(None), inst, month(0), "4")


# --- accept / reject / estimate ---------------------------------------------------------------------------


@pytest.fixture
def exception_read(install, supervisor, history):
    _, inst = install()
    history(inst, [10, 12, 14])  # months 0-2: 02/02/2025 .. 04/02/2025, register at 36
    read = record(supervisor, inst, month(3), "36")  # zero usage: an exception
    assert read.status == ReadStatus.EXCEPTION
    return read


def test_accept_and_reject_need_a_reason_and_happen_once(exception_read, css2):
    with pytest.raises(services.MeteringError, match="Say why"):
        services.read_accept(actor=css2, read=exception_read, reason="  ")
    read = services.read_accept(actor=css2, read=exception_read, reason="Vacant for a month, called owner")
    assert (read.status, read.reviewed_by) == (ReadStatus.ACCEPTED, css2)
    with pytest.raises(services.MeteringError, match="already accepted"):
        services.read_reject(actor=css2, read=exception_read, reason="Changed my mind")
    event = AuditEvent.objects.get(action="read.accept")
    assert event.reason == "Vacant for a month, called owner"


def test_reject_and_permission(exception_read, css1, css2):
    with pytest.raises(PermissionDenied):
        services.read_reject(actor=css1, read=exception_read, reason="No")
    read = services.read_reject(actor=css2, read=exception_read, reason="Reader keyed the old value")
    assert read.status == ReadStatus.REJECTED


def test_accept_refused_when_another_read_that_day_is_accepted(install, supervisor, css2):
    _, inst = install()
    record(supervisor, inst, month(0), "10")
    second = record(supervisor, inst, month(0), "11")  # a duplicate: an exception
    assert [p["code"] for p in second.problems] == ["duplicate"]
    with pytest.raises(services.MeteringError, match="already accepted"):
        services.read_accept(actor=css2, read=second, reason="Reader says so")


def test_estimate_replaces_the_exception_from_the_recent_average(exception_read, css2):
    estimated = services.read_estimate(actor=css2, read=exception_read, reason="Gate locked, dog")
    exception_read.refresh_from_db()
    assert exception_read.status == ReadStatus.REJECTED
    assert (estimated.kind, estimated.source, estimated.status) == ("estimated", "estimate", "accepted")
    # 03/02 -> 04/02 -> 05/02: recent average (10 + 12 + 14) / 3 = 12 units per 30 days, 30 days here.
    assert (estimated.read_on, estimated.consumption, estimated.value) == (month(3), D("12"), D("48"))
    assert estimated.account_id == exception_read.account_id
    assert AuditEvent.objects.filter(action="read.estimate", reason="Gate locked, dog").exists()


def test_estimate_prefers_the_same_period_last_year(install, supervisor, history, css2):
    _, inst = install()
    reads = history(inst, [10, 10, 10, 10, 18] + [10] * 11)  # months 0..15; 06/02/2025 used 18
    read = record(supervisor, inst, month(16), str(reads[-1].value))  # a zero read on 06/02/2026
    assert read.status == ReadStatus.EXCEPTION and read.read_on == date(2026, 6, 2)
    assert reads[4].read_on == date(2025, 6, 2)
    estimated = services.read_estimate(actor=css2, read=read, reason="Meter buried")
    assert estimated.consumption == D("19")  # 18 last year, scaled to the 31 days since 05/02
    assert "same period last year" in estimated.note


def test_estimate_refused_without_history(install, supervisor, css2):
    _, inst = install()
    first = record(supervisor, inst, month(0), "0")  # zero usage against the initial value only
    assert first.status == ReadStatus.EXCEPTION
    with pytest.raises(services.MeteringError, match="no read history"):
        services.read_estimate(actor=css2, read=first, reason="Estimate please")
    first.refresh_from_db()
    assert first.status == ReadStatus.EXCEPTION  # nothing changed


def test_estimate_refused_when_not_an_exception_or_not_the_latest(exception_read, supervisor, css2, css1):
    with pytest.raises(PermissionDenied):
        services.read_estimate(actor=css1, read=exception_read, reason="x")
    with pytest.raises(services.MeteringError, match="Say why"):
        services.read_estimate(actor=css2, read=exception_read, reason="")
    record(supervisor, exception_read.installation, month(4), "48")
    with pytest.raises(services.MeteringError, match="only replace the latest read"):
        services.read_estimate(actor=css2, read=exception_read, reason="Too late")
    services.read_reject(actor=css2, read=exception_read, reason="Superseded")
    with pytest.raises(services.MeteringError, match="already rejected"):
        services.read_estimate(actor=css2, read=exception_read, reason="x")


def test_an_estimate_is_trued_up_by_the_next_actual_read(exception_read, supervisor, css2):
    estimated = services.read_estimate(actor=css2, read=exception_read, reason="Could not reach the meter")
    assert estimated.value == D("48")
    actual = record(supervisor, exception_read.installation, month(4), "60")
    # The real use over two months was 60 - 36 = 24: 12 estimated, 12 measured from the estimate.
    assert (actual.status, actual.consumption) == (ReadStatus.ACCEPTED, D("12"))
    low = record(supervisor, exception_read.installation, month(5), "70")
    total = Read.objects.filter(
        installation=exception_read.installation, status="accepted", read_on__gt=month(2)
    ).values_list("consumption", flat=True)
    assert sum(total) == D("70") - D("36") and low.consumption == D("10")


def test_an_overestimate_shows_up_as_a_backwards_read(exception_read, supervisor, css2):
    services.read_estimate(actor=css2, read=exception_read, reason="Could not reach the meter")
    actual = record(supervisor, exception_read.installation, month(4), "40")  # used only 4 since
    assert actual.status == ReadStatus.EXCEPTION and [p["code"] for p in actual.problems] == ["negative"]


# --- installs and change-outs ----------------------------------------------------------------------------


def test_meter_install_records_the_initial_read(install):
    account, inst = install(initial="250")
    initial = Read.objects.get(installation=inst)
    assert (initial.kind, initial.value, initial.consumption, initial.account) == (
        ReadKind.INITIAL, D("250"), D("0"), account,
    )  # fmt: skip
    assert Meter.objects.get(pk=inst.meter_id).status == "installed"


def test_meter_install_refusals(install, supervisor, meter_factory, css1):
    account, inst = install()
    with pytest.raises(services.MeteringError, match="already installed"):
        services.meter_install(actor=supervisor, meter=meter_factory(), service_point=inst.service_point,
                               installed_on=date(2025, 3, 1), initial_value="0")  # fmt: skip
    other = ServicePoint.objects.create(premise=account.premise, kind="irrigation")
    with pytest.raises(services.MeteringError, match="not in stock"):
        services.meter_install(actor=supervisor, meter=inst.meter, service_point=other,
                               installed_on=date(2025, 3, 1), initial_value="0")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.meter_install(actor=css1, meter=meter_factory(), service_point=other,
                               installed_on=date(2025, 3, 1), initial_value="0")  # fmt: skip


def test_consumption_across_a_change_out(install, supervisor, history, meter_factory):
    _, old = install(dials=4, initial="9950")
    history(old, [20, 20])  # 9970, 9990
    new_meter = meter_factory(dials=6)
    new = services.meter_change_out(
        actor=supervisor, service_point=old.service_point, on=date(2025, 3, 20), old_final_value="5",
        new_meter=new_meter, new_initial_value="0",
    )  # fmt: skip
    old.refresh_from_db()
    assert (old.removed_on, old.final_value) == (date(2025, 3, 20), D("5"))
    final = Read.objects.get(installation=old, kind=ReadKind.FINAL)
    assert (final.status, final.consumption) == ("accepted", D("15"))  # rolled over 9990 -> 5
    after = record(supervisor, new, month(2), "9")
    assert (after.installation, after.consumption) == (new, D("9"))
    # Across the change: old meter 9990 -> final 5 (15 units) plus new meter 0 -> 9 (9 units).
    total = final.consumption + after.consumption
    assert total == D("24")
    assert Meter.objects.get(pk=old.meter_id).status == "retired"
    assert (
        MeterInstallation.objects.filter(service_point=old.service_point, removed_on__isnull=True).get()
        == new
    )


def test_change_out_refuses_a_backwards_final_read(install, supervisor, history, meter_factory):
    _, old = install(initial="500")
    history(old, [20])
    with pytest.raises(services.MeteringError, match="final read fails validation"):
        services.meter_change_out(
            actor=supervisor, service_point=old.service_point, on=date(2025, 3, 20), old_final_value="100",
            new_meter=meter_factory(), new_initial_value="0",
        )  # fmt: skip
    assert not Read.objects.filter(kind=ReadKind.FINAL).exists()
    assert MeterInstallation.objects.get(pk=old.pk).removed_on is None


def test_a_back_dated_read_is_older_than_the_last_and_counts_nothing(install, supervisor):
    from cistern.metering.services import read_record

    account, installation = install()
    meter = installation.meter
    read_record(actor=supervisor, meter=meter, read_on=date(2025, 2, 2), value="10", source="handheld")
    read_record(actor=supervisor, meter=meter, read_on=date(2025, 4, 2), value="30", source="handheld")
    late = read_record(actor=supervisor, meter=meter, read_on=date(2025, 3, 2), value="20", source="handheld")
    assert late.status == "exception" and late.consumption is None
    assert [p["code"] for p in late.problems] == ["older_than_last"]
