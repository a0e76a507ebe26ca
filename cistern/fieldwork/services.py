"""Every write to service orders and connection applications: keyword-only, acting user first, one
transaction, permission checked with core.permissions.require, audited. Views, receivers and commands call
these and nothing else. Status changes follow lifecycle.TRANSITIONS and leave a ServiceOrderEvent each."""

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.billing import services as billing_services
from cistern.core import clock
from cistern.core.audit import audit_record, snapshot
from cistern.core.money import MoneyError, money
from cistern.core.permissions import require
from cistern.core.services import sequence_next
from cistern.customers import services as customer_services
from cistern.customers.models import Account, AccountStatus, Premise
from cistern.metering import services as metering_services
from cistern.metering.models import (
    Meter,
    Read,
    ReadKind,
    ReadSource,
    ReadStatus,
    ServicePoint,
    ServicePointKind,
)

from . import lifecycle, selectors, shutoff_guard
from .models import (
    ConnectionApplication,
    OrderOrigin,
    OrderStatus,
    Priority,
    ServiceOrder,
    ServiceOrderEvent,
    ServiceOrderType,
)


class FieldworkError(Exception):
    """An order change that cannot be made; the message tells the clerk or technician why."""


ORDER_SEQUENCE = "service_order"
JOB_SEQUENCE = "connection_job"
ORDER_FIELDS = [
    "number", "order_type", "status", "priority", "premise", "account", "service_point", "requested_on",
    "scheduled_on", "window_start", "window_end", "technician", "notes", "follow_up", "field_notes", "read",
    "installation", "void_reason", "completed_on",
]  # fmt: skip
ACCOUNT_FIELDS = ["status", "start_date", "end_date"]

# Which read kind a completed order records.
READ_KIND = {"turn_on": ReadKind.INITIAL, "reconnect": ReadKind.INITIAL, "final_read": ReadKind.FINAL,
             "turn_off": ReadKind.FINAL}  # fmt: skip


def _audit(*, actor, action, order, before=None, reason=""):
    audit_record(
        actor=actor, action=action, obj=order, before=before, after=snapshot(order, ORDER_FIELDS),
        reason=reason, account_id=order.account_id,
    )  # fmt: skip


def _event(*, actor, order, action, from_status, note=""):
    ServiceOrderEvent.objects.create(
        order=order, action=action, from_status=from_status, to_status=order.status, note=note[:300],
        actor=actor if (actor is not None and actor.is_authenticated) else None,
    )  # fmt: skip


def _lock(order: ServiceOrder) -> ServiceOrder:
    return (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("order_type", "premise", "account", "service_point")
        .get(pk=order.pk)
    )


def _move(order: ServiceOrder, action: str) -> str:
    """Apply the transition table to the (locked) order; refuse what it does not allow."""
    before = order.status
    try:
        order.status = lifecycle.next_status(order.status, action)
    except lifecycle.TransitionRefused as exc:
        raise FieldworkError(f"{order.label}: {exc}") from None
    return before


def is_technician(user) -> bool:
    """An active Field Technician: the only users orders are assigned to."""
    return user is not None and selectors.technicians().filter(pk=user.pk).exists()


def order_type_get(code: str) -> ServiceOrderType:
    try:
        return ServiceOrderType.objects.get(code=code)
    except ServiceOrderType.DoesNotExist:
        raise FieldworkError(f"No service order type {code!r}.") from None


# --- creating orders ----------------------------------------------------------------------------


def _new_orders(*, actor, specs: list[dict], origin: str) -> list[ServiceOrder]:
    """Create orders (numbers reserved in one go). No permission check: callers decide who may."""
    if not specs:
        return []
    for spec in specs:
        _refuse_unlawful_lockoff(
            spec["order_type"], spec.get("account"), spec.get("scheduled_on") or spec["requested_on"]
        )
    first = sequence_next(name=ORDER_SEQUENCE, start=100001, count=len(specs))
    orders = []
    for offset, spec in enumerate(specs):
        spec = dict(spec)
        if spec.get("service_point") is None and "service_point_id" not in spec:
            spec["service_point"] = selectors.service_point_for(spec["premise"])
        order = ServiceOrder.objects.create(
            number=first + offset, origin=origin, created_by=actor if actor.is_authenticated else None, **spec
        )
        _event(actor=actor, order=order, action="create", from_status="", note=order.get_origin_display())
        _audit(actor=actor, action="serviceorder.create", order=order, reason=order.get_origin_display())
        orders.append(order)
    return orders


