"""Write a conversion folder (the load format, cistern/conversion/loadformat.py) of N accounts, fast: what a large
district's previous system would hand over, for timing `manage.py convert` (bench/conversion.py).

    .venv/bin/python bench/legacy_folder.py DIR [--accounts 100000] [--months 13] [--as-of 2026-11-30] [--seed 1]

Consistent by construction: one customer, one location and one 3/4" domestic meter per account (one account in
fifty an organisation with a 1 1/2" meter), 20 cycles of 10 routes each, a read a month per meter up to --as-of
(monotonic, 3-25 units a month, one in forty estimated), a bill for each period at the demo district's rates
(lines rounded each), the last bill open (due 25 days after its date) and one account in ten owing the one before
it too, a deposit held by one account in eight, autopay for one in five, and the trial balance aged on --as-of
as Cistern ages it. No ORM, no Django: about 40 s per 100,000 accounts on a quiet machine.
"""

import argparse
import csv
import random
import sys
import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cistern.conversion.loadformat import FILES, TRIAL_BALANCE_COLUMNS, TRIAL_BALANCE_FILE  # noqa: E402

CENT = Decimal("0.01")
TIERS = [(5, Decimal("8.00")), (10, Decimal("9.65")), (20, Decimal("11.30")), (None, Decimal("12.95"))]
BASIC = {"3/4": Decimal("45.55"), "1 1/2": Decimal("151.83")}
FLAT = Decimal("9.65")
DUE_DAYS = 25
CYCLES, ROUTES_PER_CYCLE = 20, 10
STREETS = ["Chollita Rd", "Sunburst St", "Hillview Rd", "Sunflower Rd", "Alta Loma Dr", "Sage Ave", "Onaga Trl",
           "Bonita Ave", "Aberdeen Dr", "Mandarin Rd", "Border Ave", "Park Blvd", "Yucca Mesa Rd", "Sunny Vista Rd"]  # fmt: skip
FIRST = [
    "Maria",
    "James",
    "Rosa",
    "David",
    "Linda",
    "Robert",
    "Susana",
    "Michael",
    "Karen",
    "Thomas",
    "Angela",
]
LAST = [
    "Lopez",
    "Whitfield",
    "Martinez",
    "Chen",
    "Park",
    "Hayes",
    "Ortiz",
    "Brown",
    "Johnson",
    "Reyes",
    "Brooks",
]


def charges(size: str, units: int) -> Decimal:
    if size != "3/4":
        return BASIC[size] + units * FLAT
    total, floor = BASIC[size], 0
    for ceiling, price in TIERS:
        top = units if ceiling is None else min(units, ceiling)
        if top > floor:
            total += (top - floor) * price
        floor = ceiling if ceiling is not None else floor
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "not_due"
    for limit, name in ((30, "1_30"), (60, "31_60"), (90, "61_90")):
        if days_past_due <= limit:
            return name
    return "over_90"


def month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, day.day)


