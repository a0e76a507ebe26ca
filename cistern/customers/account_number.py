"""Account numbers: seven digits of sequence and a Damm check digit.

Damm catches every single mistyped digit and every swap of two adjacent digits, the two errors of
10-key entry. Pure: no ORM.
"""

from stdnum import damm

LENGTH = 8  # 7 digits + check digit


class InvalidAccountNumber(ValueError):
    pass


def make_account_number(sequence: int) -> str:
    if not 0 < sequence < 10 ** (LENGTH - 1):
        raise ValueError(f"account sequence {sequence} out of range")
    base = f"{sequence:0{LENGTH - 1}d}"
    return base + damm.calc_check_digit(base)


def normalize(text: str) -> str:
    """Digits only: clerks type 1234-5678, 1234 5678 or 12345678."""
    return "".join(ch for ch in text if ch not in " -.")


def looks_like_account_number(text: str) -> bool:
    digits = normalize(text)
    return digits.isdigit() and len(digits) == LENGTH


def parse_account_number(text: str) -> str:
    """The account number in `text`, or InvalidAccountNumber saying what is wrong with it."""
    digits = normalize(text.strip())
    if digits and not digits.isdigit():
        raise InvalidAccountNumber(f"An account number has only digits; got {text!r}.")
    if len(digits) != LENGTH:
        raise InvalidAccountNumber(f"An account number has {LENGTH} digits; {text!r} has {len(digits)}.")
    if not damm.is_valid(digits):
        raise InvalidAccountNumber(
            f"{digits} is not a valid account number (check digit fails): a digit is mistyped or two are swapped."
        )
    return digits