def _refuse_unlawful_lockoff(
    order_type: ServiceOrderType, account, day: date, at: time | None = None
) -> None:
    """A lock-off for nonpayment only on a day the shutoff policy allows it (every path: create, schedule,
    complete)."""
    if order_type.code != selectors.LOCK_OFF:
        return
    account_id = account if isinstance(account, int) or account is None else account.pk
    why = shutoff_guard.refusal(account_id, day, at)
    if why:
        raise FieldworkError(f"No lock-off on {day:%m/%d/%Y}: {why}")


def order_create(
    *,
    actor,
    order_type: ServiceOrderType,
    premise: Premise,
    account: Account | None = None,
    requested_on: date,
    priority: str = Priority.ROUTINE,
    notes: str = "",
    follow_up: bool = False,
) -> ServiceOrder:
    require(actor, "fieldwork.add_serviceorder")
    if account is not None and account.premise_id != premise.pk:
        raise FieldworkError(f"Account {account.number} is not at {premise.service_address}.")
    if priority not in Priority.values:
        raise FieldworkError(f"Unknown priority {priority!r}.")
    with transaction.atomic():
        (order,) = _new_orders(
            actor=actor, origin=OrderOrigin.MANUAL,
            specs=[{"order_type": order_type, "premise": premise, "account": account, "requested_on": requested_on,
                    "priority": priority, "notes": notes.strip(), "follow_up": follow_up}],
        )  # fmt: skip
    return order


def orders_for_collections(*, actor, specs: list[dict]) -> list[ServiceOrder]:
    """The orders collection steps send: door-hangers, final notices posted at the property, lock-offs and
    reconnects. The caller has checked its own permission (run collections, confirm a lock-off list); a
    lock-off still passes the shutoff policy here, as every lock-off does."""
    with transaction.atomic():
        return _new_orders(actor=actor, specs=specs, origin=OrderOrigin.COLLECTIONS)


# Start, transfer and stop create their orders (receivers.py): inside the service's own transaction and
# authorised by the start/transfer/stop permission the clerk already passed.


def orders_for_start(*, actor, account: Account) -> ServiceOrder:
    (order,) = _new_orders(
        actor=actor, origin=OrderOrigin.START,
        specs=[{"order_type": order_type_get("turn_on"), "premise": account.premise, "account": account,
                "requested_on": account.start_date, "notes": f"Turn on for {account.customer.name}."}],
    )  # fmt: skip
    return order


def orders_for_transfer(*, actor, old_account: Account, new_account: Account) -> list[ServiceOrder]:
    return _new_orders(
        actor=actor, origin=OrderOrigin.TRANSFER,
        specs=[
            {"order_type": order_type_get("final_read"), "premise": old_account.premise, "account": old_account,
             "requested_on": old_account.end_date,
             "notes": f"Final read: {old_account.customer.name} moves to {new_account.premise.service_address}."},
            {"order_type": order_type_get("turn_on"), "premise": new_account.premise, "account": new_account,
             "requested_on": new_account.start_date,
             "notes": f"Turn on: {new_account.customer.name} moves from {old_account.premise.service_address}."},
        ],
    )  # fmt: skip


def orders_for_stop(*, actor, account: Account) -> ServiceOrder:
    (order,) = _new_orders(
        actor=actor, origin=OrderOrigin.STOP,
        specs=[{"order_type": order_type_get("final_read"), "premise": account.premise, "account": account,
                "requested_on": account.end_date, "notes": f"Final read: {account.customer.name} stops service."}],
    )  # fmt: skip
    return order


