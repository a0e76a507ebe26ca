"""ABA routing numbers and bank account numbers for autopay (issue 11, "Autopay: enrolment with routing
number (ABA check digit verified) and bank account number (... shown masked)"). Pure; no ORM.

The check digit rule: 3×(d1+d4+d7) + 7×(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
"""

import re

from stdnum.us import rtn

_NINE_DIGITS = re.compile(r"[0-9]{9}", re.ASCII)
MASK = "****"


def routing_check_digit(first_eight: str) -> int:
    """The ninth digit that makes a routing number's weighted sum a multiple of 10 (python-stdnum's us.rtn,
    as account numbers use its Damm and scanlines its Luhn)."""
    if not re.fullmatch(r"[0-9]{8}", first_eight, re.ASCII):
        raise ValueError(f"A routing number's first part is 8 digits: {first_eight!r}.")
    return int(rtn.calc_check_digit(first_eight))


def is_valid_routing_number(routing: str) -> bool:
    """True for 9 digits whose last is the check digit of the first 8."""
    return bool(_NINE_DIGITS.fullmatch(routing or "")) and routing_check_digit(routing[:8]) == int(routing[8])


def routing_number_problem(routing: str) -> str | None:
    """What is wrong with a typed routing number, in words for the clerk, or None when it is good."""
    text = (routing or "").strip()
    if not _NINE_DIGITS.fullmatch(text):
        return "A routing number is 9 digits."
    if not is_valid_routing_number(text):
        return "This routing number's check digit does not match; check the digits against the check."
    return None


def mask_account_number(number: str) -> str:
    """The bank account number as shown on screens and letters: the last 4 only.

    The mask has a fixed width so the length of the number is not shown either; a number of 4 characters or
    fewer is masked whole, since showing "its last 4" would show all of it.
    """
    text = (number or "").strip()
    if len(text) <= 4:
        return MASK
    return MASK + text[-4:]
