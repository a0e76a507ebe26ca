from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

import holidays as holiday_package
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from . import clock, roles
from .audit import audit_record, snapshot
from .models import (
    AuthorityKind,
    AuthorityLimit,
    ClosureDay,
    DistrictSettings,
    DistrictSuspension,
    Holiday,
    HolidaySource,
    NumberSequence,
)
from .permissions import require


class CoreError(Exception):
    """A district-level change that cannot be made; the message says why."""


def sequence_next(*, name: str, start: int = 1, count: int = 1) -> int:
    """Reserve `count` numbers of sequence `name` and return the first. Row-locked, so never handed out twice."""
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(
            name=name, defaults={"next_value": start}
        )
        first = seq.next_value
        NumberSequence.objects.filter(name=name).update(next_value=first + count)
    return first


def roles_sync() -> None:
    """Make the groups and their permissions match core/roles.py; add missing default authority limits."""
    wanted = {p for perms in roles.ROLE_PERMISSIONS.values() for p in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type"):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    missing = wanted - by_name.keys()
    if missing:
        # Apps not yet migrated (e.g. a partial migrate): try again after the next migrate.
        return
    groups = {}
    for role in roles.ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in roles.ROLE_PERMISSIONS[role]])
        groups[role] = group
    for kind, per_role in roles.DEFAULT_AUTHORITY_LIMITS.items():
        for role, amount in per_role.items():
            AuthorityLimit.objects.get_or_create(role=groups[role], kind=kind, defaults={"amount": amount})


def after_migrate(sender, app_config=None, using="default", **kwargs):
    """Each app's database guards are put back, and the roles synced once every permission they name exists
    (post_migrate comes app by app, so the first calls find the later apps' permissions missing)."""
    from django.db import connections

    from .db_guards import install_append_only

    if app_config is None:
        return
    install_append_only(connections[using], app_config.label)
    roles_sync()


DISTRICT_FIELDS = [
    "name", "short_name", "street", "city", "state", "zip_code", "phone", "email",
    "time_zone", "office_opens", "office_closes", "holiday_subdivision", "account_setup_fee",
    "guarantee_deposit", "regular_period_min_days", "regular_period_max_days", "bill_due_days", "bill_high_percent",
    "due_on_business_day", "final_bill_days", "deposit_refund_months", "deposit_refund_max_late",
    "deposit_refund_no_lockoff", "reminder_days", "shutoff_notice_days", "shutoff_delinquent_days",
    "shutoff_notice_business_days", "shutoff_notice_calendar_days", "occupant_notice_days", "door_hanger_hours",
    "final_notice_business_days", "shutoff_minimum_amount", "reconnect_cutoff", "collections_phone", "write_off_days",
]  # fmt: skip


def district_settings_update(*, actor, reason: str = "", **values) -> DistrictSettings:
    require(actor, "core.change_districtsettings")
    unknown = set(values) - set(DISTRICT_FIELDS)
    if unknown:
        raise CoreError(f"Unknown district setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        district, _ = DistrictSettings.objects.select_for_update().get_or_create(id=1)
        before = snapshot(district, DISTRICT_FIELDS)
        for key, value in values.items():
            setattr(district, key, value)
        if district.office_closes <= district.office_opens:
            raise CoreError("The office must close after it opens.")
        district.full_clean()
        district.save()
        audit_record(
            actor=actor, action="district.update", obj=district, before=before,
            after=snapshot(district, DISTRICT_FIELDS), reason=reason,
        )  # fmt: skip
    return district


def suspension_add(
    *, actor, starts_on: date, ends_on: date, reason: str, late_fees: bool = True, shutoffs: bool = True
) -> DistrictSuspension:
    """A board's district-wide suspension of late fees and/or shutoffs. Added, never edited: a suspension
    ended early is recorded by `suspension_end`."""
    require(actor, "core.add_districtsuspension")
    if not reason.strip():
        raise CoreError("Say why the district suspends collections (the board's action).")
    if ends_on < starts_on:
        raise CoreError("A suspension ends on or after the day it starts.")
    if not (late_fees or shutoffs):
        raise CoreError("A suspension suspends late fees, shutoffs or both.")
    with transaction.atomic():
        suspension = DistrictSuspension.objects.create(
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            late_fees=late_fees,
            shutoffs=shutoffs,
        )
        audit_record(
            actor=actor, action="suspension.add", obj=suspension, reason=reason,
            after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "late_fees": late_fees,
                   "shutoffs": shutoffs},
        )  # fmt: skip
    return suspension


