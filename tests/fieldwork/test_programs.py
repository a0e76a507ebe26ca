"""Special programs (preview, then create in one go) and new connections."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cistern.fieldwork import selectors, services
from cistern.fieldwork.models import ConnectionApplication, ServiceOrder
from cistern.metering import services as metering
from cistern.metering.models import Meter, MeterInstallation

from . import helpers


def _active(turn_on, boss, tech):
    services.order_schedule(actor=boss, order=turn_on, scheduled_on=date(2026, 11, 2), technician=tech)
    services.order_complete(
        actor=tech, order=turn_on, completion=services.Completion(on=date(2026, 11, 2), read_value="120")
    )


def test_zero_read_program_previews_then_creates(pending, turn_on, boss, tech):
    account, point, meter = pending
    _active(turn_on, boss, tech)
    for month in (12, 1, 2):
        on = date(2026 if month == 12 else 2027, month, 2)
        read = metering.read_record(actor=boss, meter=meter, read_on=on, value="120", source="handheld")
        assert [p["code"] for p in read.problems] == ["zero_usage"]
        metering.read_accept(actor=boss, read=read, reason="Vacation home, confirmed")
    assert selectors.zero_read_candidates(reads=4) == []  # the turn-on read used 20 units
    (candidate,) = selectors.zero_read_candidates(reads=3)
    assert (candidate.account_id, candidate.service_point_id) == (account.pk, point.pk)
    orders = services.program_run(actor=boss, program="zero_read", params={"reads": 3}, keys=[candidate.key])
    assert [(o.order_type.code, o.account_id, o.origin) for o in orders] == [
        ("zero_read", account.pk, "program")
    ]
    # A live order takes the premise off the list: running again creates nothing.
    assert selectors.zero_read_candidates(reads=3) == []
    assert (
        services.program_run(actor=boss, program="zero_read", params={"reads": 3}, keys=[candidate.key]) == []
    )


def test_meter_replacement_by_age_size_and_make(start_account, premise_factory, boss):
    old_premise, new_premise = premise_factory(), premise_factory()
    helpers.meter_at(old_premise, actor=boss, serial="OLD-1", installed_on=date(2005, 3, 1))
    helpers.meter_at(new_premise, actor=boss, serial="NEW-1", installed_on=date(2024, 3, 1))
    found = selectors.meter_replacement_candidates(years=15, today=date(2026, 11, 1))
    assert [c.premise_id for c in found] == [old_premise.pk]
    assert selectors.meter_replacement_candidates(years=15, size="1", today=date(2026, 11, 1)) == []
    assert selectors.meter_replacement_candidates(years=15, make="Neptune", today=date(2026, 11, 1)) == []
    assert len(selectors.meter_replacement_candidates(years=15, make="badger", today=date(2026, 11, 1))) == 1


def test_re_read_program_only_creates_what_the_clerk_confirmed(pending, boss, premise_factory):
    _, _, meter = pending
    other_point, other_meter = helpers.meter_at(premise_factory(), actor=boss, serial="M-2")
    first = metering.read_record(
        actor=boss, meter=meter, read_on=date(2026, 10, 15), value="50", source="manual"
    )
    second = metering.read_record(
        actor=boss, meter=other_meter, read_on=date(2026, 10, 15), value="50", source="manual"
    )
    keys = [c.key for c in selectors.reread_candidates()]
    assert keys == [f"r{first.pk}", f"r{second.pk}"]
    (order,) = services.program_run(actor=boss, program="reread", params={}, keys=[f"r{second.pk}"])
    assert order.source_read == second and order.service_point == other_point
    assert [c.key for c in selectors.reread_candidates()] == [f"r{first.pk}"]


def test_programs_need_their_permission(css1):
    with pytest.raises(PermissionDenied):
        services.program_run(actor=css1, program="reread", params={}, keys=[])


def test_a_new_connection_records_charges_and_a_meter_install_order_that_installs(boss, tech):
    application = services.connection_apply(
        actor=boss, street="77 Mesa Rd", city="Joshua Tree", zip_code="92252", applicant_name="Desert Homes LLC",
        applicant_phone="760-555-0100", meter_size="1", capacity_charge="4,200.00", meter_installation_fee="650",
    )  # fmt: skip
    application = ConnectionApplication.objects.get(pk=application.pk)
    assert application.job_number.startswith("NC-")
    assert (application.capacity_charge, application.meter_installation_fee) == (
        Decimal("4200.00"),
        Decimal("650.00"),
    )
    order = application.order
    assert (order.order_type.code, order.premise, order.origin) == (
        "meter_install",
        application.premise,
        "connection",
    )
    assert order.service_point.premise == application.premise
    Meter.objects.create(serial="NC-M1", size="1")
    services.order_schedule(actor=boss, order=order, scheduled_on=date(2026, 11, 5), technician=tech)
    services.order_complete(
        actor=tech, order=order,
        completion=services.Completion(on=date(2026, 11, 5), new_meter_serial="NC-M1", new_initial_value="0"),
    )  # fmt: skip
    installation = MeterInstallation.objects.get(service_point=order.service_point)
    assert (
        installation.meter.serial == "NC-M1"
        and ServiceOrder.objects.get(pk=order.pk).installation == installation
    )


def test_a_new_connection_refuses_negative_charges(boss):
    with pytest.raises(services.FieldworkError, match="negative"):
        services.connection_apply(
            actor=boss, street="1 A St", city="JT", zip_code="92252", applicant_name="X", meter_size="1",
            capacity_charge="-1", meter_installation_fee="0",
        )  # fmt: skip
