"""Benchmark: letters from the shipped templates, rendered to PDF on one core; and, with --issue, a day's
notices written with `letters_issue` on the configured database.

    .venv/bin/python bench/letters.py [--letters N] [--seed S]
    DATABASE_URL=postgres://... .venv/bin/python bench/letters.py --issue 10000

Renders N letters (default 500) from the shipped templates (every letter template, English and Spanish,
made-up customers) with `letter_pdf.render_letter`, one PDF each after a warm-up, and prints letters per second
and PASS/MISS against 100 letters/s; then the same letters as one print batch (`render_batch`), and the template
rendering alone. Never fails on time. No database for these (the templates' text comes from seed.py).

--issue N writes N past-due reminders through `services.letters_issue` (one transaction, as the collections
daily run does) on the database DATABASE_URL names (migrated), times it, and rolls everything back.
"""

import argparse
import os
import platform
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cistern.settings")

import django  # noqa: E402

django.setup()

from cistern.core.models import DistrictSettings  # noqa: E402
from cistern.correspondence import letter_pdf, merge, rendering, seed  # noqa: E402

TARGET = 100  # letters per second on one core
FIRST = ["Maria", "James", "Dana", "Luis", "Ana", "Robert", "Guadalupe", "Wei", "Sofía", "Michael"]
LAST = ["Lopez", "Whitfield", "Nguyen", "Peña", "Smith", "Hernández", "Okafor", "Johnson", "García"]
STREETS = ["Sunburst Ave", "Chollita Rd", "Joshua Ln", "Twentynine Palms Hwy", "Sage Ave", "Onaga Trl"]
DISTRICT = DistrictSettings(
    name="Joshua Basin Water District", street="61750 Chollita Rd", city="Joshua Tree", state="CA",
    zip_code="92252", phone="(760) 366-8438", email="info@jbwd.example",
)  # fmt: skip


def _context(rng: random.Random, on: date) -> tuple[dict, str, tuple[str, ...], str]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    street = f"{rng.randint(100, 99999)} {rng.choice(STREETS)}"
    zip_code = rng.choice(["92252", "92284", "92277", "92285"])
    context = merge.sample_context(on, DISTRICT) | {
        "customer": {"name": name},
        "account": {"number": f"{rng.randint(10000000, 99999999)}"},
        "service_address": f"{street}, Joshua Tree",
    }
    return context, name, (street, f"Joshua Tree, CA {zip_code}"), context["account"]["number"]


def build(count: int, seed_value: int) -> tuple[list[letter_pdf.Letter], float]:
    rng = random.Random(seed_value)
    shipped = [t for t in seed.templates() if t["channel"] == "letter"]
    head = letter_pdf.Letterhead(DISTRICT.name, "61750 Chollita Rd, Joshua Tree, CA 92252", DISTRICT.phone)
    on = date(2026, 11, 16)
    letters, spent = [], 0.0
    for i in range(count):
        template = shipped[i % len(shipped)]
        context, name, lines, number = _context(rng, on + timedelta(days=rng.randint(0, 30)))
        start = time.perf_counter()
        subject, body = rendering.render(template["subject"], template["body"], context, template["language"])
        spent += time.perf_counter() - start
        letters.append(letter_pdf.Letter(head, on, name, lines, subject, body, number, template["language"]))
    return letters, spent


def issue(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from cistern.correspondence import services

    with transaction.atomic():
        user = get_user_model().objects.create_superuser("bench_letters", password=None)
        on = date(2026, 11, 16)
        context = merge.sample_context(on)
        recipient = services.Recipient("Maria Lopez", ("100 Sunburst Ave", "Joshua Tree, CA 92252"), "92252")
        requests = [
            services.LetterRequest(
                template_code="past_due_reminder",
                context=context | {"account": {"number": f"{10000000 + i}"}},
                recipient=recipient,
                language="es" if i % 4 == 0 else "en",
                key=f"bench-{i}",
            )  # fmt: skip
            for i in range(count)
        ]
        start = time.perf_counter()
        out = services.letters_issue(actor=user, requests=requests)
        spent = time.perf_counter() - start
        start = time.perf_counter()
        services.letters_issue(actor=user, requests=requests)  # every key issued: nothing written
        again = time.perf_counter() - start
        transaction.set_rollback(True)
    print(f"letters_issue on {connection.vendor}: {len(out):,} letters in {spent:.2f} s ({len(out) / spent:,.0f}/s); "
          f"the same keys again: {again:.2f} s (rolled back)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--issue", type=int, default=0, help="also time letters_issue of N letters (database)"
    )
    args = parser.parse_args()
    letters, spent = build(args.letters, args.seed)
    print(f"Python {platform.python_version()} on {platform.machine()}; {len(letters)} letters, EN and ES")
    print(f"template rendering: {len(letters) / spent:,.0f} letters/s")
    for letter in letters[:20]:
        letter_pdf.render_letter(letter)  # warm-up
    start = time.perf_counter()
    size = sum(len(letter_pdf.render_letter(letter)) for letter in letters)
    rate = len(letters) / (time.perf_counter() - start)
    verdict = "PASS" if rate >= TARGET else "MISS"
    print(
        f"letters rendered to PDF: {rate:,.0f} letters/s ({verdict} >= {TARGET}/s), {size / len(letters) / 1024:.1f} KiB each"
    )
    cover = letter_pdf.BatchCover(1, date(2026, 11, 16), DISTRICT.name, len(letters), "92252", "92285")
    start = time.perf_counter()
    batch = letter_pdf.render_batch(cover, letters)
    print(
        f"one print batch: {len(letters) / (time.perf_counter() - start):,.0f} letters/s, {len(batch) / 1024 / 1024:.1f} MiB"
    )
    if args.issue:
        issue(args.issue)


if __name__ == "__main__":
    main()
