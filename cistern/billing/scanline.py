"""The OCR scanline on a bill's remittance stub, as the lockbox reads it back. Pure: no ORM.

    AAAAAAAA CCCCCCCCCC K     e.g. "10000015 0000015640 3"

A = the 8-digit account number (its own Damm check digit included), C = the amount due in cents, zero-padded
to 10 digits (a credit or zero balance prints as zeros: the stub never asks for a negative payment), K = a
Luhn mod 10 check digit over the 18 digits before it. Luhn is the lockbox industry's usual choice; it
catches every single misread digit and most swaps of adjacent digits (not 09 <-> 90).
"""

from decimal import ROUND_HALF_UP, Decimal

from stdnum import luhn

ACCOUNT_DIGITS = 8
AMOUNT_DIGITS = 10
LENGTH = ACCOUNT_DIGITS + AMOUNT_DIGITS + 1
CENT = Decimal("0.01")


class ScanlineError(ValueError):
    """A scanline that cannot be printed or read back; the message says which part is wrong."""


def _digits(text: str) -> bool:
    # str.isdigit alone accepts other scripts' digits and superscripts, which no lockbox prints.
    return text.isascii() and text.isdigit()


def scanline(account_number: str, amount_due: Decimal) -> str:
    """The printed scanline for `account_number` owing `amount_due`."""
    if len(account_number) != ACCOUNT_DIGITS or not _digits(account_number):
        raise ScanlineError(f"An account number has {ACCOUNT_DIGITS} digits; got {account_number!r}.")
    if not isinstance(amount_due, Decimal) or not amount_due.is_finite():
        raise ScanlineError(f"The amount due must be a Decimal amount; got {amount_due!r}.")
    cents = int(amount_due.quantize(CENT, rounding=ROUND_HALF_UP) * 100)
    if cents >= 10**AMOUNT_DIGITS:
        raise ScanlineError(f"The amount due {amount_due} does not fit in {AMOUNT_DIGITS} digits of cents.")
    amount = f"{max(cents, 0):0{AMOUNT_DIGITS}d}"
    check = luhn.calc_check_digit(account_number + amount)
    return f"{account_number} {amount} {check}"


def parse_scanline(text: str) -> tuple[str, Decimal]:
    """(account number, amount due) from a scanline as printed; the spaces between groups are optional."""
    digits = text.strip().replace(" ", "")
    if digits and not _digits(digits):
        raise ScanlineError(f"A scanline has only digits and spaces; got {text!r}.")
    if len(digits) != LENGTH:
        raise ScanlineError(f"A scanline has {LENGTH} digits; {text!r} has {len(digits)}.")
    if not luhn.is_valid(digits):
        raise ScanlineError(
            f"The scanline {text!r} fails its check digit: a digit was misread or two were swapped."
        )
    account, cents = digits[:ACCOUNT_DIGITS], digits[ACCOUNT_DIGITS:-1]
    return account, Decimal(int(cents)).scaleb(-2)
