from decimal import Decimal

from django.db.models import Max

from .calendar import BusinessCalendar
from .models import AuditEvent, AuthorityLimit, ClosureDay, DistrictSettings


def district_settings() -> DistrictSettings:
    settings, _ = DistrictSettings.objects.get_or_create(id=1)
    return settings


def district_calendar() -> BusinessCalendar:
    district = district_settings()
    return BusinessCalendar.with_closures(
        ClosureDay.objects.values_list("day", flat=True), subdivision=district.holiday_subdivision
    )


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
