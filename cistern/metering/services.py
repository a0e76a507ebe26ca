"""Every write to meters, installations and reads: keyword-only, acting user first, one transaction, audited."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cistern.core import roles
from cistern.core.audit import audit_record, snapshot
from cistern.core.permissions import require

from . import selectors
from .models import (
    Meter,
    MeterInstallation,
    MeterStatus,
    Read,
    ReadKind,
    ReadRules,
    ReadSource,
    ReadStatus,
    ServicePoint,
)
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
    if not number.is_finite() or number < 0 or number >= 10**10:  # NUMERIC(12, 2); "1e309" answered 500
        raise MeteringError(f"{str(value)[:40]!r} is not a register value.")
    return abs(number) if number == 0 else number  # -0 is 0


# --- who may post which reads ----------------------------------------------------------------------------------

# Reads a machine takes (AMI head-ends, AMR drive-by collectors) and batches of reads come from the district's
# integrations (the Integration role, core.roles.MACHINE_READS); a person posts one read at a time.
MACHINE_SOURCES = frozenset({ReadSource.AMI.value, ReadSource.AMR.value})

# Field work tells metering which premises a technician's open orders are at (metering cannot import it):
# source(user) -> premise ids.
_order_premise_sources: list[Callable[[object], Iterable[int]]] = []


def register_order_premises(source: Callable[[object], Iterable[int]]) -> None:
    if source not in _order_premise_sources:
        _order_premise_sources.append(source)


def _meters_off_orders(actor, meter_ids: set[int]) -> set[int]:
    """The meters of `meter_ids` not installed at a premise of one of `actor`'s open service orders."""
    premises = {pk for source in _order_premise_sources for pk in source(actor)}
    on_orders = set(
        MeterInstallation.objects.filter(
            meter_id__in=meter_ids, removed_on__isnull=True, service_point__premise_id__in=premises
        ).values_list("meter_id", flat=True)
    )
    return meter_ids - on_orders


def _check_reader(actor, *, sources: set[str], meter_ids: set[int], count: int) -> None:
    """Refuse (PermissionDenied) reads this user may not post: machine sources and batches without the
    integrations' permission; a field technician's reads of meters not on their own open orders."""
    if not actor.has_perm(roles.MACHINE_READS):
        if count > 1:
            raise PermissionDenied(
                "Batches of reads come from the district's integrations (the Integration role's API token); "
                "post one read at a time."
            )
        machine = sorted(sources & MACHINE_SOURCES)
        if machine:
            raise PermissionDenied(
                f"Reads with source {', '.join(machine)} come from the district's AMI/AMR systems through their "
                "Integration token; enter a read you took yourself as handheld, manual or service_order."
            )
    if roles.reads_own_orders_only(actor):
        off = _meters_off_orders(actor, meter_ids)
        if off:
            serials = ", ".join(sorted(Meter.objects.filter(pk__in=off).values_list("serial", flat=True)))
            raise PermissionDenied(
                f"Meter {serials or '(unknown)'} is not on one of your open service orders: a field technician reads only the "
                "meters of the orders assigned to them."
            )


def reads_post_check(*, actor, reads: list[Mapping]) -> None:
    """The API asks before storing a batch (`reads`: items with `source` and `meter_serial`): PermissionDenied
    when `actor` may not post them. Meters not found are left for the batch to report by index."""
    require(actor, "metering.add_read")
    sources = {str(item.get("source") or "").strip().lower() for item in reads}
    serials = {str(item.get("meter_serial") or "").strip() for item in reads} - {""}
    meter_ids = (
        set(Meter.objects.filter(serial__in=serials).values_list("pk", flat=True)) if serials else set()
    )
    _check_reader(actor, sources=sources, meter_ids=meter_ids, count=len(reads))


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
    """Validate one read and store it as accepted or exception; refuse it (ReadRejected) when it cannot be stored.
    A field technician records reads only of meters on their open orders; machine sources need an integration."""
    require(actor, "metering.add_read")
    _check_reader(
        actor,
        sources={str(source).strip().lower()},
        meter_ids={meter.pk} if meter is not None else {0},
        count=1,
    )
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


# --- the read rules (district data) ----------------------------------------------------------------------------

READ_RULES_FIELDS = ["high_percent", "low_percent", "minimum_typical_units", "rollover_window_percent"]


def read_rules_update(*, actor, reason: str = "", **values) -> ReadRules:
    """Change the read-validation thresholds (the one row, made on first use). Audited with before and after."""
    require(actor, "metering.change_readrules")
    unknown = set(values) - set(READ_RULES_FIELDS)
    if unknown:
        raise MeteringError(f"Unknown read rule: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        rules, _ = ReadRules.objects.select_for_update().get_or_create(id=1)
        before = snapshot(rules, READ_RULES_FIELDS)
        for key, value in values.items():
            setattr(rules, key, value)
        if not 0 < rules.low_percent <= 100:
            raise MeteringError("A low read is between 1% and 100% below typical usage.")
        if rules.high_percent <= 0:
            raise MeteringError("A high read is more than 0% above typical usage.")
        if not 0 < rules.rollover_window_percent <= 100:
            raise MeteringError("The rollover window is between 1% and 100% of the register.")
        if rules.minimum_typical_units is None or rules.minimum_typical_units < 0:
            raise MeteringError("The minimum typical usage is zero or more units.")
        rules.full_clean()
        rules.save()
        after = snapshot(rules, READ_RULES_FIELDS)
        if before != after:
            audit_record(
                actor=actor, action="read_rules.update", obj=rules, before=before, after=after, reason=reason
            )
    return rules
