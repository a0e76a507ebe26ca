"""Reads of rates: the tariffs billed over a period, the fee catalog."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cistern.core.selectors import district_settings

from . import engine
from .models import BasicFee, BilledSchedule, Fee, FeeCap, RateClass, RateScheduleVersion, UsageBlock


def billed_versions() -> list[tuple[date, RateScheduleVersion]]:
    """The district's billing timeline: (from, version) in date order. A version is billed from the later of
    its own date and the date its schedule became the billed one, until the next version or switch."""
    switches = list(BilledSchedule.objects.order_by("effective_from"))
    versions = list(RateScheduleVersion.objects.select_related("schedule").order_by("effective_from"))
    timeline = []
    for index, switch in enumerate(switches):
        switch_ends = switches[index + 1].effective_from if index + 1 < len(switches) else None
        own = [v for v in versions if v.schedule_id == switch.schedule_id]
        for number, version in enumerate(own):
            version_ends = own[number + 1].effective_from if number + 1 < len(own) else None
            begins = max(version.effective_from, switch.effective_from)
            ends = min((d for d in (switch_ends, version_ends) if d is not None), default=None)
            if ends is None or begins < ends:
                timeline.append((begins, version))
    return sorted(timeline, key=lambda item: item[0])


def tariffs(*, rate_class: str, meter_size: str, start: date, end: date) -> list[engine.Tariff]:
    """The engine's tariffs of a rate class and meter size billed over the service period [start, end)."""
    timeline = billed_versions()
    found = []
    for index, (begins, version) in enumerate(timeline):
        ends = timeline[index + 1][0] if index + 1 < len(timeline) else None
        if begins >= end or (ends is not None and ends <= start):
            continue
        fee = BasicFee.objects.filter(version=version, rate_class=rate_class, meter_size=meter_size).first()
        if fee is None:
            raise engine.RatingError(
                f'{version} has no {RateClass(rate_class).label.lower()} rates for a {meter_size}" meter.'
            )
        blocks = UsageBlock.objects.filter(version=version, rate_class=rate_class, meter_size=meter_size)
        found.append(
            engine.Tariff(
                effective_from=begins, basic_fee=fee.monthly_amount,
                blocks=tuple(
                    engine.Block(tier=b.tier, after=b.after_units, through=b.through_units, price=b.price_per_unit)
                    for b in blocks.order_by("tier")
                ),
                basic_gl=version.basic_gl, usage_gl=version.usage_gl, label=str(version),
            )
        )  # fmt: skip
    return found


# What a class's monthly fixed charge is called on a bill (a fire line pays a service charge, no usage).
BASIC_NAMES = {"fire_line": "Fire-line service charge"}


def tariff_book(*, start: date, end: date) -> dict[tuple[str, str], list[engine.Tariff]]:
    """Every (rate class, meter size)'s tariffs billed over [start, end), in three queries: what a bill run
    rates a whole cycle with. A class and size missing from a version is missing from its list."""
    timeline = billed_versions()
    parts = []
    for index, (begins, version) in enumerate(timeline):
        ends = timeline[index + 1][0] if index + 1 < len(timeline) else None
        if begins < end and (ends is None or ends > start):
            parts.append((begins, version))
    versions = [version.pk for _, version in parts]
    fees = {
        (f.version_id, f.rate_class, f.meter_size): f for f in BasicFee.objects.filter(version__in=versions)
    }
    blocks: dict[tuple, list[engine.Block]] = {}
    for b in UsageBlock.objects.filter(version__in=versions).order_by("tier"):
        blocks.setdefault((b.version_id, b.rate_class, b.meter_size), []).append(
            engine.Block(tier=b.tier, after=b.after_units, through=b.through_units, price=b.price_per_unit)
        )
    book: dict[tuple[str, str], list[engine.Tariff]] = {}
    for begins, version in parts:
        for (version_id, rate_class, size), fee in fees.items():
            if version_id != version.pk:
                continue
            book.setdefault((rate_class, size), []).append(
                engine.Tariff(
                    effective_from=begins, basic_fee=fee.monthly_amount,
                    blocks=tuple(blocks.get((version_id, rate_class, size), ())), basic_gl=version.basic_gl,
                    usage_gl=version.usage_gl, label=str(version), basic_name=BASIC_NAMES.get(rate_class, "Basic fee"),
                )
            )  # fmt: skip
    return book


def fee(code: str, on: date) -> Fee | None:
    """The catalog's fee `code` in force on `on`."""
    return Fee.objects.filter(code=code, effective_from__lte=on).order_by("-effective_from").first()


def fee_cap(code: str, on: date) -> FeeCap | None:
    """The low-income cap on fee `code` in force on `on` (None: the fee is not capped)."""
    return FeeCap.objects.filter(fee_code=code, starts_on__lte=on).order_by("-starts_on").first()


def fee_catalog(on: date) -> list[Fee]:
    newest = {}
    for item in Fee.objects.filter(effective_from__lte=on).order_by("code", "effective_from"):
        newest[item.code] = item
    return sorted(newest.values(), key=lambda f: f.name)


@dataclass(frozen=True)
class Quote:
    start: date
    end: date
    lines: list[engine.Line]
    total: Decimal


def proration() -> engine.Proration:
    settings = district_settings()
    return engine.Proration(settings.regular_period_min_days, settings.regular_period_max_days)


def quote(*, rate_class: str, meter_size: str, units: Decimal, days: int, on: date) -> Quote:
    """What `units` over `days` days ending on `on` cost at the billed rates (the bill estimator)."""
    if days < 1:
        raise engine.RatingError("A period is at least 1 day.")
    start = on - timedelta(days=days)
    found = tariffs(rate_class=rate_class, meter_size=meter_size, start=start, end=on)
    lines = engine.rate(found, start=start, end=on, units=units, size_label=meter_size, proration=proration())
    return Quote(start, on, lines, engine.total(lines))


def billed_schedule_history() -> list[BilledSchedule]:
    return list(BilledSchedule.objects.select_related("schedule").order_by("-effective_from"))
