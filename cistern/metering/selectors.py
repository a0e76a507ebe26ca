from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from cistern.customers.models import Account

from . import chart
from .models import Meter, MeterInstallation, Read, ReadKind, ReadRules, ReadStatus
from .reading import PriorRead, ReadFacts, Register, consumption, estimate_usage


def read_rules() -> ReadRules:
    rules, _ = ReadRules.objects.get_or_create(id=1)
    return rules


def installation_on(meter: Meter, on: date) -> MeterInstallation | None:
    """The installation of `meter` in force on `on` (a change-out day belongs to the new meter)."""
    return (
        meter.installations.filter(installed_on__lte=on)
        .exclude(removed_on__lt=on)
        .select_related("service_point__premise")
        .order_by("-installed_on")
        .first()
    )


def account_at(premise_id: int, on: date) -> Account | None:
    """The account receiving service at a premise on a date, if any."""
    return (
        Account.objects.filter(premise_id=premise_id, start_date__lte=on)
        .exclude(end_date__lt=on)
        .order_by("-start_date")
        .first()
    )


def accepted_reads(installation: MeterInstallation, before: date | None = None, limit: int = 16):
    reads = Read.objects.filter(installation=installation, status=ReadStatus.ACCEPTED)
    if before is not None:
        reads = reads.filter(read_on__lt=before)
    return list(reads.order_by("-read_on")[:limit])


def _periods(history: list[Read], read_on: date) -> tuple[tuple[Decimal, ...], Decimal | None]:
    """From accepted reads (newest first): the usage of the last 3 periods before `read_on`, and of the period
    a year before it (within 15 days). An initial read (0 at install) is not a period of use: it would halve
    the yardstick."""
    periods = [r for r in history if r.consumption is not None and r.kind != ReadKind.INITIAL]
    recent = tuple(r.consumption for r in periods if r.read_on < read_on)[:3]
    year_ago = read_on - timedelta(days=365)
    last_year = next((r.consumption for r in periods if abs((r.read_on - year_ago).days) <= 15), None)
    return recent, last_year


def read_facts(
    *,
    meter: Meter | None,
    read_on: date,
    value: Decimal,
    installation: MeterInstallation | None,
    account: Account | None,
    kind: str = "actual",
) -> ReadFacts:
    """Gather what validation needs for one read (its meter's installation and the account at the premise on
    that date are the caller's: it stores them with the read). The bulk import builds the same facts
    file-wide."""
    rules = read_rules()
    common = {
        "read_on": read_on, "value": value, "high_percent": rules.high_percent, "low_percent": rules.low_percent,
        "minimum_typical_units": rules.minimum_typical_units, "rollover_window_percent": rules.rollover_window_percent,
        "kind": kind,
    }  # fmt: skip
    if meter is None:
        return ReadFacts(meter_known=False, **common)
    register = Register(dials=meter.dials, multiplier=meter.multiplier)
    same_day = Read.objects.filter(meter=meter, read_on=read_on).exclude(status=ReadStatus.REJECTED)
    if installation is None:  # a read of a meter in stock or retired on that date: an exception to review
        return ReadFacts(
            meter_known=True, register=register, installed=False, account_active=None,
            same_day_values=tuple(same_day.values_list("value", flat=True)), **common,
        )  # fmt: skip
    history = accepted_reads(installation, limit=16)
    # The last accepted read, whatever its date: a read dated before it is "older than the last read" and
    # is measured from nothing, rather than slipping in between and counting the same water twice.
    previous = history[0] if history else None
    if previous is not None:
        prior = PriorRead(previous.read_on, previous.value)
    else:
        prior = PriorRead(installation.installed_on, installation.initial_value)
    recent, last_year = _periods(history, read_on)
    return ReadFacts(
        meter_known=True,
        register=register,
        previous=prior,
        same_day_values=tuple(same_day.values_list("value", flat=True)),
        account_active=None if account is None else account.in_service_on(read_on),
        recent_usage=recent,
        usage_last_year=last_year,
        **common,
    )


# --- estimates, the exception queue, the account panel and meter search (added with the review queue) ------


@dataclass(frozen=True)
class EstimatePlan:
    value: Decimal  # the register value the estimated read records
    units: Decimal  # its consumption
    basis: str  # what it was estimated from, for the read's note


def estimate_for(read: Read) -> EstimatePlan | str:
    """What an estimated read in place of `read` would record, or why none can be made (a message)."""
    installation = read.installation
    if installation is None:
        return "The meter was not installed on that date; there is nothing to estimate."
    accepted = Read.objects.filter(installation=installation, status=ReadStatus.ACCEPTED)
    if accepted.filter(read_on__gte=read.read_on).exists():
        return (
            "A read on or after this date is already accepted; an estimate can only replace the latest read."
        )
    history = accepted_reads(installation, limit=16)  # all before this read (checked above)
    if history:
        previous = PriorRead(history[0].read_on, history[0].value)
    else:
        previous = PriorRead(installation.installed_on, installation.initial_value)
    recent, last_year = _periods(history, read.read_on)
    days = (read.read_on - previous.read_on).days
    units = estimate_usage(usage_last_year=last_year, recent_usage=recent, days=days)
    if units is None:
        return (
            "There is no read history at this meter to estimate from; accept or reject the read, or send a "
            "re-read."
        )
    meter = read.meter
    register = Register(dials=meter.dials, multiplier=meter.multiplier)
    step = (units / meter.multiplier).quantize(Decimal("0.01"))
    value = (previous.value + step) % register.capacity
    used = consumption(previous.value, value, register, read_rules().rollover_window_percent)
    if used is None:  # a wrap the rollover window would not call plausible: record the units as estimated
        used = units
    basis = "same period last year" if last_year is not None else f"average of the last {len(recent)} reads"
    return EstimatePlan(value=value, units=used, basis=f"{basis}, {days} days")


