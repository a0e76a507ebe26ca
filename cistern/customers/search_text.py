"""The text the global search box looks in for an account. Pure: plain values in, a string out."""

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D")


def phone_digits(phone: str) -> str:
    digits = _NON_DIGITS.sub("", phone)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def fold(text: str) -> str:
    """Lower case without accents, so 'lopez' finds López and 'pena' finds Peña."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def service_address_text(street: str, unit: str, city: str) -> str:
    return " ".join(part for part in (street, unit, city) if part)


def build_search_text(
    *,
    number: str,
    name: str,
    phones: list[str],
    email: str,
    mailing_address: str,
    service_address: str,
    parcel_number: str,
) -> str:
    parts = [number, name, *(phone_digits(p) for p in phones if p), email, service_address, mailing_address]
    if parcel_number:
        parts += [parcel_number, _NON_DIGITS.sub("", parcel_number)]
    return fold(" | ".join(p for p in parts if p))


def normalize_query(query: str) -> list[str]:
    """Search tokens: lower-cased words; a phone typed as (760) 366-8438 becomes one run of digits."""
    query = fold(query.strip())
    if re.fullmatch(r"[\d\s()+.\-]{7,}", query):
        return [phone_digits(query)]
    return [t.replace("%", "").replace("_", "") for t in query.replace(",", " ").split() if t.strip("%_")]