def write(folder: Path, *, accounts: int, months: int, as_of: date, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: open(folder / name, "w", newline="", encoding="utf-8") for name in FILES}  # noqa: SIM115
    out = {name: csv.writer(f, lineterminator="\n") for name, f in files.items()}
    for name, columns in FILES.items():
        out[name].writerow(columns)
    counts = dict.fromkeys(FILES, 0)
    cycles = []
    for c in range(CYCLES):
        read_day = 1 + c
        cycles.append((f"C{c + 1:02d}", read_day, min(28, read_day + 3)))
        out["cycles.csv"].writerow(cycles[-1])
        for r in range(ROUTES_PER_CYCLE):
            out["routes.csv"].writerow((f"R{c + 1:02d}{r:02d}", cycles[-1][0]))
    counts["cycles.csv"], counts["routes.csv"] = CYCLES, CYCLES * ROUTES_PER_CYCLE
    buckets = dict.fromkeys(["not_due", "1_30", "31_60", "61_90", "over_90"], Decimal("0.00"))
    deposits = Decimal("0.00")
    for n in range(1, accounts + 1):
        c = n % CYCLES
        code, read_day, bill_day = cycles[c]
        route = f"R{c + 1:02d}{(n // CYCLES) % ROUTES_PER_CYCLE:02d}"
        organisation = n % 50 == 0
        size = "1 1/2" if organisation else "3/4"
        name = f"High Desert Supply {n} LLC" if organisation else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        street = f"{60000 + n % 9000} {STREETS[n % len(STREETS)]}"
        customer, premise, number = f"C{n:07d}", f"L{n:07d}", f"{n:07d}-01"
        phone = f"(760) {366 + n % 3}-{n % 10_000:04d}"
        email = f"account{n}@example.com" if n % 7 == 0 else ""
        out["customers.csv"].writerow((customer, "organisation" if organisation else "person", name, street, "",
                                       "Joshua Tree", "CA", "92252", phone, email, "es" if n % 9 == 0 else "en"))  # fmt: skip
        out["premises.csv"].writerow((premise, street, "", "Joshua Tree", "CA", "92252",
                                      f"{601 + n // 9801:04d}-{11 + n // 99 % 99:03d}-{1 + n % 99:02d}-0000",
                                      "commercial" if organisation else "owner"))  # fmt: skip
        serial = f"BM{n:09d}"
        first_read = month_back(as_of.replace(day=read_day) if read_day <= as_of.day else
                                month_back(as_of.replace(day=read_day), 1), months)  # fmt: skip
        installed = first_read - timedelta(days=365 * (1 + n % 20))
        out["meters.csv"].writerow((serial, size, "Badger", 6, "1", premise, "domestic", installed.isoformat(),
                                    route, n // CYCLES))  # fmt: skip
        deposit = Decimal("200.00") if n % 8 == 0 else Decimal("0.00")
        deposits += deposit
        out["accounts.csv"].writerow((number, customer, premise, "owner", "active", installed.isoformat(), "",
                                      deposit, "true" if n % 7 == 0 else "false"))  # fmt: skip
        value = rng.randrange(1000, 90_000)
        previous = first_read
        out["reads.csv"].writerow((serial, first_read.isoformat(), value, "actual"))
        bills = []
        for m in range(months - 1, -1, -1):
            read_on = month_back(first_read, -(months - m))
            used = rng.randrange(3, 26) * (4 if organisation else 1)
            value += used
            kind = "estimated" if rng.random() < 0.025 else "actual"
            out["reads.csv"].writerow((serial, read_on.isoformat(), value, kind))
            bill_on = read_on.replace(day=bill_day)
            amount = charges(size, used)
            bills.append((bill_on, previous, read_on, used, amount))
            previous = read_on
        counts["reads.csv"] += months + 1
        owing = bills[-2:] if n % 10 == 0 else bills[-1:]
        carried = Decimal("0.00")
        for bill_on, start, end, used, amount in bills:
            carried = (carried if (bill_on, start, end, used, amount) in owing else Decimal("0.00")) + amount
            out["bills.csv"].writerow((number, bill_on.isoformat(), start.isoformat(), end.isoformat(), used,
                                       amount, carried))  # fmt: skip
        counts["bills.csv"] += months
        for bill_on, _s, _e, _u, amount in owing:
            due = bill_on + timedelta(days=DUE_DAYS)
            out["open_items.csv"].writerow((number, due.isoformat(), amount, f"Bill of {bill_on:%m/%d/%Y}"))
            buckets[bucket((as_of - due).days)] += amount
            counts["open_items.csv"] += 1
        if n % 5 == 0:
            out["autopay.csv"].writerow((number, "122000247", f"{rng.randrange(10**7, 10**11)}", "checking",
                                         "true"))  # fmt: skip
            counts["autopay.csv"] += 1
    for name in ("customers.csv", "premises.csv", "meters.csv", "accounts.csv"):
        counts[name] = accounts
    for f in files.values():
        f.close()
    figures = [(f"receivable_{k}", v) for k, v in buckets.items()]
    figures += [("receivable_total", sum(buckets.values())), ("deposits_held", deposits),
                ("accounts_active", accounts), ("accounts_final", 0), ("accounts_closed", 0), ("meters", accounts)]  # fmt: skip
    with open(folder / TRIAL_BALANCE_FILE, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TRIAL_BALANCE_COLUMNS)
        writer.writerows(figures)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cycles", type=int, default=CYCLES, help="Bill cycles (1: every account read and billed on one day)."
    )
    args = parser.parse_args()
    globals()["CYCLES"] = args.cycles
    started = time.monotonic()
    counts = write(args.folder, accounts=args.accounts, months=args.months, as_of=args.as_of, seed=args.seed)
    print(f"Wrote {args.folder}: " + ", ".join(f"{name} {n:,}" for name, n in counts.items())
          + f" in {time.monotonic() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
