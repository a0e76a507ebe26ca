"""Every write to meters, installations and reads: keyword-only, acting user first, one transaction, audited."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record, snapshot
from cistern.core.permissions import require

from . import selectors
from .models import Meter, MeterInstallation, MeterStatus, Read, ReadKind, ReadStatus, ServicePoint
from .reading import validate


class MeteringError(Exception):
    """A meter or read change that cannot be made; the message tells the clerk why."""


class ReadRejected(MeteringError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


READ_FIELDS = ["meter", "read_on", "value", "kind", "source", "status", "consumption", "reader_code", "note"]


def _as_decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MeteringError(f"{value!r} is not a register value.") from None
    if not number.is_finite() or number < 0:
        raise MeteringError(f"{value!r} is not a register value.")
    return number


def read_record(
    *,
    actor,
    meter: Meter | None,
    read_on: date,
    value,
    source: str,
    kind: str = ReadKind.ACTUAL,
    reader_code: str = "",
    note: str = "",
    read_import=None,
) -> Read:
    """Validate one read and store it as accepted or exception; refuse it (ReadRejected) when it cannot be stored."""
    require(actor, "metering.add_read")
    value = _as_decimal(value)
    with transaction.atomic():
        if meter is not None:
            meter = Meter.objects.select_for_update().get(
                pk=meter.pk
            )  # one meter's reads validated one at a time
        installation = selectors.installation_on(meter, read_on) if meter is not None else None
        account = (
            selectors.account_at(installation.service_point.premise_id, read_on) if installation else None
        )
        facts = selectors.read_facts(
            meter=meter, read_on=read_on, value=value, kind=kind, installation=installation, account=account
        )
        verdict = validate(facts)
        if verdict.status == ReadStatus.REJECTED:
            raise ReadRejected(verdict.problems)
        read = Read.objects.create(
            meter=meter, installation=installation, account=account, read_on=read_on, value=value, kind=kind,
            source=source, status=verdict.status, consumption=verdict.consumption,
            problems=[asdict(p) for p in verdict.problems], reader_code=reader_code, note=note[:200],
            read_import=read_import, created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="read.record", obj=read, after=snapshot(read, READ_FIELDS),
            account_id=account.pk if account else None,
        )  # fmt: skip
    return read


def _review(*, actor, read: Read, status: str, reason: str, action: str, **changes) -> Read:
    require(actor, "metering.review_read")
    if not reason.strip():
        raise MeteringError("Say why (what you checked).")
    with transaction.atomic():
        read = Read.objects.select_for_update().get(pk=read.pk)
        if read.status != ReadStatus.EXCEPTION:
            raise MeteringError(f"This read is already {read.get_status_display().lower()}.")
        if status == ReadStatus.ACCEPTED and read.installation_id is None:
            raise MeteringError("The meter was not installed on that date; the read cannot be accepted.")
        if (
            status == ReadStatus.ACCEPTED
            and Read.objects.filter(
                meter_id=read.meter_id, read_on=read.read_on, status=ReadStatus.ACCEPTED
            ).exists()
        ):
            raise MeteringError(
                "Another read of this meter on that day is already accepted; reject one of them."
            )
        before = snapshot(read, READ_FIELDS)
        read.status = status
        read.reviewed_by = actor
        read.reviewed_at = timezone.now()
        for key, value in changes.items():
            setattr(read, key, value)
        read.save()
        audit_record(
            actor=actor, action=action, obj=read, before=before, after=snapshot(read, READ_FIELDS), reason=reason,
            account_id=read.account_id,
        )  # fmt: skip
    return read


def read_accept(*, actor, read: Read, reason: str) -> Read:
    """Accept an exception as it is (e.g. a confirmed leak, a pool fill)."""
    return _review(actor=actor, read=read, status=ReadStatus.ACCEPTED, reason=reason, action="read.accept")


def read_reject(*, actor, read: Read, reason: str) -> Read:
    """Reject a read: it never counts for consumption or billing."""
    return _review(actor=actor, read=read, status=ReadStatus.REJECTED, reason=reason, action="read.reject")


def read_correct(*, actor, read: Read, value, reason: str) -> Read:
    """Replace a wrong accepted read (a misread found after billing): the read is rejected and a read of the
    same day with the right value is recorded and validated in its place. Only the newest accepted read of
    its meter is corrected, so no later read's usage was worked out from the wrong value."""
    require(actor, "metering.review_read")
    if not reason.strip():
        raise MeteringError("Say why the read is corrected.")
    with transaction.atomic():
        read = Read.objects.select_for_update().get(pk=read.pk)
        if read.status != ReadStatus.ACCEPTED:
            raise MeteringError(
                f"Only an accepted read is corrected; this one is {read.get_status_display().lower()}."
            )
        if Read.objects.filter(
            meter_id=read.meter_id, status=ReadStatus.ACCEPTED, read_on__gt=read.read_on
        ).exists():
            raise MeteringError("A later read of this meter is accepted: correct the newest read first.")
        before = snapshot(read, READ_FIELDS)
        read.status, read.reviewed_by, read.reviewed_at = ReadStatus.REJECTED, actor, timezone.now()
        read.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor, action="read.correct", obj=read, before=before, after=snapshot(read, READ_FIELDS),
            reason=reason, account_id=read.account_id,
        )  # fmt: skip
        corrected = read_record(
            actor=actor, meter=read.meter, read_on=read.read_on, value=value, source=read.source, kind=read.kind,
            reader_code=read.reader_code, note=f"Corrects read {read.pk}: {reason}",
        )  # fmt: skip
    return corrected


