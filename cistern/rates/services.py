"""Every write to the rate schedules, their versions and tables, the billed schedule and the fee catalog: the
acting user first, one transaction, audited with before and after (core.services.record_save).

Billed history is closed: a version that a posted bill was rated with cannot be edited or deleted, and no change
(a version's date, a new or removed version, a billed-schedule switch) may alter which version billed a day that
a posted bill covers. A new rate is a new version from a later date. Billing, above this app, tells it which
days posted bills cover (`register_billed_periods`)."""

from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction

from cistern.core import clock
from cistern.core.permissions import require
from cistern.core.services import record_delete, record_save

from . import selectors
from .models import BasicFee, BilledSchedule, Fee, FeeCap, RateSchedule, RateScheduleVersion, UsageBlock


class RatesError(Exception):
    """A change to rates or fees that cannot be made; the message tells the clerk why and what to do instead."""


SCHEDULE_FIELDS = ["code", "name", "kind", "resolution", "notes"]
VERSION_FIELDS = ["schedule", "effective_from", "notes", "basic_gl", "usage_gl"]
BASIC_FEE_FIELDS = ["version", "rate_class", "meter_size", "monthly_amount", "assumed"]
USAGE_BLOCK_FIELDS = [
    "version",
    "rate_class",
    "meter_size",
    "tier",
    "after_units",
    "through_units",
    "price_per_unit",
]
BILLED_FIELDS = ["effective_from", "schedule", "decision"]
FEE_FIELDS = [
    "code",
    "name",
    "kind",
    "amount",
    "percent",
    "after_days",
    "gl_account",
    "effective_from",
    "source",
    "is_interest",
]
FEE_FIGURES = ["kind", "amount", "percent", "after_days", "gl_account", "effective_from"]

# --- what posted bills cover (billing registers it) ------------------------------------------------------------

_billed_period_sources: list[Callable[[date, date | None], bool]] = []


def register_billed_periods(source: Callable[[date, date | None], bool]) -> None:
    """`source(start, end)`: does a posted bill cover a day in [start, end) (end None: no end)?"""
    if source not in _billed_period_sources:
        _billed_period_sources.append(source)


def _billed(start: date | None, end: date | None) -> bool:
    return any(source(start or date.min, end) for source in _billed_period_sources)


def _spans(timeline) -> list[tuple[date, date | None, int]]:
    return [
        (begins, timeline[i + 1][0] if i + 1 < len(timeline) else None, version.pk)
        for i, (begins, version) in enumerate(timeline)
    ]


def version_billed(version: RateScheduleVersion) -> bool:
    """Did a posted bill use this version (a day it was billed on lies in a posted bill's period)?"""
    if version.pk is None:
        return False
    return any(
        _billed(begins, ends) for begins, ends, pk in _spans(selectors.billed_versions()) if pk == version.pk
    )


def _version_on(timeline, day: date) -> int | None:
    found = None
    for begins, version in timeline:
        if begins <= day:
            found = version.pk
    return found


def _keep_billed_history(before) -> None:
    """Refuse (inside the caller's transaction) a change after which some day that a posted bill covers would be
    billed at another version than it was."""
    after = selectors.billed_versions()
    points = sorted({begins for begins, _ in before} | {begins for begins, _ in after})
    for index, start in enumerate(points):
        end = points[index + 1] if index + 1 < len(points) else None
        if _version_on(before, start) != _version_on(after, start) and _billed(start, end):
            raise RatesError(
                f"Posted bills cover {start:%m/%d/%Y}: the rates billed from that date cannot change. "
                "Add a new version (or billed schedule) effective after the last posted bill instead."
            )


def _refuse_if_billed(version: RateScheduleVersion, doing: str) -> None:
    if version_billed(version):
        raise RatesError(
            f"{version} was used by posted bills, so it cannot be {doing}. "
            "Add a new version from a later date with the new rates instead."
        )


# --- schedules -------------------------------------------------------------------------------------------------