def suspension_end(
    *, actor, suspension: DistrictSuspension, ends_on: date, reason: str
) -> DistrictSuspension:
    """End a suspension earlier (or later) than the board first said."""
    require(actor, "core.change_districtsuspension")
    if not reason.strip():
        raise CoreError("Say why the suspension's end changes.")
    with transaction.atomic():
        current = DistrictSuspension.objects.select_for_update().get(pk=suspension.pk)
        if ends_on < current.starts_on:
            raise CoreError("A suspension ends on or after the day it starts.")
        before = {"ends_on": current.ends_on.isoformat()}
        current.ends_on = ends_on
        current.save(update_fields=["ends_on"])
        audit_record(
            actor=actor, action="suspension.end", obj=current, before=before,
            after={"ends_on": ends_on.isoformat()}, reason=reason,
        )  # fmt: skip
    return current


def closure_day_add(*, actor, day: date, reason: str) -> ClosureDay:
    require(actor, "core.add_closureday")
    if not reason.strip():
        raise CoreError("Say why the office is closed that day.")
    with transaction.atomic():
        if ClosureDay.objects.filter(day=day).exists():
            raise CoreError(f"{day:%m/%d/%Y} is already a closure day.")
        closure = ClosureDay.objects.create(day=day, reason=reason.strip())
        audit_record(
            actor=actor, action="closure_day.add", obj=closure,
            after={"day": day.isoformat(), "reason": closure.reason}, reason=reason,
        )  # fmt: skip
    return closure


def closure_day_change(*, actor, closure: ClosureDay, day: date, reason: str) -> ClosureDay:
    """Move a closure day or restate why the office is closed (the board's decision changed)."""
    require(actor, "core.change_closureday")
    if not reason.strip():
        raise CoreError("Say why the office is closed that day.")
    with transaction.atomic():
        current = ClosureDay.objects.select_for_update().get(pk=closure.pk)
        if ClosureDay.objects.filter(day=day).exclude(pk=current.pk).exists():
            raise CoreError(f"{day:%m/%d/%Y} is already a closure day.")
        before = {"day": current.day.isoformat(), "reason": current.reason}
        current.day, current.reason = day, reason.strip()
        current.save(update_fields=["day", "reason"])
        audit_record(
            actor=actor, action="closure_day.change", obj=current, before=before,
            after={"day": day.isoformat(), "reason": current.reason}, reason=reason,
        )  # fmt: skip
    return current


def closure_day_remove(*, actor, closure: ClosureDay, reason: str = "") -> None:
    require(actor, "core.delete_closureday")
    with transaction.atomic():
        audit_record(
            actor=actor, action="closure_day.remove", obj=closure,
            before={"day": closure.day.isoformat(), "reason": closure.reason}, after={}, reason=reason,
        )  # fmt: skip
        closure.delete()


# --- holidays: the district's list, seeded from the `holidays` package ---------------------------------------

# Years loaded after each migrate, around the district's today.
HOLIDAY_YEARS_BACK, HOLIDAY_YEARS_AHEAD = 5, 3


def package_holidays(subdivision: str, years: Iterable[int]) -> dict[date, tuple[str, bool]]:
    """day -> (name, observed) from the `holidays` package: the state's list (federal holidays the state keeps,
    and its own) observed; federal holidays the state skips listed as not observed, for the district to mark."""
    years = list(years)
    state = holiday_package.country_holidays("US", subdiv=subdivision, years=years)
    federal = holiday_package.country_holidays("US", years=years)
    rows = {day: (name[:120], True) for day, name in state.items()}
    for day, name in federal.items():
        rows.setdefault(day, (name[:120], False))
    return rows