def reread_from_read(*, actor, read: Read) -> ServiceOrder:
    """One re-read order for a read in the exception queue (its meter's premise and account)."""
    require(actor, "fieldwork.add_serviceorder")
    with transaction.atomic():
        read = (
            Read.objects.select_for_update(of=("self",))
            .select_related("meter", "installation__service_point")
            .get(pk=read.pk)
        )
        if read.status != ReadStatus.EXCEPTION:
            raise FieldworkError(f"This read is {read.get_status_display().lower()}, not waiting for review.")
        if read.installation_id is None:
            raise FieldworkError(
                "The meter was not installed anywhere on that date; there is nowhere to send a re-read."
            )
        existing = ServiceOrder.objects.filter(source_read=read).exclude(status=OrderStatus.VOIDED).first()
        if existing:
            raise FieldworkError(f"{existing.label} is already out for this read.")
        point = read.installation.service_point
        (order,) = _new_orders(
            actor=actor, origin=OrderOrigin.READ_EXCEPTION,
            specs=[{"order_type": order_type_get("reread"), "premise_id": point.premise_id, "service_point": point,
                    "account_id": read.account_id, "source_read": read, "requested_on": clock.today(),
                    "priority": Priority.URGENT,
                    "notes": f"Re-read {selectors.reread_reason(read)}"}],
        )  # fmt: skip
    return order


# --- the lifecycle ------------------------------------------------------------------------------

_KEEP = object()


def order_schedule(
    *,
    actor,
    order: ServiceOrder,
    scheduled_on: date,
    window_start: time | None = None,
    window_end: time | None = None,
    technician=_KEEP,
    reason: str = "",
) -> ServiceOrder:
    """Put an order on a day (and time window); assigning a technician is the dispatcher's (dispatch perm).
    A dispatched order that is rescheduled goes back to scheduled, to be dispatched again."""
    require(actor, "fieldwork.change_serviceorder")
    if technician is not _KEEP:
        require(actor, "fieldwork.dispatch_serviceorder")
        if technician is not None and not is_technician(technician):
            raise FieldworkError(f"{technician.username} is not a field technician.")
    if scheduled_on is None:
        raise FieldworkError("Choose the day.")
    if window_start and window_end and window_end <= window_start:
        raise FieldworkError("The time window must end after it starts.")
    with transaction.atomic():
        order = _lock(order)
        _refuse_unlawful_lockoff(order.order_type, order.account_id, scheduled_on)
        before = snapshot(order, ORDER_FIELDS)
        from_status = _move(order, lifecycle.SCHEDULE)
        order.scheduled_on, order.window_start, order.window_end = scheduled_on, window_start, window_end
        if technician is not _KEEP:
            order.technician = technician
        order.save()
        who = (
            f" for {order.technician.get_full_name() or order.technician.username}"
            if order.technician
            else ""
        )
        window = f" {window_start:%H:%M}-{window_end:%H:%M}" if window_start and window_end else ""
        _event(actor=actor, order=order, action="schedule", from_status=from_status,
               note=f"{scheduled_on:%m/%d/%Y}{window}{who}. {reason}".strip())  # fmt: skip
        _audit(actor=actor, action="serviceorder.schedule", order=order, before=before, reason=reason)
    return order


def order_dispatch(*, actor, order: ServiceOrder) -> ServiceOrder:
    """Send a scheduled order to its technician's phone."""
    require(actor, "fieldwork.dispatch_serviceorder")
    with transaction.atomic():
        order = _lock(order)
        if order.status == OrderStatus.SCHEDULED and order.technician_id is None:
            raise FieldworkError(f"{order.label}: assign a technician before dispatching.")
        before = snapshot(order, ORDER_FIELDS)
        from_status = _move(order, lifecycle.DISPATCH)
        order.save(update_fields=["status"])
        _event(actor=actor, order=order, action="dispatch", from_status=from_status,
               note=f"To {order.technician.username}")  # fmt: skip
        _audit(actor=actor, action="serviceorder.dispatch", order=order, before=before)
    return order


