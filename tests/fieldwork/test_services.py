"""Service orders through their services: every transition and refusal, and what completion writes back."""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cistern.core.models import AuditEvent
from cistern.customers import services as customers
from cistern.customers.models import AccountStatus, ContactEntry, ServiceEvent
from cistern.fieldwork import selectors, services
from cistern.fieldwork.models import OrderStatus, ServiceOrder, ServiceOrderEvent
from cistern.metering import services as metering
from cistern.metering.models import Meter, MeterInstallation, Read

from . import helpers

DAY = date(2026, 11, 2)


def complete(actor, order, **fields):
    return services.order_complete(actor=actor, order=order, completion=services.Completion(on=DAY, **fields))


def history(order):
    return list(
        ServiceOrderEvent.objects.filter(order=order).values_list("action", "from_status", "to_status")
    )


# --- start, transfer and stop create orders -------------------------------------------------------


def test_start_service_creates_a_turn_on_order_on_the_start_date(pending):
    account, point, _ = pending
    (order,) = ServiceOrder.objects.filter(account=account)
    assert order.order_type.code == "turn_on"
    assert (order.premise, order.requested_on, order.status, order.origin) == (
        account.premise,
        DAY,
        "open",
        "start",
    )
    assert order.number >= 100001
    assert history(order) == [("create", "", "open")]
    assert AuditEvent.objects.filter(action="serviceorder.create", account_id=account.pk).exists()


def test_the_meter_is_found_when_the_order_is_made(start_account, premise_factory, boss):
    premise = premise_factory()
    point, _ = helpers.meter_at(premise, actor=boss, serial="M-9")
    account = start_account(premise=premise)
    assert ServiceOrder.objects.get(account=account).service_point == point


def test_transfer_creates_a_final_read_at_the_old_premise_and_a_turn_on_at_the_new(
    pending, css1, premise_factory
):
    account, _, _ = pending
    new_premise = premise_factory()
    new = customers.service_transfer(
        actor=css1, account=account, new_premise=new_premise, transfer_date=date(2026, 12, 1),
        occupancy_type="owner", relationship="owner",
    )  # fmt: skip
    final = ServiceOrder.objects.get(account=account, order_type__code="final_read")
    turn_on = ServiceOrder.objects.get(account=new, order_type__code="turn_on")
    assert (final.premise, final.requested_on, final.origin) == (
        account.premise,
        date(2026, 12, 1),
        "transfer",
    )
    assert (turn_on.premise, turn_on.requested_on) == (new_premise, date(2026, 12, 1))


