"""A charge line's words in the customer's language. Pure: no ORM, no settings.

Bill lines are stored as the rating engine writes them, in English (`rates/engine.py`: "Tier 2: units 6-10",
"monthly basic fee 3/4\": $55.30"); the clerk's page shows them so. A Spanish bill prints them in Spanish:
the engine's vocabulary is small and fixed, so each of its phrases has its translation here. A line written
some other way (a district's own wording) is printed as it stands rather than half translated.
"""

import re

MONTHS_ES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def _day_es(month: str, day: str) -> str:
    return f"{int(day)} {MONTHS_ES[int(month) - 1]}"


def _note_es(match: re.Match) -> str:
    """ " (01/15-02/01, Scenario C from 01/01/2026)" -> " (15 ene-1 feb, tarifas desde 1 ene 2026)". The
    schedule's own name is the district's data in English, so the Spanish note names the rates by date."""
    start = _day_es(match["m1"], match["d1"])
    end = _day_es(match["m2"], match["d2"])
    since = f"{_day_es(match['m3'], match['d3'])} {match['y3']}"
    return f" ({start}-{end}, tarifas desde {since})"


_NOTE = re.compile(
    r" \((?P<m1>\d\d)/(?P<d1>\d\d)-(?P<m2>\d\d)/(?P<d2>\d\d), .+ from (?P<m3>\d\d)/(?P<d3>\d\d)/(?P<y3>\d{4})\)"
)

# (pattern, replacement) in order; the longer phrase before the shorter one it contains.
_SPANISH: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bmonthly fire-line service charge\b", "cargo mensual por servicio de línea contra incendios"),
        (r"\bFire-line service charge\b", "Cargo por servicio de línea contra incendios"),
        (r"\bmonthly basic fee\b", "cargo básico mensual"),
        (r"\bBasic fee\b", "Cargo básico"),
        (r"\bTier (\d+): ", r"Nivel \1: "),
        (r"\ball usage\b", "todo el consumo"),
        (r"\bunits over ", "unidades sobre "),
        (r"\bunits\b", "unidades"),
        (r"\band up\b", "y más"),
        (r" of the period\b", " del periodo"),
        (r" days / 30\b", " días / 30"),
    )
)

# Words the engine writes that must not survive into a Spanish line it wrote.
ENGLISH_WORDS = (
    "Tier",
    "units",
    "usage",
    "Basic",
    "basic fee",
    "monthly",
    "period",
    " from ",
    " days",
    "over",
    "and up",
    "charge",
)


def engine_wording(text: str) -> bool:
    """Whether `text` reads as the rating engine writes a line (so it has a translation here)."""
    return bool(re.match(r"(Tier \d+: |all usage|units |Basic fee|Fire-line service charge|monthly )", text))


def charge_text(text: str, language: str) -> str:
    """A line's description or explanation in `language` ("en" or "es")."""
    if language != "es" or not engine_wording(text):
        return text
    text = _NOTE.sub(_note_es, text)
    for pattern, replacement in _SPANISH:
        text = pattern.sub(replacement, text)
    return text
