"""Money: one quantize helper for the whole house. Decimal only, cents, ROUND_HALF_UP."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that cannot be an amount of money (a float, or not a number at all)."""


def money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents, rounding half up. Floats are refused: they have already lost the cent."""
    if isinstance(value, bool | float):
        raise MoneyError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("$", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not an amount of money") from None
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise MoneyError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    if not value.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """$1,234.56 and -$12.00, as the district prints them."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def is_cents(value) -> bool:
    """True for a Decimal already to the cent (no float, no third decimal): what a pure module checks before
    it adds amounts, with its own error saying which amount was wrong."""
    return isinstance(value, Decimal) and value.is_finite() and value == value.quantize(CENT)
