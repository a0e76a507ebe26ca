from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from . import roles
from .audit import audit_record, snapshot
from .models import AuthorityLimit, ClosureDay, DistrictSettings, NumberSequence


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
