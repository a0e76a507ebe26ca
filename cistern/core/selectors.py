from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max

from .calendar import BusinessCalendar
from .models import AuditEvent, AuthorityLimit, ClosureDay, DistrictSettings, DistrictSuspension, Holiday


def district_settings() -> DistrictSettings:
    settings, _ = DistrictSettings.objects.get_or_create(id=1)
    return settings


def district_calendar() -> BusinessCalendar:
    """The office's calendar from the district's rows: its observed holidays and its closure days. Read fresh
    on each call (two small queries), so an edit counts at once."""
    return BusinessCalendar.with_closures(
        ClosureDay.objects.values_list("day", flat=True),
        holidays=dict(Holiday.objects.filter(observed=True).values_list("day", "name")),
    )


def suspensions(*, late_fees: bool | None = None, shutoffs: bool | None = None) -> list[DistrictSuspension]:
    """The district's suspensions of collections, those of late fees or of shutoffs when asked."""
    found = DistrictSuspension.objects.all()
    if late_fees is not None:
        found = found.filter(late_fees=late_fees)
    if shutoffs is not None:
        found = found.filter(shutoffs=shutoffs)
    return list(found.order_by("starts_on"))


def due_date_for(bill_date: date) -> date:
    """A bill's due date: `bill_due_days` after its bill date, moved to the next business day when that day
    the office is closed and the district asks for it (`due_on_business_day`)."""
    district = district_settings()
    due = bill_date + timedelta(days=district.bill_due_days)
    if district.due_on_business_day:
        due = district_calendar().business_day_on_or_after(due)
    return due


def holidays_in(year: int):
    return Holiday.objects.filter(day__year=year)


def authority_limit(*, user, kind: str) -> Decimal:
    """The largest amount `user` may approve alone for `kind`: the highest of their roles' limits, else 0."""
    if user.is_superuser:
        return Decimal("Infinity")
    limit = AuthorityLimit.objects.filter(role__user=user, kind=kind).aggregate(m=Max("amount"))["m"]
    return limit if limit is not None else Decimal("0.00")


def audit_for_account(account_id: int, limit: int = 100):
    return AuditEvent.objects.filter(account_id=account_id).select_related("actor")[:limit]


def audit_for_user(user_id: int, limit: int = 200):
    return AuditEvent.objects.filter(actor_id=user_id).select_related("actor")[:limit]
