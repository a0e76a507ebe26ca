"""Reads for field work: the board, a technician's day, the follow-up queue and the special programs."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F

from cistern.core import clock, roles
from cistern.customers.models import OPEN_STATUSES, Account, AccountStatus, Premise
from cistern.metering.models import (
    MeterInstallation,
    Read,
    ReadKind,
    ReadStatus,
    ServicePoint,
    ServicePointKind,
)

from . import lifecycle
from .models import OrderStatus, ServiceOrder

ORDER_RELATED = (
    "order_type", "premise", "account__customer", "service_point__route", "technician",
)  # fmt: skip


LOCK_OFF = "lock_off"  # the order type of a lock-off for nonpayment (migration 0002)


def accounts_locked_off_since(account_ids, since: date) -> set[int]:
    """The accounts among `account_ids` with a lock-off order completed on or after `since` (the ledger's
    lock-off source, for the deposit's good-payment rule)."""
    return set(
        ServiceOrder.objects.filter(
            account_id__in=list(account_ids), order_type__code=LOCK_OFF,
            status__in=[OrderStatus.COMPLETED, OrderStatus.CLOSED], completed_at__date__gte=since,
        ).values_list("account_id", flat=True)
    )  # fmt: skip


def service_point_for(premise: Premise | None) -> ServicePoint | None:
    """The service point an order at a premise is about: the domestic one with a meter, else the first."""
    if premise is None:
        return None
    points = list(premise.service_points.prefetch_related("installations"))
    with_meter = [p for p in points if any(i.removed_on is None for i in p.installations.all())]
    for group in (with_meter, points):
        for point in sorted(group, key=lambda p: (p.kind != ServicePointKind.DOMESTIC, p.pk)):
            return point
    return None


def technicians():
    return (
        get_user_model()
        .objects.filter(groups__name=roles.FIELD_TECHNICIAN, is_active=True)
        .order_by("first_name", "username")
    )


def route_order(queryset):
    """Orders in the order a technician drives them: route, read sequence, then time window."""
    return queryset.order_by(
        F("service_point__route__code").asc(nulls_last=True),
        F("service_point__read_sequence").asc(nulls_last=True),
        F("window_start").asc(nulls_last=True),
        "priority",
        "number",
    )


def order_get(number: int) -> ServiceOrder:
    return ServiceOrder.objects.select_related(
        *ORDER_RELATED, "read", "installation__meter", "completed_by", "followed_up_by", "source_read"
    ).get(number=number)


def current_installation(point: ServicePoint | None) -> MeterInstallation | None:
    """The meter installed at a service point now (with its meter), or None."""
    if point is None:
        return None
    return (
        MeterInstallation.objects.filter(service_point=point, removed_on__isnull=True)
        .select_related("meter")
        .first()
    )


def current_meter(order: ServiceOrder):
    installation = current_installation(order.service_point or service_point_for(order.premise))
    return installation.meter if installation else None


def current_meters(orders) -> dict[int, object]:
    """{order id: the meter at its service point now, or None}, for a day's orders in one query (orders
    without a service point are looked up one by one: new connections, a few a day)."""
    points = {o.pk: o.service_point_id or getattr(service_point_for(o.premise), "pk", None) for o in orders}
    installed = MeterInstallation.objects.filter(
        service_point_id__in={p for p in points.values() if p}, removed_on__isnull=True
    ).select_related("meter")
    meter_at = {i.service_point_id: i.meter for i in installed}
    return {order_id: meter_at.get(point) for order_id, point in points.items()}


def reread_reason(read: Read) -> str:
    """What a re-read is for: the meter, the read and its problems."""
    problems = "; ".join(p.get("message", "") for p in read.problems)
    return f"meter {read.meter.serial} read {read.value} on {read.read_on:%m/%d/%Y}: {problems}"


def technician_day(user, day: date):
    """A technician's orders for a day, in route order: still to do first, then done."""
    orders = ServiceOrder.objects.filter(technician=user, scheduled_on=day).exclude(status=OrderStatus.VOIDED)
    return route_order(orders.select_related(*ORDER_RELATED))


def board(day: date):
    """The dispatcher's day: scheduled orders by technician, and the open orders waiting for a day."""
    scheduled = route_order(
        ServiceOrder.objects.filter(scheduled_on=day)
        .exclude(status=OrderStatus.VOIDED)
        .select_related(*ORDER_RELATED)
    )
    waiting = (
        ServiceOrder.objects.filter(status=OrderStatus.OPEN)
        .select_related(*ORDER_RELATED)
        .order_by("priority", "requested_on", "number")
    )
    return scheduled, waiting


def account_orders(account):
    return account.service_orders.select_related("order_type", "technician").order_by("-number")[:50]


def follow_up_queue():
    return (
        ServiceOrder.objects.filter(
            follow_up=True,
            followed_up_at__isnull=True,
            status__in=[OrderStatus.COMPLETED, OrderStatus.CLOSED],
        )
        .select_related(*ORDER_RELATED, "completed_by")
        .order_by("completed_at", "number")
    )


def order_list(*, status: str = "", type_code: str = ""):
    orders = ServiceOrder.objects.select_related(*ORDER_RELATED)
    if status == "active":
        orders = orders.filter(status__in=lifecycle.ACTIVE)
    elif status:
        orders = orders.filter(status=status)
    if type_code:
        orders = orders.filter(order_type__code=type_code)
    return orders.order_by("-number")


# --- special programs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One order a program would create, as the preview shows it."""

    key: str
    premise_id: int
    address: str
    reason: str
    account_id: int | None = None
    account_number: str = ""
    service_point_id: int | None = None
    source_read_id: int | None = None


def _live_order_premises(type_code: str) -> set[int]:
    return set(
        ServiceOrder.objects.filter(order_type__code=type_code, status__in=lifecycle.ACTIVE).values_list(
            "premise_id", flat=True
        )
    )


def zero_read_candidates(*, reads: int = 3) -> list[Candidate]:
    """Active accounts whose last `reads` accepted reads all show zero consumption."""
    reads = max(1, int(reads))
    busy = _live_order_premises("zero_read")
    rows = (
        Read.objects.filter(
            status=ReadStatus.ACCEPTED, account__status=AccountStatus.ACTIVE, consumption__isnull=False
        )
        .exclude(kind=ReadKind.INITIAL)
        .order_by("account_id", "-read_on", "-id")
        .values_list("account_id", "consumption", "installation__service_point_id")
    )
    latest: dict[int, list] = {}
    points: dict[int, int] = {}
    for account_id, used, point_id in rows.iterator():
        seen = latest.setdefault(account_id, [])
        if len(seen) < reads:
            seen.append(used)
            points.setdefault(account_id, point_id)
    zero_ids = [a for a, used in latest.items() if len(used) == reads and all(u == 0 for u in used)]
    from cistern.customers.models import Account

    out = []
    for account in Account.objects.filter(pk__in=zero_ids).select_related("premise").order_by("number"):
        if account.premise_id in busy:
            continue
        out.append(
            Candidate(
                key=f"a{account.pk}",
                premise_id=account.premise_id,
                address=account.premise.service_address,
                reason=f"no usage on the last {reads} reads",
                account_id=account.pk,
                account_number=account.number,
                service_point_id=points.get(account.pk),
            )  # fmt: skip
        )
    return out


def meter_replacement_candidates(
    *, years: int = 15, size: str = "", make: str = "", today: date | None = None
):
    """Installed meters at least `years` old (by install date), optionally of one size and make."""
    today = today or clock.today()
    cutoff = today - timedelta(days=round(365.25 * int(years)))
    busy = _live_order_premises("meter_change")
    installs = MeterInstallation.objects.filter(
        removed_on__isnull=True, installed_on__lte=cutoff
    ).select_related("meter", "service_point__premise")
    if size:
        installs = installs.filter(meter__size=size)
    if make:
        installs = installs.filter(meter__make__iexact=make)
    installs = [
        i
        for i in installs.order_by("installed_on", "meter__serial")
        if i.service_point.premise_id not in busy
    ]
    open_accounts = {  # the open account at each premise, in one query (one per premise is a constraint)
        a.premise_id: a
        for a in Account.objects.filter(
            premise_id__in={i.service_point.premise_id for i in installs},
            status__in=OPEN_STATUSES,
        )
    }
    out = []
    for inst in installs:
        premise = inst.service_point.premise
        account = open_accounts.get(premise.pk)
        out.append(
            Candidate(
                key=f"i{inst.pk}",
                premise_id=premise.pk,
                address=premise.service_address,
                reason=f'meter {inst.meter.serial} ({inst.meter.size}" {inst.meter.make}) installed {inst.installed_on:%m/%d/%Y}',
                account_id=account.pk if account else None,
                account_number=account.number if account else "",
                service_point_id=inst.service_point_id,
            )  # fmt: skip
        )
    return out


def reread_candidates() -> list[Candidate]:
    """Reads waiting in the exception queue with no live re-read order yet."""
    answered = ServiceOrder.objects.filter(source_read__isnull=False).exclude(status=OrderStatus.VOIDED)
    reads = (
        Read.objects.filter(status=ReadStatus.EXCEPTION, installation__isnull=False)
        .exclude(pk__in=answered.values("source_read_id"))
        .select_related("meter", "account", "installation__service_point__premise")
        .order_by("read_on", "id")
    )
    out = []
    for read in reads:
        point = read.installation.service_point
        out.append(
            Candidate(
                key=f"r{read.pk}",
                premise_id=point.premise_id,
                address=point.premise.service_address,
                reason=reread_reason(read),
                account_id=read.account_id,
                account_number=read.account.number if read.account else "",
                service_point_id=point.pk,
                source_read_id=read.pk,
            )  # fmt: skip
        )
    return out


@dataclass(frozen=True)
class Program:
    name: str
    order_type: str
    candidates: Callable[..., list[Candidate]]
    params: tuple[str, ...]


PROGRAMS = {
    "zero_read": Program("Zero-read investigation", "zero_read", zero_read_candidates, ("reads",)),
    "meter_replacement": Program(
        "Meter replacement", "meter_change", meter_replacement_candidates, ("years", "size", "make")
    ),
    "reread": Program("Re-reads from the exception queue", "reread", reread_candidates, ()),
}
