"""The demo district's rates and fee catalog: Joshua Basin Water District's, from shared/domain/district.md."""

from datetime import date
from decimal import Decimal as D

from cistern.rates.models import (
    BasicFee,
    BilledSchedule,
    Fee,
    FeeKind,
    RateClass,
    RateSchedule,
    RateScheduleVersion,
    ScheduleKind,
    UsageBlock,
)  # fmt: skip

TIERED = [(1, D(0), D(5), D("8.00")), (2, D(5), D(10), D("9.65")), (3, D(10), D(20), D("11.30")),
          (4, D(20), None, D("12.95"))]  # fmt: skip
FLAT = [(1, D(0), None, D("9.65"))]
# meter size -> (monthly basic fee, assumed?, blocks). 2" and 3" fees are not published: the 1 1/2" fee scaled
# by the AWWA meter capacity ratios 8/5 and 15/5 (district.md), marked assumed.
BY_SIZE = {
    "3/4": (D("45.55"), False, TIERED),
    "1": (D("45.55"), False, TIERED),
    "1 1/2": (D("151.83"), False, FLAT),
    "2": (D("242.93"), True, FLAT),
    "3": (D("455.49"), True, FLAT),
}
# The published rates are by meter size, for every customer; no fire-line charge is published.
CLASSES = [RateClass.RESIDENTIAL, RateClass.COMMERCIAL, RateClass.IRRIGATION]
# Private fire lines: JBWD publishes no charge. Another district's figure, marked so (district.md): San Juan
# Water District (California, 2017) bills per day by line size, no usage charge; a month is the day's
# charge x 30: up to 4" $0.58 ($17.40), 6" $0.87 ($26.10), 8" $1.23 ($36.90), 10" $1.47 ($44.10).
FIRE_LINE_SOURCE = "San Juan Water District (CA, 2017): daily charge x 30, another district's figure"
FIRE_LINE = {
    **dict.fromkeys(["5/8", "3/4", "1", "1 1/2", "2", "3", "4"], D("17.40")),
    "6": D("26.10"),
    "8": D("36.90"),
    "10": D("44.10"),
}

FEES = [
    ("account_setup", "Account set-up", FeeKind.FIXED, D("35.00"), None, None, "4210", "Twentynine Palms WD"),
    ("deposit", "Guarantee deposit", FeeKind.FIXED, D("200.00"), None, None, "2200", "Twentynine Palms WD"),
    ("late_penalty", "Late penalty", FeeKind.GREATER_OF, D("10.00"), D("10.00"), 30, "4220", "Hi-Desert WD"),
    ("shutoff_notice", "Termination (shutoff) notice fee", FeeKind.FIXED, D("10.00"), None, None, "4230",
     "Twentynine Palms WD"),
    ("reconnect_office", "Reconnection, office hours", FeeKind.FIXED, D("50.00"), None, None, "4240",
     "Twentynine Palms WD (and the SB 998 low-income cap)"),
    ("reconnect_after_hours", "Turn-on after hours", FeeKind.FIXED, D("70.00"), None, None, "4240",
     "Twentynine Palms WD"),
    ("nsf", "Returned check (NSF)", FeeKind.FIXED, D("35.00"), None, None, "4250", "Twentynine Palms WD"),
    ("meter_test", "Meter test", FeeKind.FIXED, D("50.00"), None, None, "4260", "demo default (none published)"),
]  # fmt: skip


def load_rates() -> None:
    """Create the district's schedules, the billed one's rates from 01/01/2024 and the fee catalog (once)."""
    if RateSchedule.objects.exists():
        return
    RateSchedule.objects.create(
        code="scenario-a", name="Scenario A (maximum)", kind=ScheduleKind.MAXIMUM, resolution="Resolution 23-1052",
        notes="The maximum schedule adopted in 2023 after the Proposition 218 hearing; its figures are not in the "
        "demo data, so it has no version here.",
    )  # fmt: skip
    billed = RateSchedule.objects.create(
        code="scenario-c", name="Scenario C", kind=ScheduleKind.BILLED, resolution="Resolution 23-1052",
        notes="Billed from 03/01/2023 until further notice.",
    )  # fmt: skip
    BilledSchedule.objects.create(
        effective_from=date(2023, 3, 1), schedule=billed, decision="Billed until further notice"
    )
    version = RateScheduleVersion.objects.create(
        schedule=billed,
        effective_from=date(2024, 1, 1),
        notes=f"jbwd.com/rates-fees, rates in force from 2024-01-01; fire lines (assumed): {FIRE_LINE_SOURCE}",
    )
    fees, blocks = [], []
    for rate_class in CLASSES:
        for size, (fee, assumed, tiers) in BY_SIZE.items():
            fees.append(
                BasicFee(
                    version=version,
                    rate_class=rate_class,
                    meter_size=size,
                    monthly_amount=fee,
                    assumed=assumed,
                )
            )
            blocks += [
                UsageBlock(version=version, rate_class=rate_class, meter_size=size, tier=tier, after_units=after,
                           through_units=through, price_per_unit=price)
                for tier, after, through, price in tiers
            ]  # fmt: skip
    fees += [
        BasicFee(
            version=version,
            rate_class=RateClass.FIRE_LINE,
            meter_size=size,
            monthly_amount=amount,
            assumed=True,
        )
        for size, amount in FIRE_LINE.items()
    ]
    BasicFee.objects.bulk_create(fees)
    UsageBlock.objects.bulk_create(blocks)
    Fee.objects.bulk_create(
        Fee(code=code, name=name, kind=kind, amount=amount, percent=percent, after_days=after_days, gl_account=gl,
            effective_from=date(2023, 3, 1), source=source, is_interest=code == "late_penalty")
        for code, name, kind, amount, percent, after_days, gl, source in FEES
    )  # fmt: skip
