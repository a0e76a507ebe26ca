"""The demo district's water system: routes, service points, meters, installations and monthly reads.

Pure data like generator.py (which calls it once per block): rows are tuples in the order of the `*_COLUMNS`
below. Every premise has a domestic service point; some commercial premises also have an irrigation
service or a fire line. Twelve routes, read on days spread over the month, each a run of streets read house
by house. Meter sizes, makes and dials follow a small desert district (domain/district.md: mostly 3/4" and
1", some 1 1/2", 2" and 3"). Reads: an opening read converted from the prior system, then `read_months`
monthly reads ending before `today`; usage is higher in the desert summer; a few reads are estimates (each
trued up by the next actual read) and a few of the last reads are open exceptions (high, zero, negative)
waiting in the review queue. Consumption is `reading.consumption` of consecutive accepted reads, and an
exception's problems are what `reading.validate` finds, so the seeded rows are what the services would write.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from cistern.metering.reading import PriorRead, ReadFacts, Register, consumption, validate

ROUTE_COUNT = 12


def read_day_of(route_code: str) -> int:
    """Route R01 is read on the 3rd, R02 on the 5th ... R12 on the 25th (its bill cycle's read day)."""
    return 3 + 2 * (int(route_code[1:]) - 1)


ROUTE_COLUMNS = ("id", "code", "name")
SERVICE_POINT_COLUMNS = ("id", "premise_id", "kind", "route_id", "read_sequence", "location_note")
METER_COLUMNS = (
    "id", "serial", "size", "make", "model", "dials", "multiplier", "unit", "status", "purchased_on",
)  # fmt: skip
INSTALLATION_COLUMNS = (
    "id", "meter_id", "service_point_id", "installed_on", "initial_value", "removed_on", "final_value",
)  # fmt: skip
READ_COLUMNS = (
    "id", "meter_id", "installation_id", "account_id", "read_on", "value", "kind", "source", "status",
    "consumption", "problems", "reader_code", "note", "read_import_id", "reviewed_by_id", "reviewed_at",
    "created_by_id", "created_at",
)  # fmt: skip
READ_STATUS = READ_COLUMNS.index("status")
READ_CONSUMPTION = READ_COLUMNS.index("consumption")

# (make, serial prefix, weight, model for small meters, model for 1 1/2" and up)
MAKES = [
    ("Badger", "BA", 35, "Recordall", "Recordall Turbo"),
    ("Neptune", "NE", 30, "T-10", "HP Turbine"),
    ("Sensus", "SE", 25, "iPERL", "OMNI T2"),
    ("Master Meter", "MM", 10, "Bronze Multi-Jet", "Octave"),
]
SIZES = {  # (kind, residential?) -> [(size, weight)]
    ("domestic", True): [("3/4", 82), ("1", 15), ("1 1/2", 3)],
    ("domestic", False): [("1", 35), ("1 1/2", 35), ("2", 25), ("3", 5)],
    ("irrigation", False): [("1", 40), ("1 1/2", 40), ("2", 20)],
    ("fire_line", False): [("2", 60), ("3", 40)],
}
SIZE_FACTOR = {"3/4": 1.0, "1": 1.3, "1 1/2": 3.0, "2": 6.0, "3": 12.0}
IRRIGATION_SHARE = 0.20  # of commercial premises
FIRE_LINE_SHARE = 0.10
ESTIMATE_SHARE = 0.01  # of monthly reads: the reader could not get to the meter
EXCEPTION_SHARE = 0.004  # of last reads at premises in service: left open for review
MIN_BLOCK_EXCEPTIONS = 3  # ... and at least this many per block, so even a small demo shows the queue
BOX_NOTES = ["front yard, left", "front yard, right", "by the driveway", "in the alley", "behind the gate",
             "under the mesquite", "by the mailbox", ""]  # fmt: skip
ZERO = Decimal(0)


def _weighted(rng: random.Random, pairs):
    return rng.choices([value for value, *_ in pairs], weights=[weight for _, weight, *_ in pairs])[0]


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def season(month: int, swing: float) -> float:
    """Desert use: highest in July and August, lowest in January."""
    return max(0.05, 1 + swing * math.cos(2 * math.pi * (month - 7.5) / 12))


class MeterPlant:
    def __init__(self, *, seed: int, today: date, read_months: int, streets: list[str], now):
        if read_months < 0:
            raise ValueError("read_months must not be negative")
        self.seed, self.today, self.read_months, self.now = seed, today, read_months, now
        self.street_count = max(1, len(streets))
        # Route r reads the streets [first[r], first[r+1]) on day 3, 5, ... 25 of the month.
        self.route_first = [r * self.street_count // ROUTE_COUNT for r in range(ROUTE_COUNT)]
        self.route_names = [
            f"{streets[self.route_first[r]] if streets else 'Route'} area" for r in range(ROUTE_COUNT)
        ]
        self.read_days = [read_day_of(f"R{r + 1:02d}") for r in range(ROUTE_COUNT)]
        self.route_ids: list[int] = []
        self.conversion_date = today  # set by the generator: the replay's history begins the day after
        self.route_reads: dict[
            tuple[int, date], list[tuple]
        ] = {}  # (route, day) -> (serial, value, source, reader)
        self.estimates: dict[tuple[int, date], list[tuple]] = {}  # (route, day) -> (serial, value)
        # Each route's read dates, oldest first: the opening read, then read_months monthly reads.
        self.route_dates = [self._dates(day) for day in self.read_days] if read_months else [[]] * ROUTE_COUNT

    def _dates(self, read_day: int) -> list[date]:
        month = self.today.replace(day=1)
        if self._read_date(month, read_day) >= self.today:
            month = _add_months(month, -1)
        return [self._read_date(_add_months(month, -k), read_day) for k in range(self.read_months, -1, -1)]

    @staticmethod
    def _read_date(month: date, read_day: int) -> date:
        day = month.replace(day=read_day)
        while day.weekday() >= 5:  # read on weekdays: a weekend read day moves back to Friday
            day -= timedelta(days=1)
        return day

    def route_rows(self, take) -> list[tuple]:
        self.route_ids = [take("route") for _ in range(ROUTE_COUNT)]
        return [(self.route_ids[r], f"R{r + 1:02d}", self.route_names[r][:80]) for r in range(ROUTE_COUNT)]

    def _route_of(self, street_index: int) -> int:
        route = street_index * ROUTE_COUNT // self.street_count
        while route + 1 < ROUTE_COUNT and self.route_first[route + 1] <= street_index:
            route += 1
        while route > 0 and self.route_first[route] > street_index:
            route -= 1
        return route

    # --- one block's premises ------------------------------------------------------------------------------

    def premise_rows(self, block, chains, take, seed_text: str) -> None:
        rng = random.Random(seed_text)  # meters: the same whatever read_months is
        reads_rng = random.Random(seed_text + ":reads")
        self.block_exceptions = 0
        for premise, chain in chains:
            route = self._route_of(premise.street_index)
            sequence = (premise.street_index - self.route_first[route]) * 100_000 + premise.house % 100_000
            commercial = premise.occupancy == "commercial"
            points = ["domestic"]
            if commercial and rng.random() < IRRIGATION_SHARE:
                points.append("irrigation")
            if commercial and rng.random() < FIRE_LINE_SHARE:
                points.append("fire_line")
            for offset, kind in enumerate(points):
                point_id = take("service_point")
                block.service_points.append(
                    (
                        point_id,
                        premise.id,
                        kind,
                        self.route_ids[route],
                        sequence + offset,
                        rng.choice(BOX_NOTES),
                    )
                )
                self._meter(block, rng, reads_rng, take, premise, chain, point_id, kind, route)

    def _meter(self, block, rng, reads_rng, take, premise, chain, point_id, kind, route) -> None:
        residential = premise.occupancy != "commercial"
        size = _weighted(rng, SIZES[(kind, residential and kind == "domestic")])
        make, prefix, _, small_model, large_model = rng.choices(MAKES, weights=[m[2] for m in MAKES])[0]
        dials = 6 if rng.random() < 0.92 else 5
        first_read = self.route_dates[route][0] if self.read_months else self.today
        age = rng.randint(40, 25 * 365)
        installed_on = first_read - timedelta(days=age)
        purchased_on = installed_on - timedelta(days=rng.randint(5, 150))
        meter_id, installation_id = take("meter"), take("installation")
        # Make, year of manufacture (not of the install, so serials do not move with read_months), number.
        serial = f"{prefix}{(self.today - timedelta(days=age + 400)).year % 100:02d}{meter_id:07d}"
        model = small_model if size in ("3/4", "1") else large_model
        block.meters.append(
            (meter_id, serial, size, make, model, dials, Decimal(1), "HCF", "installed", purchased_on)
        )
        block.installations.append((installation_id, meter_id, point_id, installed_on, ZERO, None, None))
        # Monthly use at this service point (HCF): 3/4" homes mostly 6-15.
        base = min(40.0, max(2.0, rng.lognormvariate(math.log(9), 0.35))) * SIZE_FACTOR[size]
        if premise.occupancy == "vacation":
            base *= 0.6
        swing = {"domestic": 0.4, "irrigation": 0.95, "fire_line": 0.0}[kind]
        if kind == "fire_line":
            base = 0.0
        if self.read_months:
            register = Register(dials=dials, multiplier=Decimal(1))
            years = (first_read - installed_on).days / 365
            opening = int(base * 12 * years * reads_rng.uniform(0.7, 1.1)) % int(register.capacity)
            if dials == 5 and reads_rng.random() < 0.05:
                opening = int(register.capacity) - reads_rng.randint(5, 60)  # rolls over inside the window
            self._reads(block, reads_rng, take, chain, route, meter_id, installation_id, serial, register, opening,
                        base, swing, kind == "domestic")  # fmt: skip

    def _register(self, chain, dates, rng, opening, base, swing, days):
        """The register on each of `days` (its value at the end of that day): water is used only on days an
        account is in service, at each read period's rate (season, a draw per period)."""
        noise = [rng.uniform(0.8, 1.2) for _ in dates]
        first = dates[0].toordinal()
        length = max(d.toordinal() for d in days) - first + 1 if days else 1
        rate = [0.0]  # per day after the opening read
        for k in range(1, len(dates)):
            period = max(1, (dates[k] - dates[k - 1]).days)
            rate += [base * season(dates[k].month, swing) * noise[k] / period] * period
        tail = base * season(dates[-1].month, swing) * noise[0] / 30  # after the last route read
        rate = rate[:length] + [tail] * max(0, length - len(rate))
        served = bytearray(length)
        for account in chain:
            lo = max(0, account.start.toordinal() - first)
            hi = length - 1 if account.end is None else min(length - 1, account.end.toordinal() - first)
            if lo <= hi:
                served[lo : hi + 1] = b"\x01" * (hi - lo + 1)
        total = list(
            accumulate((r if s else 0.0 for r, s in zip(rate, served, strict=True)), initial=opening)
        )
        # total[i + 1] is the register at the end of day first + i
        return {day: int(total[day.toordinal() - first + 1]) for day in days}

    def _reads(self, block, rng, take, chain, route, meter_id, installation_id, serial, register, opening, base,
               swing, primary):  # fmt: skip
        """The opening read (a conversion row); the route reads of each later read date, for the replay's read
        files; the final and initial reads a technician takes at each stop and start after the conversion."""
        dates = self.route_dates[route]
        capacity = int(register.capacity)
        reader = f"{'AMR' if route < 4 else 'HH'}{route + 1:02d}"
        source = "amr" if route < 4 else "handheld"
        converted_on = self.conversion_date
        boundary = {}  # day -> (account, "final" | "initial")
        for account in chain:
            if account.start > converted_on:
                boundary[account.start] = (account, "initial")
            if account.end is not None and account.end > converted_on:
                boundary[account.end] = (account, "final")
        # An initial read is taken as service begins: the register as it stood the evening before.
        asked = [
            *dates[1:],
            *(d if kind == "final" else d - timedelta(days=1) for d, (_, kind) in boundary.items()),
        ]
        register_on = self._register(chain, dates, rng, opening, base, swing, asked)
        rows = block.reads
        opening_account = _account_on(chain, dates[0])
        rows.append(
            (take("read"), meter_id, installation_id, _id(opening_account), dates[0], Decimal(opening), "actual",
             "manual", "accepted", None, "[]", "", "Opening read converted from the prior system", None, None,
             None, None, self.now)
        )  # fmt: skip
        last_value = opening  # the last accepted read (an estimate counts)
        used: list[Decimal] = []  # consumption of accepted route reads, oldest first
        last = len(dates) - 1
        events = sorted(
            [*((d, "route", k) for k, d in enumerate(dates) if k), *((d, "boundary", 0) for d in boundary)]
        )
        for index, (day, what, k) in enumerate(events):
            if what == "boundary":
                account, kind = boundary[day]
                value = register_on[day if kind == "final" else day - timedelta(days=1)] % capacity
                getattr(account, f"{kind}_reads").append((serial, value, primary))
                last_value = value
                continue
            if day in boundary:
                continue  # the technician read the meter that day
            account = _account_on(chain, day)
            true_value = register_on[day] % capacity
            wanted = self.block_exceptions < MIN_BLOCK_EXCEPTIONS or rng.random() < EXCEPTION_SHARE
            eligible = k == last and k > 3 and account is not None and account.end is None and base and wanted
            if eligible:
                value = self._exception(rng, account, day, register, dates[k - 1], last_value, used)
                if value is not None:
                    self.route_reads.setdefault((route, day), []).append((serial, value, source, reader))
                    continue
            next_day, next_what, _ = events[index + 1] if index + 1 < len(events) else (None, "", 0)
            estimate = (
                1 < k < last
                and account is not None
                and next_what == "route"
                and rng.random() < ESTIMATE_SHARE
            )
            units = consumption(Decimal(last_value), Decimal(true_value), register)
            if estimate and units:
                recent = used[-3:] or [units]
                guess = round(sum(recent) / len(recent))
                # the next actual read never goes backwards
                guess = min(guess, int(consumption(Decimal(last_value), Decimal(register_on[next_day] % capacity),
                                                   register)))  # fmt: skip
                value = (last_value + guess) % capacity
                self.estimates.setdefault((route, day), []).append((serial, value))
            else:
                value = true_value
                self.route_reads.setdefault((route, day), []).append((serial, value, source, reader))
            used.append(consumption(Decimal(last_value), Decimal(value), register))
            last_value = value

    def _exception(self, rng, account, day, register, previous_day, last_value, used) -> int | None:
        """The last read of a meter as an open exception: a leak (high), a stopped meter (zero) or a misread
        (negative), when validation would find it one; else None."""
        last_value = Decimal(last_value)
        typical = sum(used[-3:], ZERO) / max(1, len(used[-3:]))
        roll = rng.random()
        if roll < 0.5:
            value = last_value + int(typical * 4) + 12
        elif roll < 0.75:
            value = last_value
        else:
            value = last_value - rng.randint(3, 40)
        if value < 0:
            return None
        value = value % register.capacity
        last_year = used[-12] if len(used) >= 12 else None
        facts = ReadFacts(
            read_on=day, value=value, meter_known=True, register=register,
            previous=PriorRead(previous_day, last_value), account_active=True,
            recent_usage=tuple(reversed(used[-3:])), usage_last_year=last_year,
        )  # fmt: skip
        if validate(facts).status != "exception":
            return None
        self.block_exceptions += 1
        return int(value)


def _account_on(chain, day: date):
    """The account in service at the premise on `day` (the newest that started by then), or None."""
    found = None
    for account in chain:
        if account.start <= day and (account.end is None or account.end >= day):
            found = account
    return found


def _id(account):
    return account.id if account is not None else None