def holidays_load(*, actor, years: Iterable[int]) -> int:
    """Add the package's holidays of `years` that are not on the district's list yet; a day already listed
    (loaded before, marked, or added by the district) is left as it is. Returns the number added. `actor`
    None is the system loading after migrate (reference data, not audited, like the demo's conversion)."""
    years = sorted(set(years))
    if actor is not None:
        require(actor, "core.add_holiday")
    with transaction.atomic():
        district, _ = DistrictSettings.objects.get_or_create(id=1)
        wanted = package_holidays(district.holiday_subdivision, years)
        listed = set(Holiday.objects.filter(day__in=list(wanted)).values_list("day", flat=True))
        new = [
            Holiday(day=day, name=name, observed=observed, source=HolidaySource.PACKAGE)
            for day, (name, observed) in sorted(wanted.items())
            if day not in listed
        ]
        Holiday.objects.bulk_create(new, ignore_conflicts=True)
        if new and actor is not None:
            audit_record(
                actor=actor, action="holiday.load", obj=district,
                after={"years": years, "subdivision": district.holiday_subdivision, "added": len(new)},
            )  # fmt: skip
    return len(new)


def holidays_after_migrate(sender, using="default", **kwargs):
    """After every migrate (and test-database flush): the package's holidays around today are on the list."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    if Holiday._meta.db_table not in connections[using].introspection.table_names():
        return  # core migrated only part of the way
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrated back (or part of the way): today's models do not match the tables yet
    year = clock.today().year
    holidays_load(actor=None, years=range(year - HOLIDAY_YEARS_BACK, year + HOLIDAY_YEARS_AHEAD + 1))


def holiday_add(*, actor, day: date, name: str, reason: str = "") -> Holiday:
    """The district observes a holiday not on its list (a federal one its state skips, a local one)."""
    require(actor, "core.add_holiday")
    if not name.strip():
        raise CoreError("Name the holiday.")
    with transaction.atomic():
        listed = Holiday.objects.select_for_update().filter(day=day).first()
        if listed is not None:
            if listed.observed:
                raise CoreError(f"{day:%m/%d/%Y} is already a holiday ({listed.name}).")
            raise CoreError(
                f"{day:%m/%d/%Y} is on the list as {listed.name}, not observed: mark it observed instead."
            )
        holiday = Holiday.objects.create(
            day=day, name=name.strip(), observed=True, source=HolidaySource.DISTRICT
        )
        audit_record(
            actor=actor, action="holiday.add", obj=holiday,
            after={"day": day.isoformat(), "name": holiday.name, "observed": True}, reason=reason,
        )  # fmt: skip
    return holiday


def holiday_set_observed(*, actor, holiday: Holiday, observed: bool, reason: str = "") -> Holiday:
    """Close the office on a listed holiday (observed) or keep it open (not observed). Unchanged: no-op."""
    require(actor, "core.change_holiday")
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
        if holiday.observed == observed:
            return holiday
        holiday.observed = observed
        holiday.save(update_fields=["observed"])
        audit_record(
            actor=actor, action="holiday.observe" if observed else "holiday.unobserve", obj=holiday,
            before={"observed": not observed}, after={"observed": observed}, reason=reason,
        )  # fmt: skip
    return holiday


# --- authority limits: the district's data, never changed by those it limits ---------------------------------


def _own_role_refused(actor, role: Group) -> None:
    """Nobody changes a limit of a role they hold: that would be raising their own authority. A superuser's own
    authority is unlimited already (selectors.authority_limit), so the district's IT keeps the last word."""
    if actor.is_superuser:
        return
    if actor.groups.filter(pk=role.pk).exists():
        raise CoreError(
            f"You hold the {role.name} role, so you cannot change its limits: nobody sets their own authority. "
            "Someone who does not hold the role (or the district's administrator) makes this change."
        )


def _limit_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise CoreError(f"{amount!r} is not an amount.") from None
    if not value.is_finite() or value < 0:
        raise CoreError("A limit is an amount of zero or more.")
    if value >= Decimal("10000000000"):
        raise CoreError("A limit is at most $9,999,999,999.99.")
    return value.quantize(Decimal("0.01"))


