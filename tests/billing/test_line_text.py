"""A Spanish bill's charge lines are Spanish (seen: the Spanish PDF printed its charge lines in English)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from cistern.billing.line_text import ENGLISH_WORDS, charge_text
from cistern.rates import engine

TARIFF = engine.Tariff(
    effective_from=date(2024, 1, 1), basic_fee=Decimal("45.55"), basic_gl="4010", usage_gl="4020",
    blocks=(engine.Block(1, 0, 5, Decimal("8.00")), engine.Block(2, 5, 10, Decimal("9.65")),
            engine.Block(3, 10, None, Decimal("11.30"))),
    label="Scenario C from 01/01/2024",
)  # fmt: skip
NEW = engine.Tariff(
    effective_from=date(2026, 7, 10), basic_fee=Decimal("47.00"), basic_gl="4010", usage_gl="4020",
    blocks=(engine.Block(1, 0, None, Decimal("9.00")),), label="Scenario C from 07/10/2026",
    basic_name="Fire-line service charge",
)  # fmt: skip


def _engine_lines():
    """What the rating engine writes: a regular month, a prorated one, and one across a rate change."""
    yield from engine.rate([TARIFF], start=date(2026, 5, 25), end=date(2026, 6, 25), units=Decimal(22),
                           size_label="3/4")  # fmt: skip
    yield from engine.rate([TARIFF], start=date(2026, 6, 10), end=date(2026, 6, 25), units=Decimal(3),
                           size_label="1")  # fmt: skip
    yield from engine.rate([TARIFF, NEW], start=date(2026, 6, 25), end=date(2026, 7, 25), units=Decimal(12),
                           size_label="6")  # fmt: skip


def test_every_line_the_engine_writes_reads_in_spanish():
    lines = list(_engine_lines())
    assert len(lines) >= 10
    for line in lines:
        for text in (line.description, line.explanation):
            spanish = charge_text(text, "es")
            assert spanish != text
            for word in ENGLISH_WORDS:
                assert not re.search(rf"\b{re.escape(word.strip())}\b", spanish), (text, spanish)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ('Basic fee 3/4"', 'Cargo básico 3/4"'),
        ('monthly basic fee 3/4": $45.55', 'cargo básico mensual 3/4": $45.55'),
        ("Tier 2: units 6-10", "Nivel 2: unidades 6-10"),
        ("units 6-10: 5 x $9.65", "unidades 6-10: 5 x $9.65"),
        ("Tier 3: units over 10", "Nivel 3: unidades sobre 10"),
        ("all usage: 12 x $9.00", "todo el consumo: 12 x $9.00"),
        ('monthly basic fee 1" $45.55 x 15 days / 30', 'cargo básico mensual 1" $45.55 x 15 días / 30'),
        (
            'Fire-line service charge 6" (07/10-07/25, Scenario C from 07/10/2026)',
            'Cargo por servicio de línea contra incendios 6" (10 jul-25 jul, tarifas desde 10 jul 2026)',
        ),
    ],
)
def test_spanish_wording(english, spanish):
    assert charge_text(english, "es") == spanish
    assert charge_text(english, "en") == english


def test_a_line_in_a_districts_own_words_is_left_as_written():
    assert charge_text("Drought surcharge", "es") == "Drought surcharge"
