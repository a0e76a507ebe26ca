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


def check_digit_fails(text: str) -> bool:
    """`text` has an account number's digits and length, but its check digit is wrong."""
    digits = normalize(text.strip())
    return digits.isdigit() and len(digits) == LENGTH and not damm.is_valid(digits)


def one_typo_away(text: str) -> list[str]:
    """The valid account numbers one mistyped digit or one swap of two adjacent digits away from `text`, in
    ascending order: what the clerk most likely meant when the check digit fails. Damm leaves exactly one
    digit that makes a number valid at each position, so there are at most 8 + 7 of them."""
    digits = normalize(text.strip())
    if not (digits.isdigit() and len(digits) == LENGTH):
        return []
    found = set()
    for i, old in enumerate(digits):
        for new in "0123456789":
            if new != old:
                candidate = digits[:i] + new + digits[i + 1 :]
                if damm.is_valid(candidate):
                    found.add(candidate)
    for i in range(LENGTH - 1):
        if digits[i] != digits[i + 1]:
            candidate = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            if damm.is_valid(candidate):
                found.add(candidate)
    found.discard(digits)
    return sorted(n for n in found if n[: LENGTH - 1] != "0" * (LENGTH - 1))