LIMIT_FIELDS = ["role", "kind", "amount"]


def authority_limit_set(*, actor, role: Group, kind: str, amount, reason: str = "") -> AuthorityLimit:
    """Set `role`'s limit of `kind` (making the row when the role has none). Audited with before and after."""
    amount = _limit_amount(amount)
    if kind not in AuthorityKind.values:
        raise CoreError(f"{kind!r} is not a kind of authority limit.")
    with transaction.atomic():
        limit = AuthorityLimit.objects.select_for_update().filter(role=role, kind=kind).first()
        require(actor, "core.change_authoritylimit" if limit else "core.add_authoritylimit")
        _own_role_refused(actor, role)
        before = snapshot(limit, LIMIT_FIELDS) if limit else {}
        if limit is None:
            limit = AuthorityLimit(role=role, kind=kind, amount=amount)
        limit.amount = amount
        limit.save()
        after = snapshot(limit, LIMIT_FIELDS)
        if before != after:
            audit_record(
                actor=actor, action="authority_limit.change" if before else "authority_limit.add", obj=limit,
                before=before, after=after, reason=reason,
            )  # fmt: skip
    return limit


def authority_limit_update(*, actor, limit: AuthorityLimit, amount, reason: str = "") -> AuthorityLimit:
    """Change an existing limit's amount (the row's role and kind stay)."""
    current = AuthorityLimit.objects.select_related("role").get(pk=limit.pk)
    return authority_limit_set(
        actor=actor, role=current.role, kind=current.kind, amount=amount, reason=reason
    )


def authority_limit_remove(*, actor, limit: AuthorityLimit, reason: str = "") -> None:
    """The role then has no authority of that kind (zero: everything above nothing waits for approval)."""
    require(actor, "core.delete_authoritylimit")
    with transaction.atomic():
        limit = AuthorityLimit.objects.select_for_update().select_related("role").get(pk=limit.pk)
        _own_role_refused(actor, limit.role)
        audit_record(
            actor=actor, action="authority_limit.remove", obj=limit, before=snapshot(limit, LIMIT_FIELDS),
            after={}, reason=reason,
        )  # fmt: skip
        limit.delete()


# --- saving a row of district data with its before and after -------------------------------------------------


def record_save(
    *,
    actor,
    obj: models.Model,
    fields: list[str],
    action: str,
    reason: str = "",
    check: Callable[[models.Model | None, models.Model], None] | None = None,
) -> models.Model:
    """Save `obj` (new or changed) validated, in one transaction, with its before and after in the audit trail
    (`<action>.add` or `<action>.change`; nothing changed, nothing recorded). `check(current, obj)` sees the
    stored row (None for a new one) and may refuse by raising. The caller has checked the permission."""
    with transaction.atomic():
        current = None
        if obj.pk is not None and not obj._state.adding:
            current = type(obj).objects.select_for_update().filter(pk=obj.pk).first()
        if check is not None:
            check(current, obj)
        before = snapshot(current, fields) if current is not None else {}
        obj.full_clean()
        obj.save()
        after = snapshot(obj, fields)
        if before != after:
            audit_record(
                actor=actor, action=f"{action}.{'change' if current is not None else 'add'}", obj=obj,
                before=before, after=after, reason=reason,
            )  # fmt: skip
    return obj


def record_delete(
    *,
    actor,
    obj: models.Model,
    fields: list[str],
    action: str,
    reason: str = "",
    check: Callable[[models.Model], None] | None = None,
) -> None:
    """Delete `obj` in one transaction, its last state kept in the audit trail (`<action>.delete`)."""
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        if check is not None:
            check(current)
        audit_record(
            actor=actor, action=f"{action}.delete", obj=current, before=snapshot(current, fields), after={},
            reason=reason,
        )  # fmt: skip
        try:
            current.delete()
        except models.ProtectedError:
            raise CoreError(f"{current} is still used by other records; it cannot be deleted.") from None