def service_point_create(
    *, actor, premise, kind: str, route=None, read_sequence: int = 0, reason: str = ""
) -> ServicePoint:
    """A new place of delivery at a premise (a new connection, an added irrigation line). Called inside the
    caller's permission (field work's new connection), like customers.account_activate."""
    with transaction.atomic():
        point = ServicePoint.objects.create(
            premise=premise, kind=kind, route=route, read_sequence=read_sequence
        )
        audit_record(
            actor=actor, action="servicepoint.create", obj=point,
            after={"premise": premise.pk, "kind": kind, "route": route.pk if route else None}, reason=reason,
        )  # fmt: skip
    return point


def meter_install(
    *, actor, meter: Meter, service_point: ServicePoint, installed_on: date, initial_value, reason: str = ""
) -> MeterInstallation:
    """Set a meter at an empty service point; its initial read is recorded with it."""
    require(actor, "metering.add_meterinstallation")
    initial_value = _as_decimal(initial_value)
    with transaction.atomic():
        meter = Meter.objects.select_for_update().get(pk=meter.pk)
        if meter.status != MeterStatus.IN_STOCK:
            raise MeteringError(
                f"Meter {meter.serial} is {meter.get_status_display().lower()}, not in stock."
            )
        if service_point.installations.filter(removed_on__isnull=True).exists():
            raise MeteringError("A meter is already installed at this service point; change it out instead.")
        installation = MeterInstallation.objects.create(
            meter=meter, service_point=service_point, installed_on=installed_on, initial_value=initial_value
        )
        meter.status = MeterStatus.INSTALLED
        meter.save(update_fields=["status"])
        account = selectors.account_at(service_point.premise_id, installed_on)
        Read.objects.create(
            meter=meter, installation=installation, account=account, read_on=installed_on, value=initial_value,
            kind=ReadKind.INITIAL, source="service_order", status=ReadStatus.ACCEPTED, consumption=Decimal("0"),
            created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="meter.install", obj=installation,
            after={"meter": meter.serial, "service_point": service_point.pk, "installed_on": installed_on.isoformat(),
                   "initial_value": str(initial_value)},
            reason=reason, account_id=account.pk if account else None,
        )  # fmt: skip
    return installation


