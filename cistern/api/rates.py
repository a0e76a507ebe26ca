from datetime import date
from decimal import Decimal, InvalidOperation

from ninja import Router, Schema, Status

from cistern.metering.models import MeterSize
from cistern.rates import engine, selectors
from cistern.rates.models import RateClass

from .auth import require_perm

router = Router(tags=["rates"])


class QuoteIn(Schema):
    meter_size: str  # written "3/4", "1", "1 1/2", "2", "3"
    units: str  # a string, please: "12" or "12.5"
    days: int = 30
    on: date  # the end of the period (the read date); its rates apply
    rate_class: str = RateClass.RESIDENTIAL


class QuoteLine(Schema):
    description: str
    quantity: str
    unit_price: str
    amount: str


class QuoteOut(Schema):
    lines: list[QuoteLine]
    total: str


class Error(Schema):
    detail: str


def _problem(payload: QuoteIn) -> str | None:
    if payload.meter_size not in MeterSize.values:
        return f"meter_size: {payload.meter_size!r} is not a meter size ({', '.join(MeterSize.values)})"
    if payload.rate_class not in RateClass.values:
        return f"rate_class: {payload.rate_class!r} is not a rate class ({', '.join(RateClass.values)})"
    if not 1 <= payload.days <= 400:
        return "days: a period is 1 to 400 days"
    return None


@router.post("/rates/quote", response={200: QuoteOut, 400: Error})
def rates_quote(request, payload: QuoteIn):
    """What a customer would pay for `units` over `days` days ending `on`, at the rates billed then: every
    charge line and the total (the bill estimator; money and units are strings)."""
    require_perm(request, "rates.view_rateschedule")
    problem = _problem(payload)
    try:
        units = Decimal(payload.units)
    except InvalidOperation:
        problem = problem or f"units: {payload.units!r} is not a number"
    if problem:
        return Status(400, Error(detail=problem))
    if not units.is_finite() or units < 0 or units.as_tuple().exponent < -2:
        return Status(400, Error(detail="units: 0 or more, at most 2 decimal places"))
    try:
        quote = selectors.quote(
            rate_class=payload.rate_class, meter_size=payload.meter_size, units=units, days=payload.days,
            on=payload.on,
        )  # fmt: skip
    except engine.RatingError as exc:
        return Status(400, Error(detail=str(exc)))
    return QuoteOut(
        lines=[
            QuoteLine(
                description=line.description,
                quantity=engine.quantity_text(line.quantity),
                unit_price=engine.price_text(line.unit_price),
                amount=str(line.amount),
            )
            for line in quote.lines
        ],  # fmt: skip
        total=str(quote.total),
    )
