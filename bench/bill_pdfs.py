"""Benchmark: render bill PDFs with `cistern.billing.document.render_pdf` on one core.

    .venv/bin/python bench/bill_pdfs.py [--bills N] [--seed S]

Builds N varied bills in memory (default 500; no database, no Django settings: the document module is
pure): English and Spanish, regular, final and rebill, one to three meters some with estimated reads, two
to nine charge lines, a year of usage or less, a district message now and then. Renders each one to its own
PDF in this one process, after a warm-up, and prints bills per second and PASS/MISS against 100 bills/s;
never fails on time. Also prints the one-file print batch (`render_many`) rate and the average PDF size.
"""

import argparse
import platform
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cistern.billing.document import (  # noqa: E402 (the project root goes on sys.path first)
    BillDocument,
    DocumentLine,
    DocumentMeter,
    render_many,
    render_pdf,
)
from cistern.billing.scanline import scanline  # noqa: E402
from cistern.customers.account_number import make_account_number  # noqa: E402

TARGET = 100  # bills per second on one core
CENT = Decimal("0.01")
FIRST = ["Maria", "James", "Dana", "Luis", "Ana", "Robert", "Guadalupe", "Wei", "Sofía", "Michael"]
LAST = ["Lopez", "Whitfield", "Nguyen", "Peña", "Smith", "Hernández", "Okafor", "Johnson", "García"]
STREETS = ["Sunburst Ave", "Chollita Rd", "Joshua Ln", "Twentynine Palms Hwy", "Sage Ave", "Onaga Trl"]
TIERS = [
    (1, 5, Decimal("8.00")),
    (6, 10, Decimal("9.65")),
    (11, 20, Decimal("10.85")),
    (21, None, Decimal("12.40")),
]
SIZES = [
    ("3/4", Decimal("38.91")),
    ("1", Decimal("58.40")),
    ("1 1/2", Decimal("97.35")),
    ("2", Decimal("155.72")),
]
MESSAGES = {
    "en": ["Water is precious: check for leaks.", "Our office is closed on November 27 and 28."],
    "es": ["Cada gota cuenta: revise si hay fugas.", "Nuestra oficina cierra el 27 y 28 de noviembre."],
}


def tier_lines(units: int) -> list[DocumentLine]:
    lines = []
    for tier, (first, last, price) in enumerate(TIERS, start=1):
        if units < first:
            break
        top = units if last is None else min(units, last)
        used = top - first + 1
        span = f"units {first}-{last}" if last else f"units {first} and up"
        lines.append(DocumentLine(f"Tier {tier}: {span}", f"{span}: {used} x ${price}", used * price))
    return lines


def make_bill(rng: random.Random, number: int) -> BillDocument:
    language = "es" if rng.random() < 0.3 else "en"
    kind = rng.choices(["regular", "final", "rebill"], weights=[90, 6, 4])[0]
    period_end = date(2025, 11, 15) + timedelta(days=rng.randint(0, 20))
    period_start = period_end - timedelta(days=rng.randint(27, 33))
    meters, lines = [], []
    for index in range(rng.choices([1, 2, 3], weights=[85, 12, 3])[0]):
        size, fee = rng.choice(SIZES)
        units = rng.randint(0, 45)
        start = rng.randint(0, 99_000)
        meters.append(
            DocumentMeter(
                serial=f"M{rng.randint(1_000_000, 9_999_999)}", size=size, from_date=period_start,
                from_value=Decimal(start), to_date=period_end, to_value=Decimal(start + units),
                units=Decimal(units), estimated=rng.random() < 0.05,
            )
        )  # fmt: skip
        lines.append(DocumentLine(f'Basic fee {size}"', f'monthly basic fee {size}": ${fee}', fee))
        lines.extend(tier_lines(units) if index == 0 else tier_lines(units)[:1])
    if rng.random() < 0.1:
        lines.append(DocumentLine("Late penalty", "greater of $10.00 or 10% of $84.20", Decimal("10.00")))
    current = sum((line.amount for line in lines), Decimal(0)).quantize(CENT)
    previous = Decimal(rng.randint(0, 30_000)) / 100
    paid = -previous if rng.random() < 0.8 else Decimal(0)
    deposit = Decimal("150.00") if kind == "final" else Decimal(0)
    balance = previous + paid + current - deposit
    refund = -balance if balance < 0 else Decimal(0)
    usage_months = rng.randint(1, 13)
    usage = tuple(
        (period_end - timedelta(days=30 * back), Decimal(rng.randint(0, 40)))
        for back in range(usage_months - 1, -1, -1)
    )
    city = rng.choice(["Joshua Tree, CA 92252", "Yucca Valley, CA 92284"])
    return BillDocument(
        district_name="High Desert Water District",
        district_address="55439 29 Palms Highway\nYucca Valley, CA 92284",
        district_phone="(760) 228-6266",
        district_email="billing@hdwd.example",
        bill_number=number,
        kind=kind,
        account_number=make_account_number(1_000_000 + number),
        customer_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        mailing_lines=(f"{rng.randint(1000, 99999)} {rng.choice(STREETS)}", city),
        service_address=f"{rng.randint(1000, 99999)} {rng.choice(STREETS)}",
        period_start=period_start,
        period_end=period_end,
        bill_date=period_end + timedelta(days=3),
        due_date=period_end + timedelta(days=23),
        meters=tuple(meters),
        lines=tuple(lines),
        previous_amount_due=previous,
        payments_and_adjustments=paid,
        current_charges=current,
        deposit_applied=deposit,
        refund=refund,
        amount_due=balance + refund,
        usage=usage,
        language=language,
        messages=tuple(rng.sample(MESSAGES[language], rng.randint(0, 2))),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bills", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"Bill PDF benchmark: Python {platform.python_version()}, one core, {platform.platform()}")
    rng = random.Random(args.seed)
    bills = [make_bill(rng, number) for number in range(1, args.bills + 1)]
    for bill in bills:
        scanline(bill.account_number, bill.amount_due)  # a bad generated bill fails here, not in the timing
    for bill in bills[:20]:
        render_pdf(bill)  # warm-up: imports, fpdf2's first-use caches
    started = time.perf_counter()
    sizes = [len(render_pdf(bill)) for bill in bills]
    seconds = time.perf_counter() - started
    rate = len(bills) / seconds
    started = time.perf_counter()
    batch = render_many(bills)
    batch_rate = len(bills) / (time.perf_counter() - started)
    print(
        f"rendered {len(bills):,} bills in {seconds:.2f} s, {sum(sizes) / len(sizes) / 1024:.1f} KB a bill; "
        f"one print file: {batch_rate:,.0f} bills/s, {len(batch) / 1e6:.1f} MB"
    )
    print(
        f"Bill PDFs: {rate:,.0f} bills/s (target >= {TARGET}/s on one core): "
        f"{'PASS' if rate >= TARGET else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