def schedule_save(*, actor, schedule: RateSchedule, reason: str = "") -> RateSchedule:
    """A new schedule the board adopted, or its name, resolution and notes corrected."""
    require(actor, "rates.add_rateschedule" if schedule._state.adding else "rates.change_rateschedule")
    return record_save(
        actor=actor, obj=schedule, fields=SCHEDULE_FIELDS, action="rate_schedule", reason=reason
    )


def schedule_delete(*, actor, schedule: RateSchedule, reason: str = "") -> None:
    require(actor, "rates.delete_rateschedule")

    def check(current):
        if current.versions.exists() or BilledSchedule.objects.filter(schedule=current).exists():
            raise RatesError(f"{current} has versions or was billed; it cannot be deleted.")

    record_delete(
        actor=actor, obj=schedule, fields=SCHEDULE_FIELDS, action="rate_schedule", reason=reason, check=check
    )


# --- versions and their tables ---------------------------------------------------------------------------------


def version_save(
    *,
    actor,
    version: RateScheduleVersion,
    rows: Iterable[BasicFee | UsageBlock] = (),
    deleted_rows: Iterable[BasicFee | UsageBlock] = (),
    reason: str = "",
) -> RateScheduleVersion:
    """Save a version with its basic fees and usage blocks (new or changed `rows`, `deleted_rows` removed), all or
    nothing. Refused for a version posted bills used, and for a change that would alter billed history."""
    adding = version._state.adding
    require(actor, "rates.add_ratescheduleversion" if adding else "rates.change_ratescheduleversion")
    rows, deleted_rows = list(rows), list(deleted_rows)
    for row in rows:
        require(actor, f"rates.{'add' if row._state.adding else 'change'}_{row._meta.model_name}")
    for row in deleted_rows:
        require(actor, f"rates.delete_{row._meta.model_name}")
    with transaction.atomic():
        before = selectors.billed_versions()
        if not adding:
            _refuse_if_billed(RateScheduleVersion.objects.select_for_update().get(pk=version.pk), "edited")
        record_save(actor=actor, obj=version, fields=VERSION_FIELDS, action="rate_version", reason=reason)
        for row in deleted_rows:
            if row.version_id != version.pk:
                raise RatesError(f"{row} is not a row of {version}.")
            fields = BASIC_FEE_FIELDS if isinstance(row, BasicFee) else USAGE_BLOCK_FIELDS
            record_delete(actor=actor, obj=row, fields=fields, action=_row_action(row), reason=reason)
        for row in rows:
            row.version = version
            fields = BASIC_FEE_FIELDS if isinstance(row, BasicFee) else USAGE_BLOCK_FIELDS
            record_save(actor=actor, obj=row, fields=fields, action=_row_action(row), reason=reason)
        _keep_billed_history(before)
    return version


def _row_action(row) -> str:
    return "rate_basic_fee" if isinstance(row, BasicFee) else "rate_usage_block"


def version_delete(*, actor, version: RateScheduleVersion, reason: str = "") -> None:
    """Delete a version never billed (a mistake), with its tables; each row's last state is kept in the trail."""
    require(actor, "rates.delete_ratescheduleversion")
    with transaction.atomic():
        before = selectors.billed_versions()
        current = RateScheduleVersion.objects.select_for_update().get(pk=version.pk)
        _refuse_if_billed(current, "deleted")
        for row in [*current.basic_fees.all(), *current.usage_blocks.all()]:
            fields = BASIC_FEE_FIELDS if isinstance(row, BasicFee) else USAGE_BLOCK_FIELDS
            record_delete(actor=actor, obj=row, fields=fields, action=_row_action(row), reason=reason)
        record_delete(actor=actor, obj=current, fields=VERSION_FIELDS, action="rate_version", reason=reason)
        _keep_billed_history(before)


# --- which schedule is billed ----------------------------------------------------------------------------------


