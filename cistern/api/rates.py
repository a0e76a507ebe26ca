from ninja import Router, Schema

from cistern.metering.models import MeterSize
from cistern.rates import engine, selectors
from cistern.rates.models import RateClass

from .auth import require_perm
from .errors import BadValue, Day, Days, Error, In, Text, amount_text, units_value

router = Router(tags=["rates"])


class QuoteIn(In):
    meter_size: Text  # written "3/4", "1", "1 1/2", "2", "3"
    units: Text  # a string, please: "12" or "12.5"
    days: Days = 30
    on: Day  # the end of the period (the read date); its rates apply
    rate_class: Text = RateClass.RESIDENTIAL


class QuoteLine(Schema):
    description: str
    quantity: str
    unit_price: str
    amount: str


class QuoteOut(Schema):
    lines: list[QuoteLine]
    total: str


def _check(payload: QuoteIn) -> None:
    if payload.meter_size not in MeterSize.values:
        raise BadValue(
            "meter_size",
            f"meter_size: {payload.meter_size[:40]!r} is not a meter size ({', '.join(MeterSize.values)})",
        )
    if payload.rate_class not in RateClass.values:
        raise BadValue(
            "rate_class",
            f"rate_class: {payload.rate_class[:40]!r} is not a rate class ({', '.join(RateClass.values)})",
        )


@router.post("/rates/quote", response={200: QuoteOut, 400: Error})
def rates_quote(request, payload: QuoteIn):
    """What a customer would pay for `units` over `days` days ending `on`, at the rates billed then: every
    charge line and the total (the bill estimator; money and units are strings)."""
    require_perm(request, "rates.view_rateschedule")
    _check(payload)
    units = units_value(payload.units)
    try:
        quote = selectors.quote(
            rate_class=payload.rate_class, meter_size=payload.meter_size, units=units, days=payload.days,
            on=payload.on,
        )  # fmt: skip
    except engine.RatingError as exc:
        raise BadValue("on", str(exc)) from None
    return QuoteOut(
        lines=[
            QuoteLine(
                description=line.description,
                quantity=engine.quantity_text(line.quantity),
                unit_price=engine.price_text(line.unit_price),
                amount=amount_text(line.amount),
            )
            for line in quote.lines
        ],  # fmt: skip
        total=amount_text(quote.total),
    )
