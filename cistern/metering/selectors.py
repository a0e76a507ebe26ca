from datetime import date, timedelta
from decimal import Decimal

from cistern.customers.models import Account, AccountStatus

from .models import Meter, MeterInstallation, Read, ReadRules, ReadStatus
from .reading import PriorRead, ReadFacts, Register


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


def read_facts(
    *, meter: Meter | None, read_on: date, value: Decimal, exclude_read_id: int | None = None
) -> ReadFacts:
    """Gather what validation needs for one read. The bulk import builds the same facts file-wide."""
    rules = read_rules()
    common = {
        "read_on": read_on, "value": value, "high_percent": rules.high_percent, "low_percent": rules.low_percent,
        "minimum_typical_units": rules.minimum_typical_units, "rollover_window_percent": rules.rollover_window_percent,
    }  # fmt: skip
    if meter is None:
        return ReadFacts(meter_known=False, **common)
    installation = installation_on(meter, read_on)
    register = Register(dials=meter.dials, multiplier=meter.multiplier)
    if installation is None:
        return ReadFacts(meter_known=True, register=register, account_active=None, **common)
    history = accepted_reads(installation, limit=16)
    history = [r for r in history if r.pk != exclude_read_id]
    previous = next((r for r in history if r.read_on <= read_on), None)
    if previous is not None:
        prior = PriorRead(previous.read_on, previous.value)
    else:
        prior = PriorRead(installation.installed_on, installation.initial_value)
    same_day = Read.objects.filter(meter=meter, read_on=read_on).exclude(status=ReadStatus.REJECTED)
    if exclude_read_id:
        same_day = same_day.exclude(pk=exclude_read_id)
    recent = tuple(r.consumption for r in history if r.consumption is not None and r.read_on < read_on)[:3]
    year_ago = read_on - timedelta(days=365)
    last_year = next(
        (
            r.consumption
            for r in history
            if r.consumption is not None and abs((r.read_on - year_ago).days) <= 15
        ),
        None,
    )
    account = account_at(installation.service_point.premise_id, read_on)
    return ReadFacts(
        meter_known=True,
        register=register,
        previous=prior,
        same_day_values=tuple(same_day.values_list("value", flat=True)),
        account_active=None
        if account is None
        else account.status in (AccountStatus.ACTIVE, AccountStatus.PENDING),
        recent_usage=recent,
        usage_last_year=last_year,
        **common,
    )


def exception_queue():
    return (
        Read.objects.filter(status=ReadStatus.EXCEPTION)
        .select_related("meter", "account__customer", "installation__service_point__premise")
        .order_by("read_on", "id")
    )