def order_void(*, actor, order: ServiceOrder, reason: str) -> ServiceOrder:
    require(actor, "fieldwork.void_serviceorder")
    if not reason.strip():
        raise FieldworkError("Say why the order is voided.")
    with transaction.atomic():
        order = _lock(order)
        before = snapshot(order, ORDER_FIELDS)
        from_status = _move(order, lifecycle.VOID)
        order.void_reason = reason.strip()[:200]
        order.save(update_fields=["status", "void_reason"])
        _event(actor=actor, order=order, action="void", from_status=from_status, note=reason)
        _audit(actor=actor, action="serviceorder.void", order=order, before=before, reason=reason)
    return order


def order_close(*, actor, order: ServiceOrder, reason: str = "") -> ServiceOrder:
    """Close a completed order once the office is done with it (a requested follow-up must be recorded first)."""
    require(actor, "fieldwork.change_serviceorder")
    with transaction.atomic():
        order = _lock(order)
        if order.status == OrderStatus.COMPLETED and order.follow_up and order.followed_up_at is None:
            raise FieldworkError(f"{order.label}: record the customer follow-up before closing.")
        before = snapshot(order, ORDER_FIELDS)
        from_status = _move(order, lifecycle.CLOSE)
        order.save(update_fields=["status"])
        _event(actor=actor, order=order, action="close", from_status=from_status, note=reason)
        _audit(actor=actor, action="serviceorder.close", order=order, before=before, reason=reason)
    return order


@dataclass(frozen=True)
class Completion:
    """What the technician brings back. `read_value` is the register (for a change-out: the old meter's
    final); `new_meter_serial` and `new_initial_value` are the meter set on a change-out or install."""

    on: date
    read_value: str = ""
    new_meter_serial: str = ""
    new_initial_value: str = ""
    field_notes: str = ""
    photo: object = None  # an uploaded image file


def _meter_swap(*, actor, order: ServiceOrder, done: Completion, point: ServicePoint | None):
    if point is None:
        raise FieldworkError(f"{order.premise.service_address} has no service point to set a meter at.")
    if not done.new_meter_serial.strip() or not done.new_initial_value.strip():
        raise FieldworkError("Enter the new meter's serial number and its starting read.")
    try:
        new_meter = Meter.objects.get(serial=done.new_meter_serial.strip())
    except Meter.DoesNotExist:
        raise FieldworkError(f"No meter with serial {done.new_meter_serial.strip()!r} in stock.") from None
    current = selectors.current_installation(point)
    if current is None:
        installation = metering_services.meter_install(
            actor=actor, meter=new_meter, service_point=point, installed_on=done.on,
            initial_value=done.new_initial_value, reason=order.label,
        )  # fmt: skip
        return installation, None
    if not done.read_value.strip():
        raise FieldworkError(f"Enter the final read of the old meter {current.meter.serial}.")
    installation = metering_services.meter_change_out(
        actor=actor, service_point=point, on=done.on, old_final_value=done.read_value, new_meter=new_meter,
        new_initial_value=done.new_initial_value, reason=order.label,
    )  # fmt: skip
    final = (
        Read.objects.filter(meter=current.meter, read_on=done.on, kind=ReadKind.FINAL).order_by("-id").first()
    )
    return installation, final


def _read(*, actor, order: ServiceOrder, done: Completion, point: ServicePoint | None) -> Read:
    installation = selectors.current_installation(point)
    if installation is None:
        raise FieldworkError(
            f"No meter is installed at {order.premise.service_address}; a read cannot be recorded."
        )
    return metering_services.read_record(
        actor=actor, meter=installation.meter, read_on=done.on, value=done.read_value,
        source=ReadSource.SERVICE_ORDER, kind=READ_KIND.get(order.order_type.code, ReadKind.FIELD),
        note=f"{order.label} {order.order_type.name}",
    )  # fmt: skip


def _final_bill(*, actor, read) -> str:
    """A stopped account's accepted final read makes its final bill at once; a read still under review (or
    one the rates cannot bill) leaves the final bill to a clerk, from the account page."""
    account = read.account
    if read.status != ReadStatus.ACCEPTED or account is None or account.status != AccountStatus.FINAL:
        return ""
    try:
        with transaction.atomic():
            bill = billing_services.final_bill_after_final_read(actor=actor, account=account)
    except billing_services.BillingError as exc:
        return f" Final bill left for the office: {exc}"
    return f" Final bill {bill.pk}: ${bill.amount_due:,.2f} due."


