"""The text the global search box looks in for an account. Pure: plain values in, a string out."""

import re
import unicodedata

from .usps_suffixes import STANDARD_BY_FORM

_NON_DIGITS = re.compile(r"\D")

# Where a street's suffix ends: a secondary unit designator (USPS Publication 28, Appendix C2, the ones a
# water district meets) or "#" begins the unit; a directional may follow the suffix ("Main St N").
UNIT_DESIGNATORS = frozenset(
    [
        "APT",
        "APARTMENT",
        "UNIT",
        "STE",
        "SUITE",
        "BLDG",
        "BUILDING",
        "FL",
        "FLOOR",
        "RM",
        "ROOM",
        "SPC",
        "SPACE",
        "LOT",
        "DEPT",
        "OFC",
        "PH",
        "#",
    ]
)
DIRECTIONALS = frozenset(
    [
        "N",
        "S",
        "E",
        "W",
        "NE",
        "NW",
        "SE",
        "SW",
        "NORTH",
        "SOUTH",
        "EAST",
        "WEST",
        "NORTHEAST",
        "NORTHWEST",
        "SOUTHEAST",
        "SOUTHWEST",
    ]
)


def phone_digits(phone: str) -> str:
    digits = _NON_DIGITS.sub("", phone)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def fold(text: str) -> str:
    """Lower case without accents, so 'lopez' finds López and 'pena' finds Peña."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def standard_suffix(word: str) -> str | None:
    """The USPS standard abbreviation of a street suffix in any form ("Avenue", "Av.", "aven" -> "AVE"),
    or None when `word` is not one."""
    return STANDARD_BY_FORM.get(word.rstrip(".,").upper())


def normalize_street(street: str) -> str:
    """The street with its suffix in the USPS standard abbreviation: "61750 Chollita Road" -> "61750 Chollita
    RD". The suffix is the street's last word before a unit ("Apt 4", "# 7") and a directional, and only
    when a street name stands before it: "100 Park" and "Sunny Vista Road"'s Vista keep their words."""
    words = street.split()
    end = next(
        (
            i
            for i, w in enumerate(words)
            if i > 0 and (w.upper().rstrip(".") in UNIT_DESIGNATORS or w[0] == "#")
        ),
        len(words),
    )
    if end > 1 and words[end - 1].upper().rstrip(".") in DIRECTIONALS:
        end -= 1
    if end < 2:
        return street
    standard = standard_suffix(words[end - 1])
    if standard is None or not any(not w.isdigit() for w in words[: end - 1]):
        return street
    words[end - 1] = standard + ("," if words[end - 1].endswith(",") else "")
    return " ".join(words)


def normalize_address(address: str) -> str:
    """A one-line address ("street unit, city, state zip") with its street's suffix standard."""
    street, comma, rest = address.partition(",")
    return normalize_street(street) + comma + rest


def service_address_text(street: str, unit: str, city: str) -> str:
    return " ".join(part for part in (normalize_street(street), unit, city) if part)


def build_search_text(
    *,
    number: str,
    name: str,
    phones: list[str],
    email: str,
    mailing_address: str,
    service_address: str,
    parcel_number: str,
    legacy_number: str = "",
) -> str:
    mailing_address = normalize_address(mailing_address)
    parts = [number, legacy_number, name, *(phone_digits(p) for p in phones if p), email, service_address, mailing_address]
    if parcel_number:
        parts += [parcel_number, _NON_DIGITS.sub("", parcel_number)]
    return fold(" | ".join(p for p in parts if p))


def normalize_query(query: str) -> list[str]:
    """Search tokens: lower-cased words; a phone typed as (760) 366-8438 becomes one run of digits."""
    query = fold(query.strip())
    if re.fullmatch(r"[\d\s()+.\-]{7,}", query):
        return [phone_digits(query)]
    words = (t.replace("%", "").replace("_", "").rstrip(".") for t in query.replace(",", " ").split())
    return [w for w in words if w]


def query_groups(tokens: list[str]) -> list[tuple[str, ...]]:
    """Each search token with the forms that stand for it: a street suffix in any form also matches its USPS
    standard abbreviation ("road" -> ("road", "rd")), which is how the index holds a street's suffix. The
    typed form stays, for the same word inside a street's or a person's name (Sunny *Vista* Rd, Rosa *Lane*)."""
    groups = []
    for token in tokens:
        standard = standard_suffix(token)
        if standard is not None and standard.lower() != token:
            groups.append((token, standard.lower()))
        else:
            groups.append((token,))
    return groups
