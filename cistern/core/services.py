from collections.abc import Iterable
from datetime import date

import holidays as holiday_package
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from . import clock, roles
from .audit import audit_record, snapshot
from .models import AuthorityLimit, ClosureDay, DistrictSettings, Holiday, HolidaySource, NumberSequence
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
    "deposit_refund_no_lockoff",
]  # fmt: skip


def district_settings_update(*, actor, reason: str = "", **values) -> DistrictSettings:
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


def closure_day_add(*, actor, day: date, reason: str) -> ClosureDay:
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


def closure_day_remove(*, actor, closure: ClosureDay, reason: str = "") -> None:
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

    if Holiday._meta.db_table not in connections[using].introspection.table_names():
        return  # core migrated only part of the way
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