def order_complete(*, actor, order: ServiceOrder, completion: Completion) -> ServiceOrder:
    """Finish an order in the field: the read goes through metering's validation, a meter swap through its
    change-out, a turn-on activates a pending account. All or nothing."""
    require(actor, "fieldwork.complete_serviceorder")
    done = completion
    with transaction.atomic():
        order = _lock(order)
        if order.technician_id != actor.pk and not actor.has_perm("fieldwork.dispatch_serviceorder"):
            raise FieldworkError(f"{order.label} is not assigned to you.")
        # Done now (the completion is today's): the office must be open, not only the day a business day.
        now = timezone.localtime()
        at = now.time() if done.on == now.date() else None
        _refuse_unlawful_lockoff(order.order_type, order.account_id, done.on, at)
        before = snapshot(order, ORDER_FIELDS)
        from_status = _move(order, lifecycle.COMPLETE)
        kind = order.order_type
        point = order.service_point or selectors.service_point_for(order.premise)
        read = installation = None
        try:
            if kind.requires_meter_swap:
                installation, read = _meter_swap(actor=actor, order=order, done=done, point=point)
            elif done.read_value.strip():
                read = _read(actor=actor, order=order, done=done, point=point)
            elif kind.requires_read:
                raise FieldworkError(f"A {kind.name.lower()} needs the meter read.")
        except (metering_services.MeteringError, PermissionDenied) as exc:
            raise FieldworkError(f"{order.label}: {exc}") from None
        order.read, order.installation = read, installation
        order.service_point = point if installation or read else order.service_point
        order.field_notes = done.field_notes.strip()
        if done.photo:
            order.photo = done.photo
        order.completed_at = timezone.now()
        order.completed_on = done.on
        order.completed_by = actor
        order.save()
        if kind.code in ("turn_on", "reconnect") and order.account_id:
            customer_services.account_activate(
                actor=actor, account=order.account, on=done.on,
                reason=f"{order.label} completed" + (f", initial read {read.value}" if read else ""),
            )  # fmt: skip
        note = f"Read {read.value} ({read.get_status_display().lower()})" if read else ""
        if kind.code in ("final_read", "turn_off") and read is not None:
            note += _final_bill(actor=actor, read=read)
        if installation:
            note += f" Meter {installation.meter.serial} set."
        _event(actor=actor, order=order, action="complete", from_status=from_status, note=note.strip())
        _audit(actor=actor, action="serviceorder.complete", order=order, before=before)
    return order


def order_follow_up_record(
    *, actor, order: ServiceOrder, channel: str, subject: str, note: str = ""
) -> ServiceOrder:
    """The call-back the technician asked for: a contact-log entry on the account, and the queue item done."""
    require(actor, "fieldwork.change_serviceorder")
    with transaction.atomic():
        order = _lock(order)
        if not order.follow_up or order.status not in (OrderStatus.COMPLETED, OrderStatus.CLOSED):
            raise FieldworkError(f"{order.label} is not waiting for a follow-up.")
        if order.followed_up_at is not None:
            raise FieldworkError(f"{order.label} was already followed up.")
        if order.account_id is None:
            raise FieldworkError(f"{order.label} has no account to log the contact on.")
        try:
            entry = customer_services.contact_log_add(
                actor=actor, account=order.account, channel=channel, subject=subject,
                note=f"{note.strip()}\n\n({order.label} {order.order_type.name})".strip(),
            )  # fmt: skip
        except customer_services.CustomerError as exc:
            raise FieldworkError(str(exc)) from None
        before = {"followed_up_at": None}
        order.followed_up_at = timezone.now()
        order.followed_up_by = actor
        order.save(update_fields=["followed_up_at", "followed_up_by"])
        _event(actor=actor, order=order, action="follow_up", from_status=order.status, note=entry.subject)
        audit_record(
            actor=actor, action="serviceorder.follow_up", obj=order, before=before,
            after={"followed_up_at": order.followed_up_at.isoformat()}, account_id=order.account_id,
        )  # fmt: skip
    return order


