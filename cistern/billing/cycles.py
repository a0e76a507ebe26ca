"""Bill cycles and the routes they hold: district data, changed here only (the admin calls these), validated, in
one transaction, audited with before and after.

A cycle's routes do not move while one of its runs is under way (calculated, approved or posting): the trial was
worked out from the accounts the routes held, and posting must bill exactly those. Finish or cancel the run first.
A cycle is never deleted once it has runs; it is made inactive."""

from collections.abc import Iterable

from django.db import transaction

from cistern.core.permissions import require
from cistern.core.services import record_delete, record_save

from .models import BillCycle, BillRun, CycleRoute, RunStatus


class CycleError(Exception):
    """A cycle change that cannot be made; the message says why."""


CYCLE_FIELDS = ["code", "name", "read_day", "bill_day", "active"]
ROUTE_FIELDS = ["cycle", "route"]
UNDER_WAY = [RunStatus.CALCULATED, RunStatus.APPROVED, RunStatus.POSTING]


def _refuse_during_run(cycle_ids: Iterable[int]) -> None:
    run = (
        BillRun.objects.filter(cycle_id__in=[pk for pk in cycle_ids if pk], status__in=UNDER_WAY)
        .select_related("cycle")
        .first()
    )
    if run is not None:
        raise CycleError(
            f"Cycle {run.cycle.code} has a bill run under way (period to {run.period_end:%m/%d/%Y}, "
            f"{run.get_status_display().lower()}): its routes cannot change until the run is posted or cancelled."
        )


def cycle_save(
    *,
    actor,
    cycle: BillCycle,
    routes: Iterable[CycleRoute] = (),
    removed_routes: Iterable[CycleRoute] = (),
    reason: str = "",
) -> BillCycle:
    """Save a cycle (new or changed) with its routes: `routes` new or moved into it, `removed_routes` taken out."""
    require(actor, "billing.add_billcycle" if cycle._state.adding else "billing.change_billcycle")
    routes, removed_routes = list(routes), list(removed_routes)
    for row in routes:
        require(actor, "billing.add_cycleroute" if row._state.adding else "billing.change_cycleroute")
    if removed_routes:
        require(actor, "billing.delete_cycleroute")
    with transaction.atomic():
        record_save(actor=actor, obj=cycle, fields=CYCLE_FIELDS, action="bill_cycle", reason=reason)
        touched = {cycle.pk}
        for row in removed_routes:
            touched.add(CycleRoute.objects.get(pk=row.pk).cycle_id)
        for row in routes:
            if not row._state.adding:
                touched.add(CycleRoute.objects.get(pk=row.pk).cycle_id)
            elif (moved := CycleRoute.objects.filter(route_id=row.route_id).first()) is not None:
                raise CycleError(
                    f"Route {moved.route.code} is in cycle {moved.cycle.code}; take it out there first."
                )
        if routes or removed_routes:
            _refuse_during_run(touched)
        for row in removed_routes:
            record_delete(actor=actor, obj=row, fields=ROUTE_FIELDS, action="cycle_route", reason=reason)
        for row in routes:
            row.cycle = cycle
            record_save(actor=actor, obj=row, fields=ROUTE_FIELDS, action="cycle_route", reason=reason)
    return cycle


def cycle_delete(*, actor, cycle: BillCycle, reason: str = "") -> None:
    """Only a cycle never run (a mistake) is deleted, with its routes; otherwise mark it inactive."""
    require(actor, "billing.delete_billcycle")
    with transaction.atomic():
        current = BillCycle.objects.select_for_update().get(pk=cycle.pk)
        if current.runs.exists():
            raise CycleError(f"Cycle {current.code} has bill runs; mark it inactive instead of deleting it.")
        for row in current.cycle_routes.all():
            record_delete(actor=actor, obj=row, fields=ROUTE_FIELDS, action="cycle_route", reason=reason)
        record_delete(actor=actor, obj=current, fields=CYCLE_FIELDS, action="bill_cycle", reason=reason)
