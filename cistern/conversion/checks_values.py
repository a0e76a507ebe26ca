"""The values of a conversion folder's cells: each parser takes the cell's text (stripped, not blank) and returns
the typed value or raises ValueError with what is wrong, in the district's words. Pure: no ORM.

Strict on purpose: a date is YYYY-MM-DD and nothing else, money has a point and at most two decimals and no
thousands separator, booleans are `true` or `false`. A loose parser would guess, and a conversion must not.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from cistern.customers.search_text import normalize_street, phone_digits
from cistern.payments.aba import routing_number_problem

Parser = Callable[[str], object]

# The database columns the values go to (cistern/customers, metering, billing, payments models).
NAME, STREET, UNIT, CITY, ZIP, PARCEL, PHONE, EMAIL = 120, 120, 30, 60, 10, 20, 20, 254
SERIAL, MAKE, ROUTE, CYCLE, LEGACY_ID, DESCRIPTION = 30, 40, 12, 12, 30, 200
# DecimalField(max_digits=12, decimal_places=2): ten digits before the point.
MONEY_WHOLE_DIGITS = 10
# Meter.multiplier: DecimalField(max_digits=8, decimal_places=3).
MULTIPLIER_WHOLE_DIGITS, MULTIPLIER_PLACES = 5, 3
# PositiveIntegerField
INT_MAX = 2_147_483_647
BANK_ACCOUNT_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def text(limit: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"{len(value)} characters, at most {limit} fit")
        return value

    return parse


def one_of(values: tuple[str, ...], what: str) -> Parser:
    allowed = frozenset(values)
    listed = ", ".join(values)

    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f'unknown {what} "{value}" (one of: {listed})')
        return value

    return parse


def parse_date(value: str) -> date:
    # date.fromisoformat also takes 20261130 and 2026-W48-1: only YYYY-MM-DD is a date here.
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f'"{value}" is not a date YYYY-MM-DD')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f'"{value}" is not a date YYYY-MM-DD') from None


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def decimal_text_problem(value: str, places: int, whole_digits: int, *, negative: bool) -> str | None:
    """What is wrong with a number written with a point (None when it is good)."""
    body = value[1:] if negative and value[:1] == "-" else value
    whole, point, fraction = body.partition(".")
    if not _is_digits(whole) or (point and not _is_digits(fraction)):
        kind = "an amount" if places == 2 else "a number"
        return f'"{value}" is not {kind}: digits with a point, no comma or currency sign'
    if len(fraction) > places:
        return f'"{value}" has more than {places} decimals'
    if len(whole.lstrip("0")) > whole_digits:
        return f'"{value}" is too large (at most {whole_digits} digits before the point)'
    return None


def money(*, negative: bool = True) -> Parser:
    def parse(value: str) -> Decimal:
        problem = decimal_text_problem(value, 2, MONEY_WHOLE_DIGITS, negative=negative)
        if problem:
            if not negative and value[:1] == "-":
                problem = f'"{value}" is negative'
            raise ValueError(problem)
        return Decimal(value)

    return parse


def parse_multiplier(value: str) -> Decimal:
    problem = decimal_text_problem(value, MULTIPLIER_PLACES, MULTIPLIER_WHOLE_DIGITS, negative=False)
    if problem:
        raise ValueError(problem)
    number = Decimal(value)
    if number <= 0:
        raise ValueError(f'"{value}": a multiplier is more than 0')
    return number


def cents(value: str) -> int:
    """A register value (or units) in hundredths: "10432.5" -> 1043250. Never negative."""
    whole, point, fraction = value.partition(".")
    if (
        not whole.isdigit()
        or not whole.isascii()
        or (point and not (fraction.isdigit() and fraction.isascii()))
    ):
        raise ValueError(f'"{value}" is not a number: digits with a point, no comma')
    if len(fraction) > 2:
        raise ValueError(f'"{value}" has more than 2 decimals')
    if len(whole.lstrip("0")) > MONEY_WHOLE_DIGITS:
        raise ValueError(f'"{value}" is too large (at most {MONEY_WHOLE_DIGITS} digits before the point)')
    return int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)


def whole_number(low: int, high: int) -> Parser:
    def parse(value: str) -> int:
        if not _is_digits(value):
            raise ValueError(f'"{value}" is not a whole number')
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"{number} is not between {low} and {high}")
        return number

    return parse


def parse_bool(value: str) -> bool:
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueError(f'"{value}" is not true or false')


def parse_state(value: str) -> str:
    if len(value) != 2 or not (value.isascii() and value.isalpha()):
        raise ValueError(f'"{value}" is not a state: two letters (CA)')
    return value.upper()


def parse_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if (
        len(value) > EMAIL
        or not at
        or not local
        or "." not in domain.strip(".")
        or any(c.isspace() for c in value)
    ):
        raise ValueError(f'"{value}" is not an email address')
    return value


def parse_routing(value: str) -> str:
    problem = routing_number_problem(value)
    if problem:
        raise ValueError(f'"{value}": {problem[0].lower()}{problem[1:]}')
    return value


def parse_bank_account(value: str) -> str:
    if not 4 <= len(value) <= 17 or not BANK_ACCOUNT_CHARS.issuperset(value):
        raise ValueError("a bank account number is 4 to 17 letters, digits or hyphens")
    return value


def normal_phone(typed: str) -> tuple[str, str | None]:
    """(the phone as Cistern keeps it, a warning when that is not as typed). Ten digits (a leading 1 dropped)
    become (NNN) NNN-NNNN; anything else is kept as typed, with a warning."""
    digits = phone_digits(typed)
    if len(digits) == 10:
        phone = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        if phone == typed:
            return phone, None
        return phone, f'phone "{typed}" read as {phone}'
    return typed, f'phone "{typed}" is not 10 digits: kept as typed, check it'


def street_warning(street: str) -> str | None:
    """A warning when the search index reads the street's suffix in another form ("Road" -> "RD")."""
    standard = normalize_street(street)
    if standard.upper() == " ".join(street.split()).upper():
        return None
    return f'street "{street}" is searched as "{standard}" (suffix in the USPS form)'