# --- special programs -----------------------------------------------------------------------------


def program_run(*, actor, program: str, params: dict, keys: list[str]) -> list[ServiceOrder]:
    """Create the orders a program's preview showed: the candidates are found again (same selector as the
    preview) and only those still eligible and confirmed by the clerk get an order. One transaction."""
    require(actor, "fieldwork.run_order_program")
    chosen = set(keys)
    with transaction.atomic():
        spec = selectors.PROGRAMS.get(program)
        if spec is None:
            raise FieldworkError(f"Unknown program {program!r}.")
        candidates = [c for c in spec.candidates(**params) if c.key in chosen]
        order_type = order_type_get(spec.order_type)
        today = clock.today()
        try:
            orders = _new_orders(
                actor=actor, origin=OrderOrigin.PROGRAM,
                specs=[{"order_type": order_type, "premise_id": c.premise_id, "account_id": c.account_id,
                        "service_point_id": c.service_point_id, "source_read_id": c.source_read_id,
                        "requested_on": today, "notes": f"{spec.name}: {c.reason}"} for c in candidates],
            )  # fmt: skip
        except IntegrityError:
            raise FieldworkError(
                "Another order was created for one of these meanwhile; preview again."
            ) from None
        audit_record(
            actor=actor, action="serviceorder.program", obj=order_type, after={"program": program, **params,
            "orders": [o.number for o in orders]},
        )  # fmt: skip
    return orders


# --- new connections ------------------------------------------------------------------------------


def connection_apply(
    *,
    actor,
    street: str,
    unit: str = "",
    city: str,
    zip_code: str,
    parcel_number: str = "",
    applicant_name: str,
    applicant_phone: str = "",
    applicant_email: str = "",
    meter_size: str,
    capacity_charge,
    meter_installation_fee,
    notes: str = "",
) -> ConnectionApplication:
    """A development inquiry: the new premise, its service point, the charges and the meter-install order."""
    require(actor, "fieldwork.add_connectionapplication")
    try:
        capacity, install_fee = money(capacity_charge), money(meter_installation_fee)
    except MoneyError as exc:
        raise FieldworkError(str(exc)) from None
    if capacity < 0 or install_fee < 0:
        raise FieldworkError("Charges cannot be negative.")
    if not applicant_name.strip():
        raise FieldworkError("Who is applying?")
    with transaction.atomic():
        try:
            premise = customer_services.premise_create(
                actor=actor, street=street, unit=unit, city=city, zip_code=zip_code, parcel_number=parcel_number,
                reason=f"New connection for {applicant_name}",
            )  # fmt: skip
        except customer_services.CustomerError as exc:
            raise FieldworkError(str(exc)) from None
        point = metering_services.service_point_create(
            actor=actor, premise=premise, kind=ServicePointKind.DOMESTIC, reason="New connection"
        )
        job = f"NC-{sequence_next(name=JOB_SEQUENCE, start=1):05d}"
        (order,) = _new_orders(
            actor=actor, origin=OrderOrigin.CONNECTION,
            specs=[{"order_type": order_type_get("meter_install"), "premise": premise, "service_point": point,
                    "requested_on": clock.today(),
                    "notes": f'{job}: install a {meter_size}" meter for {applicant_name.strip()}.'}],
        )  # fmt: skip
        application = ConnectionApplication.objects.create(
            job_number=job, premise=premise, applicant_name=applicant_name.strip(),
            applicant_phone=applicant_phone.strip(), applicant_email=applicant_email.strip(), meter_size=meter_size,
            capacity_charge=capacity, meter_installation_fee=install_fee, notes=notes.strip(), order=order,
            created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="connection.apply", obj=application,
            after=snapshot(application, ["job_number", "premise", "applicant_name", "meter_size", "capacity_charge",
                                         "meter_installation_fee", "order"]),
        )  # fmt: skip
    return application