def billed_schedule_save(*, actor, billed: BilledSchedule, reason: str = "") -> BilledSchedule:
    """The board bills a schedule from a date on; a switch never reaches back into posted bills."""
    require(actor, "rates.add_billedschedule" if billed._state.adding else "rates.change_billedschedule")
    with transaction.atomic():
        before = selectors.billed_versions()
        record_save(actor=actor, obj=billed, fields=BILLED_FIELDS, action="billed_schedule", reason=reason)
        _keep_billed_history(before)
    return billed


def billed_schedule_delete(*, actor, billed: BilledSchedule, reason: str = "") -> None:
    require(actor, "rates.delete_billedschedule")
    with transaction.atomic():
        before = selectors.billed_versions()
        record_delete(actor=actor, obj=billed, fields=BILLED_FIELDS, action="billed_schedule", reason=reason)
        _keep_billed_history(before)


# --- the fee catalog -------------------------------------------------------------------------------------------


def fee_save(*, actor, fee: Fee, reason: str = "") -> Fee:
    """A fee of the catalog from a date on. A fee already in force keeps its figures (amount, percent, days, GL
    account, date): a new amount is a new row from a later date. Its name and source may be corrected."""
    require(actor, "rates.add_fee" if fee._state.adding else "rates.change_fee")
    today = clock.today()

    def check(current, new):
        if current is None or current.effective_from > today:
            return
        changed = [name for name in FEE_FIGURES if getattr(current, name) != getattr(new, name)]
        if changed or current.code != new.code:
            raise RatesError(
                f"{current.name} has been in force since {current.effective_from:%m/%d/%Y}: its figures "
                f"({', '.join(changed or ['code'])}) cannot change. Add the fee again with the new figures "
                "from the date they apply."
            )

    return record_save(actor=actor, obj=fee, fields=FEE_FIELDS, action="fee", reason=reason, check=check)


def fee_delete(*, actor, fee: Fee, reason: str = "") -> None:
    """Only a fee not yet in force (a mistake) is deleted."""
    require(actor, "rates.delete_fee")
    today = clock.today()

    def check(current):
        if current.effective_from <= today:
            raise RatesError(
                f"{current.name} has been in force since {current.effective_from:%m/%d/%Y}; it cannot be deleted. "
                "Add a row from a later date instead."
            )

    record_delete(actor=actor, obj=fee, fields=FEE_FIELDS, action="fee", reason=reason, check=check)


# --- the low-income caps on fees --------------------------------------------------------------------------------

FEE_CAP_FIELDS = ["fee_code", "starts_on", "amount", "note"]


def fee_cap_save(*, actor, cap: FeeCap, reason: str = "") -> FeeCap:
    """A low-income cap on a fee from a date on. A cap in force keeps its code, date and amount: the yearly
    inflation adjustment is a new row from the date it applies. Its note may be corrected."""
    require(actor, "rates.add_feecap" if cap._state.adding else "rates.change_feecap")
    if cap.amount is not None and cap.amount < 0:
        raise RatesError("A cap is an amount of 0 or more.")
    today = clock.today()

    def check(current, new):
        if current is None or current.starts_on > today:
            return
        changed = [
            name
            for name in ("fee_code", "starts_on", "amount")
            if getattr(current, name) != getattr(new, name)
        ]
        if changed:
            raise RatesError(
                f"The cap on {current.fee_code} has been in force since {current.starts_on:%m/%d/%Y}: its "
                f"{', '.join(changed)} cannot change. Add a cap from the date the new figure applies."
            )

    return record_save(
        actor=actor, obj=cap, fields=FEE_CAP_FIELDS, action="fee_cap", reason=reason, check=check
    )


def fee_cap_delete(*, actor, cap: FeeCap, reason: str = "") -> None:
    """Only a cap not yet in force (a mistake) is deleted."""
    require(actor, "rates.delete_feecap")
    today = clock.today()

    def check(current):
        if current.starts_on <= today:
            raise RatesError(
                f"The cap on {current.fee_code} has been in force since {current.starts_on:%m/%d/%Y}; it cannot "
                "be deleted. Add a cap from a later date instead."
            )

    record_delete(actor=actor, obj=cap, fields=FEE_CAP_FIELDS, action="fee_cap", reason=reason, check=check)
