"""Reads for high usage: the "High usage to call" queue, its count, and an account's notices."""

from django.db.models import QuerySet

from . import high_usage
from .models import HighUsageNotice, HighUsageStatus


def _with_parts(notices: QuerySet) -> QuerySet:
    return notices.select_related(
        "account__customer", "account__premise", "bill", "last_year_bill", "correspondence", "done_by"
    )


def _row(notice: HighUsageNotice) -> dict:
    return {"notice": notice, "percent": high_usage.percent_above(notice.units, notice.last_year_units)}


def open_notices(limit: int = 500) -> list[dict]:
    """Open notices, oldest first (the order they are called in), each with its percent above last year."""
    notices = _with_parts(HighUsageNotice.objects.filter(status=HighUsageStatus.OPEN)).order_by("id")[:limit]
    return [_row(n) for n in notices]


def open_count() -> int:
    return HighUsageNotice.objects.filter(status=HighUsageStatus.OPEN).count()


def account_notices(account_id: int) -> list[dict]:
    """The account's notices, newest first."""
    notices = _with_parts(HighUsageNotice.objects.filter(account_id=account_id)).order_by("-id")
    return [_row(n) for n in notices]