def meter_change_out(
    *,
    actor,
    service_point: ServicePoint,
    on: date,
    old_final_value,
    new_meter: Meter,
    new_initial_value,
    reason: str = "",
) -> MeterInstallation:
    """Take the installed meter out with its final read and put `new_meter` in with its initial read.
    Consumption across the change is the old meter to its final plus the new one from its initial."""
    require(actor, "metering.add_meterinstallation")
    old_final_value = _as_decimal(old_final_value)
    with transaction.atomic():
        current = (
            MeterInstallation.objects.select_for_update()
            .select_related("meter")
            .filter(service_point=service_point, removed_on__isnull=True)
            .first()
        )
        if current is None:
            raise MeteringError("No meter is installed at this service point; install one instead.")
        if on < current.installed_on:
            raise MeteringError(
                f"Meter {current.meter.serial} was installed {current.installed_on:%m/%d/%Y}."
            )
        # The old meter's final read goes through validation like any other, so a backwards value is caught.
        final = read_record(
            actor=actor, meter=current.meter, read_on=on, value=old_final_value, source="service_order",
            kind=ReadKind.FINAL, note=f"Change-out to {new_meter.serial}",
        )  # fmt: skip
        if final.status != ReadStatus.ACCEPTED:
            raise MeteringError(
                "The old meter's final read fails validation: "
                + "; ".join(p["message"] for p in final.problems)
            )
        before = snapshot(current, ["removed_on", "final_value"])
        current.removed_on = on
        current.final_value = old_final_value
        current.save(update_fields=["removed_on", "final_value"])
        old_meter = current.meter
        old_meter.status = MeterStatus.RETIRED
        old_meter.save(update_fields=["status"])
        audit_record(
            actor=actor, action="meter.remove", obj=current, before=before,
            after={**snapshot(current, ["removed_on", "final_value"]), "meter_status": MeterStatus.RETIRED.value},
            reason=reason or f"Change-out to {new_meter.serial}",
        )  # fmt: skip
        return meter_install(
            actor=actor, meter=new_meter, service_point=service_point, installed_on=on,
            initial_value=new_initial_value, reason=reason or f"Change-out of {current.meter.serial}",
        )  # fmt: skip


def read_estimate(*, actor, read: Read, reason: str) -> Read:
    """Replace an exception with an estimated read: the exception is rejected and an estimated read (accepted)
    is recorded on its date, its usage taken from the installation's history by `reading.estimate_usage`
    (the same period last year, else the recent average, scaled by days). An estimate is a register value,
    so the next actual read's consumption is measured from it: the estimate is trued up by that read."""
    require(actor, "metering.review_read")
    if not reason.strip():
        raise MeteringError("Say why (what you checked).")
    with transaction.atomic():
        locked = (
            Read.objects.select_for_update(of=("self",))
            .select_related("meter", "installation")
            .get(pk=read.pk)
        )
        if locked.status != ReadStatus.EXCEPTION:
            raise MeteringError(f"This read is already {locked.get_status_display().lower()}.")
        installation = locked.installation
        if installation is None:
            raise MeteringError("The meter was not installed on that date; there is nothing to estimate.")
        Meter.objects.select_for_update().get(pk=locked.meter_id)  # one meter's reads changed one at a time
        plan = selectors.estimate_for(locked)
        if isinstance(plan, str):
            raise MeteringError(plan)
        _review(
            actor=actor, read=locked, status=ReadStatus.REJECTED, reason=reason, action="read.reject_for_estimate"
        )  # fmt: skip
        estimated = Read.objects.create(
            meter_id=locked.meter_id, installation=installation, account_id=locked.account_id,
            read_on=locked.read_on, value=plan.value, kind=ReadKind.ESTIMATED, source="estimate",
            status=ReadStatus.ACCEPTED, consumption=plan.units, reviewed_by=actor, reviewed_at=timezone.now(),
            note=f"Estimated in place of read {locked.pk} ({plan.basis})"[:200], created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="read.estimate", obj=estimated, after=snapshot(estimated, READ_FIELDS),
            reason=reason, account_id=estimated.account_id,
        )  # fmt: skip
    return estimated