def test_stop_creates_a_final_read_on_the_stop_date(pending, css1):
    account, _, _ = pending
    customers.service_stop(
        actor=css1, account=account, stop_date=date(2026, 12, 15),
        forwarding={"street": "9 Elm", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    final = ServiceOrder.objects.get(account=account, order_type__code="final_read")
    assert (final.requested_on, final.status, final.origin) == (date(2026, 12, 15), "open", "stop")


def test_the_orders_roll_back_with_a_refused_start(pending, start_account, customer_factory):
    account, _, _ = pending
    before = ServiceOrder.objects.count()
    with pytest.raises(customers.CustomerError):
        start_account(customer=customer_factory("Someone Else"), premise=account.premise)
    assert ServiceOrder.objects.count() == before


# --- the lifecycle through the services ------------------------------------------------------------


def test_schedule_dispatch_complete_close_with_a_history_row_each(turn_on, boss, tech):
    order = services.order_schedule(
        actor=boss,
        order=turn_on,
        scheduled_on=DAY,
        window_start=time(8),
        window_end=time(10),
        technician=tech,
    )
    assert (order.status, order.technician, order.window_start) == ("scheduled", tech, time(8))
    order = services.order_dispatch(actor=boss, order=order)
    assert order.status == "dispatched"
    order = complete(tech, order, read_value="120", field_notes="Valve opened")
    assert order.status == "completed" and order.completed_by == tech and order.field_notes == "Valve opened"
    order = services.order_close(actor=boss, order=order)
    assert order.status == "closed"
    assert history(order) == [
        ("create", "", "open"), ("schedule", "open", "scheduled"), ("dispatch", "scheduled", "dispatched"),
        ("complete", "dispatched", "completed"), ("close", "completed", "closed"),
    ]  # fmt: skip
    actions = AuditEvent.objects.filter(object_type="fieldwork.serviceorder", object_id=str(order.pk))
    assert {
        "serviceorder.schedule",
        "serviceorder.dispatch",
        "serviceorder.complete",
        "serviceorder.close",
    } <= set(actions.values_list("action", flat=True))
    assert set(actions.values_list("account_id", flat=True)) == {order.account_id}


def test_rescheduling_a_dispatched_order_sends_it_back_to_scheduled(turn_on, dispatched, boss):
    order = dispatched(turn_on)
    order = services.order_schedule(actor=boss, order=order, scheduled_on=date(2026, 11, 4))
    assert (order.status, order.scheduled_on, order.technician_id) == (
        "scheduled",
        date(2026, 11, 4),
        order.technician_id,
    )


def test_a_css1_schedules_but_cannot_assign_dispatch_or_void(turn_on, css1, tech):
    order = services.order_schedule(actor=css1, order=turn_on, scheduled_on=DAY)
    assert order.status == "scheduled"
    with pytest.raises(PermissionDenied):
        services.order_schedule(actor=css1, order=order, scheduled_on=DAY, technician=tech)
    with pytest.raises(PermissionDenied):
        services.order_dispatch(actor=css1, order=order)
    with pytest.raises(PermissionDenied):
        services.order_void(actor=css1, order=order, reason="No")


def test_only_field_technicians_are_assigned(turn_on, boss, css1):
    with pytest.raises(services.FieldworkError, match="not a field technician"):
        services.order_schedule(actor=boss, order=turn_on, scheduled_on=DAY, technician=css1)


def test_a_window_must_end_after_it_starts(turn_on, boss):
    with pytest.raises(services.FieldworkError, match="end after"):
        services.order_schedule(
            actor=boss, order=turn_on, scheduled_on=DAY, window_start=time(10), window_end=time(9)
        )


def test_dispatch_refusals(turn_on, boss):
    with pytest.raises(services.FieldworkError, match="open cannot be dispatched"):
        services.order_dispatch(actor=boss, order=turn_on)
    services.order_schedule(actor=boss, order=turn_on, scheduled_on=DAY)
    with pytest.raises(services.FieldworkError, match="assign a technician"):
        services.order_dispatch(actor=boss, order=turn_on)


def test_an_open_order_cannot_be_completed_or_closed(turn_on, boss):
    with pytest.raises(services.FieldworkError, match="open cannot be completed"):
        complete(boss, turn_on, read_value="120")
    with pytest.raises(services.FieldworkError, match="open cannot be closed"):
        services.order_close(actor=boss, order=turn_on)


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_void_before_completion_with_a_reason(turn_on, boss, tech, steps):
    if steps >= 1:
        services.order_schedule(actor=boss, order=turn_on, scheduled_on=DAY, technician=tech)
    if steps >= 2:
        services.order_dispatch(actor=boss, order=turn_on)
    order = services.order_void(actor=boss, order=turn_on, reason="Customer cancelled")
    assert (order.status, order.void_reason) == ("voided", "Customer cancelled")
    assert history(order)[-1][0::2] == ("void", "voided")


def test_void_needs_a_reason(turn_on, boss):
    with pytest.raises(services.FieldworkError, match="why"):
        services.order_void(actor=boss, order=turn_on, reason="  ")
    turn_on.refresh_from_db()
    assert turn_on.status == "open"


def test_a_voided_order_cannot_be_completed_scheduled_or_voided_again(turn_on, boss):
    services.order_void(actor=boss, order=turn_on, reason="Duplicate")
    with pytest.raises(services.FieldworkError, match="voided cannot be completed"):
        complete(boss, turn_on, read_value="120")
    with pytest.raises(services.FieldworkError, match="voided cannot be scheduled"):
        services.order_schedule(actor=boss, order=turn_on, scheduled_on=DAY)
    with pytest.raises(services.FieldworkError, match="voided cannot be voided"):
        services.order_void(actor=boss, order=turn_on, reason="Again")


def test_a_completed_order_cannot_be_voided_or_completed_again(turn_on, dispatched, tech, boss):
    complete(tech, dispatched(turn_on), read_value="120")
    with pytest.raises(services.FieldworkError, match="completed cannot be voided"):
        services.order_void(actor=boss, order=turn_on, reason="Oops")
    with pytest.raises(services.FieldworkError, match="completed cannot be completed"):
        complete(tech, turn_on, read_value="121")


def test_a_read_required_order_is_not_completed_without_a_read(turn_on, dispatched, tech):
    order = dispatched(turn_on)
    with pytest.raises(services.FieldworkError, match="needs the meter read"):
        complete(tech, order, read_value="  ")
    order.refresh_from_db()
    assert order.status == "dispatched" and order.account.status == "pending"


def test_a_technician_completes_only_their_own_orders(turn_on, dispatched):
    order = dispatched(turn_on)
    other = helpers.technician("other_tech")
    with pytest.raises(services.FieldworkError, match="not assigned to you"):
        complete(other, order, read_value="120")


def test_a_technician_cannot_create_schedule_or_void(turn_on, tech):
    with pytest.raises(PermissionDenied):
        services.order_schedule(actor=tech, order=turn_on, scheduled_on=DAY)
    with pytest.raises(PermissionDenied):
        services.order_void(actor=tech, order=turn_on, reason="x")
    with pytest.raises(PermissionDenied):
        services.order_create(
            actor=tech, order_type=turn_on.order_type, premise=turn_on.premise, requested_on=DAY
        )


# --- what completion writes back ------------------------------------------------------------------


def test_completing_a_turn_on_activates_the_account_with_the_initial_read(turn_on, dispatched, tech):
    order = complete(tech, dispatched(turn_on), read_value="120")
    account = order.account
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE
    read = order.read
    assert (read.value, read.kind, read.source, read.status, read.account_id) == (
        120,
        "initial",
        "service_order",
        "accepted",
        account.pk,
    )
    assert read.consumption == 20  # validated like any read: 100 at install, 120 now
    event = ServiceEvent.objects.get(account=account, kind="activated")
    assert event.effective_on == DAY and event.created_by == tech
    audit = AuditEvent.objects.get(action="account.activate")
    assert audit.account_id == account.pk and audit.changes["status"] == ["pending", "active"]


def test_a_turn_on_read_goes_through_read_validation(turn_on, dispatched, tech):
    order = complete(tech, dispatched(turn_on), read_value="90")  # below the install read: not a rollover
    assert order.read.status == "exception"
    assert [p["code"] for p in order.read.problems] == ["negative"]


def test_a_bad_read_value_completes_nothing(turn_on, dispatched, tech):
    order = dispatched(turn_on)
    reads = Read.objects.count()
    with pytest.raises(services.FieldworkError, match="not a register value"):
        complete(tech, order, read_value="abc")
    order.refresh_from_db()
    assert (order.status, order.account.status, Read.objects.count()) == ("dispatched", "pending", reads)


def test_completing_a_final_read_records_the_final_read(pending, css1, boss, tech, dispatched):
    account, _, meter = pending
    customers.service_stop(
        actor=css1, account=account, stop_date=DAY,
        forwarding={"street": "9 Elm", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    final = ServiceOrder.objects.get(account=account, order_type__code="final_read")
    order = complete(tech, dispatched(final), read_value="130")
    assert (order.read.kind, order.read.meter, order.read.value) == ("final", meter, 130)


def test_a_meter_change_out_updates_the_installation_history(pending, boss, tech, dispatched):
    account, point, old = pending
    new = Meter.objects.create(serial="M-NEW", size="3/4")
    order = services.order_create(
        actor=boss, order_type=services.order_type_get("meter_change"), premise=account.premise, account=account,
        requested_on=DAY,
    )  # fmt: skip
    order = complete(
        tech, dispatched(order), read_value="140", new_meter_serial="M-NEW", new_initial_value="0"
    )
    installs = list(MeterInstallation.objects.filter(service_point=point).order_by("installed_on", "id"))
    assert [(i.meter.serial, i.removed_on, i.final_value) for i in installs] == [
        ("M-1", DAY, 140),
        ("M-NEW", None, None),
    ]
    assert order.installation == installs[1]
    assert (order.read.meter, order.read.kind, order.read.value) == (old, "final", 140)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("retired", "installed")


def test_a_meter_change_out_needs_the_new_meter_and_the_old_final(pending, boss, tech, dispatched):
    account, _, _ = pending
    Meter.objects.create(serial="M-NEW", size="3/4")
    order = dispatched(services.order_create(
        actor=boss, order_type=services.order_type_get("meter_change"), premise=account.premise, account=account,
        requested_on=DAY,
    ))  # fmt: skip
    with pytest.raises(services.FieldworkError, match="serial number"):
        complete(tech, order, read_value="140")
    with pytest.raises(services.FieldworkError, match="final read of the old meter"):
        complete(tech, order, new_meter_serial="M-NEW", new_initial_value="0")
    with pytest.raises(services.FieldworkError, match="No meter with serial"):
        complete(tech, order, read_value="140", new_meter_serial="NOPE", new_initial_value="0")
    assert MeterInstallation.objects.filter(removed_on__isnull=False).count() == 0


def test_field_notes_and_photo_are_kept(turn_on, dispatched, tech):
    order = complete(
        tech, dispatched(turn_on), read_value="120", field_notes="Dog in yard", photo=helpers.png()
    )
    order.refresh_from_db()
    assert order.field_notes == "Dog in yard"
    assert order.photo.name.startswith("fieldwork/photos/") and order.photo.size > 0


# --- follow-up --------------------------------------------------------------------------------------


def test_a_follow_up_order_lands_in_the_queue_and_the_follow_up_writes_a_contact(
    turn_on, dispatched, tech, boss, css1
):
    ServiceOrder.objects.filter(pk=turn_on.pk).update(follow_up=True)
    order = complete(tech, dispatched(turn_on), read_value="120", field_notes="Customer asked about leak")
    assert list(selectors.follow_up_queue()) == [order]
    with pytest.raises(services.FieldworkError, match="follow-up before closing"):
        services.order_close(actor=boss, order=order)
    services.order_follow_up_record(
        actor=css1, order=order, channel="phone", subject="Called back about the leak"
    )
    entry = ContactEntry.objects.get(account=order.account)
    assert entry.subject == "Called back about the leak" and entry.created_by == css1
    assert order.label in entry.note
    assert list(selectors.follow_up_queue()) == []
    with pytest.raises(services.FieldworkError, match="already followed up"):
        services.order_follow_up_record(actor=css1, order=order, channel="phone", subject="Again")
    assert services.order_close(actor=boss, order=order).status == "closed"


def test_an_order_without_the_flag_is_not_followed_up(turn_on, dispatched, tech, css1):
    order = complete(tech, dispatched(turn_on), read_value="120")
    with pytest.raises(services.FieldworkError, match="not waiting"):
        services.order_follow_up_record(actor=css1, order=order, channel="phone", subject="x")


# --- re-reads from the exception queue --------------------------------------------------------------


def test_a_re_read_order_from_a_read_exception(pending, boss, css2):
    account, point, meter = pending
    read = metering.read_record(
        actor=boss, meter=meter, read_on=date(2026, 10, 15), value="50", source="manual"
    )
    assert read.status == "exception"
    order = services.reread_from_read(actor=css2, read=read)
    assert (order.order_type.code, order.source_read, order.service_point, order.premise) == (
        "reread",
        read,
        point,
        account.premise,
    )
    with pytest.raises(services.FieldworkError, match="already out"):
        services.reread_from_read(actor=css2, read=read)


def test_the_database_allows_one_live_re_read_per_read(pending, boss, css2):
    _, _, meter = pending
    read = metering.read_record(
        actor=boss, meter=meter, read_on=date(2026, 10, 15), value="50", source="manual"
    )
    order = services.reread_from_read(actor=css2, read=read)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceOrder.objects.create(
            number=999999,
            order_type=order.order_type,
            premise=order.premise,
            source_read=read,
            requested_on=DAY,
        )


def test_the_database_refuses_a_void_without_reason(turn_on):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceOrder.objects.filter(pk=turn_on.pk).update(status=OrderStatus.VOIDED, void_reason="")