def exception_page_reads():
    """The review queue, oldest first, with what its rows show (a route's queue is picked by id first)."""
    return (
        Read.objects.filter(status=ReadStatus.EXCEPTION)
        .select_related(
            "meter", "account__customer", "installation__service_point__premise",
            "installation__service_point__route",
        )
        .order_by("read_on", "id")
    )  # fmt: skip


def read_histories(meter_ids, since: date) -> dict[int, list[Read]]:
    """Reads (accepted and exceptions) of several meters since a date, oldest first, in one query."""
    out: dict[int, list[Read]] = {meter_id: [] for meter_id in meter_ids}
    reads = (
        Read.objects.filter(meter_id__in=list(out), read_on__gte=since)
        .exclude(status=ReadStatus.REJECTED)
        .order_by("read_on", "id")
        .only("id", "meter_id", "read_on", "value", "kind", "status", "consumption")
    )
    for r in reads:
        out[r.meter_id].append(r)
    return out


def premise_installations(premise_id: int):
    """The meters in service at a premise: current installations with their meter and service point."""
    return list(
        MeterInstallation.objects.filter(service_point__premise_id=premise_id, removed_on__isnull=True)
        .select_related("meter", "service_point__route")
        .order_by("service_point__kind", "service_point_id")
    )


def account_reads(account: Account, since: date):
    """The account's reads since a date (not the rejected ones), newest first, with their meter."""
    return list(
        Read.objects.filter(account=account, read_on__gte=since)
        .exclude(status=ReadStatus.REJECTED)
        .select_related("meter")
        .order_by("-read_on", "-id")
    )


def meter_search(query: str, limit: int) -> list[tuple[int, Meter, Account | None]]:
    """Meters whose serial is `query` (rank 0) or starts with it (rank 5), each with the account now at the
    premise of its current (else last) installation. A serial has no spaces and at least one digit."""
    text = query.strip().upper()
    if " " in text or not any(ch.isdigit() for ch in text):
        return []
    meters = list(
        Meter.objects.filter(serial__startswith=text).order_by("serial")[:limit]
    )  # serials are upper case
    if not meters:
        return []
    installations = {}
    for inst in (
        MeterInstallation.objects.filter(meter__in=meters)
        .select_related("service_point__premise")
        .order_by("meter_id", "-installed_on")
    ):
        installations.setdefault(inst.meter_id, inst)
    premise_ids = {inst.service_point.premise_id for inst in installations.values()}
    accounts = {}
    for account in (
        Account.objects.filter(premise_id__in=premise_ids, end_date__isnull=True)
        .select_related("customer")
        .order_by("start_date")
    ):
        accounts[account.premise_id] = account  # the newest open account wins
    hits = []
    for meter in meters:
        inst = installations.get(meter.pk)
        meter.current_installation = inst
        account = accounts.get(inst.service_point.premise_id) if inst else None
        hits.append((0 if meter.serial == text else 5, meter, account))
    return hits


def meter_page(serial: str) -> Meter:
    return Meter.objects.get(serial=serial)


def meter_installations(meter: Meter):
    return list(meter.installations.select_related("service_point__premise", "service_point__route"))


def exception_queue_ids(route_code: str = ""):
    """The review queue's read ids, oldest first: a narrow query to page through (the joins the page shows
    come after, for the 50 rows of one page, so PostgreSQL never joins the whole queue to sort it)."""
    if route_code:
        return _route_exception_ids(route_code)
    return (
        Read.objects.filter(status=ReadStatus.EXCEPTION)
        .order_by("read_on", "id")
        .values_list("id", flat=True)
    )


def _route_exception_ids(route_code: str) -> list[int]:
    """One route's open exceptions, oldest first. The route's installations are gathered first (a materialised
    set), so PostgreSQL hash-joins them instead of walking every open exception in date order through nested
    loops to find the few on this route. A route has at most a few thousand open exceptions: a list pages fine."""
    sql = """
        WITH route_installations AS MATERIALIZED (
            SELECT i.id FROM metering_meterinstallation i
            JOIN metering_servicepoint sp ON sp.id = i.service_point_id
            JOIN metering_route rt ON rt.id = sp.route_id
            WHERE rt.code = %s
        )
        SELECT r.id FROM metering_read r
        JOIN route_installations ri ON ri.id = r.installation_id
        WHERE r.status = %s
        ORDER BY r.read_on, r.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [route_code, ReadStatus.EXCEPTION.value])
        return [row[0] for row in cursor.fetchall()]


def exceptions_by_ids(ids) -> list[Read]:
    """The queue's rows for the given ids, in that order, with what each row shows."""
    rows = exception_page_reads().filter(pk__in=list(ids)).order_by()
    by_id = {r.pk: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def usage_bars(reads, highlight: Read | None = None, *, last_month: date, months: int):
    """Per-month usage from accepted reads (an initial read, 0 at install, is not a month of use), plus the read
    under review (`highlight`), for chart.usage_chart."""
    rows = [
        (r.read_on, r.consumption, r.kind == ReadKind.ESTIMATED)
        for r in reads
        if (r.status == ReadStatus.ACCEPTED and r.kind != ReadKind.INITIAL)
        or (highlight is not None and r.pk == highlight.pk)
    ]
    return chart.monthly_usage(rows, last_month=last_month, months=months)
