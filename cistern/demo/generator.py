"""The synthetic district: customers, premises, accounts and their history, built from a seed.

Pure data, no ORM: `DistrictGenerator(...).blocks()` yields `Block`s of rows (tuples in the order of the
`*_COLUMNS` below, which are database column names, primary keys included), so the loader can write them
with whatever the database does fastest (COPY on PostgreSQL, executemany on SQLite) and never hold the
whole district in memory. The same accounts count and seed give the same district: the same names,
addresses, parcels and account numbers. Dates are counted back from `today`, so they move with it.

Shape (domain/district.md, Joshua Basin Water District): 18.5 % of accounts are inactive (final or
closed), most of them earlier accounts at a premise that has a newer active one (owner, then tenants),
some at premises with no account in service. Occupancy: owner 60 %, rental 25 %, vacation rental 10 %,
commercial 5 %.

`history_months` is the span of history the district keeps. With reads (`read_months` > 0) the district
is split at the conversion date (each meter's opening read, converted from the prior system, is on or
before it): the blocks hold what the prior system handed over (customers, premises, meters, the accounts in
service on the conversion date and those closed before it, flags and contact-log entries dated by then),
and `history()` gives what happened after, day by day, for the demo's replay through the services (stops,
move-ins with their customers and applications, flags, route reads, the final and initial reads the
technician takes). With `read_months` 0 (the scale benchmark) every account is written as it stands today
and there is no replay. meters.py builds routes, service points, meters, installations and read values.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import ceil, gcd
from zoneinfo import ZoneInfo

from cistern.customers.account_number import make_account_number
from cistern.customers.search_text import build_search_text, service_address_text

from . import meters, names

FIRST_SEQUENCE = 1_000_001  # the first account number's sequence (make_account_number)
INACTIVE_SHARE = 0.185  # about 1,000 of 5,400
VACANT_SHARE = 0.15  # of the inactive accounts: at premises with no account in service now
BLOCK_PREMISES = 16_000  # premises with an active account per block (about 20,000 accounts)
FINAL_DAYS = 60  # an account stopped this recently is still "final" (closing bill to settle)
GUARANTEE_DEPOSIT = Decimal("200.00")
SETUP_FEE = Decimal("35.00")
ZERO = Decimal("0.00")
DISTRICT_TZ = ZoneInfo("America/Los_Angeles")

OCCUPANCY = [("owner", 60), ("rental", 25), ("vacation", 10), ("commercial", 5)]
VACANT_OCCUPANCY = [("owner", 35), ("rental", 45), ("vacation", 15), ("commercial", 5)]
# How much more often a premise of each occupancy changed hands within the history kept.
TURNOVER = {"owner": 1.0, "rental": 3.0, "vacation": 2.0, "commercial": 1.2}
FLAG_RATES = [("medical", 0.01), ("low_income", 0.04), ("cash_only", 0.005), ("shutoff_hold", 0.001)]
CONTACT_SHARE = 0.10
OPENING_BALANCE_SHARE = 0.3  # of accounts closed before the conversion: bad debt from the prior system
PRE_WINDOW_SHARE = 0.12  # of stops: before the conversion (the account came over closed)
MOVER_SHARE = 0.08  # of inactive accounts: the customer moved to another premise in the district
SPANISH_SHARE = 0.16  # of people: prefer Spanish (about 15 % of all customers)
CHANNELS = [("phone", 55), ("in_person", 20), ("email", 12), ("portal", 6), ("mail", 5), ("fax", 2)]
LOCAL_EXCHANGES = [366, 365, 369, 228, 364, 401, 403, 974, 217, 499]  # Morongo Basin (760) prefixes

CUSTOMER_COLUMNS = (
    "id", "kind", "name", "phone", "phone_alt", "email", "mailing_street", "mailing_unit", "mailing_city",
    "mailing_state", "mailing_zip", "preferred_language", "paperless", "created_at",
)  # fmt: skip
PREMISE_COLUMNS = (
    "id", "street", "unit", "city", "state", "zip_code", "parcel_number", "zone", "occupancy_type",
)  # fmt: skip
ACCOUNT_COLUMNS = (
    "id", "number", "customer_id", "premise_id", "relationship", "occupancy_type", "status", "start_date",
    "end_date", "identity_method", "identity_verified_by_id", "credit_decision", "credit_decided_on",
    "credit_decided_by_id", "deposit_amount", "deposit_waived_reason", "setup_fee_amount", "forwarding_street",
    "forwarding_unit", "forwarding_city", "forwarding_state", "forwarding_zip", "legacy_number", "search_text",
    "created_at",
)  # fmt: skip
SERVICE_EVENT_COLUMNS = (
    "id", "account_id", "kind", "effective_on", "note", "related_account_id", "created_by_id", "created_at",
)  # fmt: skip
FLAG_COLUMNS = (
    "id",
    "account_id",
    "kind",
    "starts_on",
    "expires_on",
    "reason",
    "created_by_id",
    "created_at",
)
CONTACT_COLUMNS = ("id", "account_id", "channel", "subject", "note", "created_by_id", "created_at")
OPENING_BALANCE_COLUMNS = ("id", "account_id", "amount", "as_of", "note")


def _quota(total: int, lo: int, hi: int, over: int) -> int:
    """This block's share [lo, hi) of `total` spread over `over`: the shares add up to `total` exactly."""
    return total * hi // over - total * lo // over


def _weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _coprime_near(modulus: int, fraction: float) -> int:
    """A multiplier coprime to `modulus`: x -> (a*x + b) % modulus is then a permutation of range(modulus)."""
    a = max(1, int(modulus * fraction)) | 1
    while gcd(a, modulus) != 1:
        a += 2
    return a


def mailing_address(street: str, unit: str, city: str, state: str, zip_code: str) -> str:
    """Customer.mailing_address, from plain values."""
    unit = f" {unit}" if unit else ""
    return f"{street}{unit}, {city}, {state} {zip_code}"


@dataclass(frozen=True)
class Shape:
    """How many accounts of each kind a district of `accounts` has."""

    accounts: int
    active: int  # = premises with an account in service
    inactive: int
    prior: int  # inactive accounts at premises with an active account
    vacant_premises: int  # premises with no account in service (each has one or two inactive accounts)
    vacant_extra: int  # second, older inactive accounts at vacant premises

    @classmethod
    def of(cls, accounts: int) -> Shape:
        inactive = round(accounts * INACTIVE_SHARE)
        vacant_accounts = round(inactive * VACANT_SHARE)
        vacant_premises = vacant_accounts - vacant_accounts // 5
        return cls(
            accounts=accounts,
            active=accounts - inactive,
            inactive=inactive,
            prior=inactive - vacant_accounts,
            vacant_premises=vacant_premises,
            vacant_extra=vacant_accounts - vacant_premises,
        )

    @property
    def premises(self) -> int:
        return self.active + self.vacant_premises


@dataclass(frozen=True)
class Street:
    name: str
    city: str
    zip_code: str
    zone: str
    house_base: int


@dataclass
class Block:
    """Rows for one slice of the district, ready to write in this order (foreign keys point backwards)."""

    customers: list[tuple] = field(default_factory=list)
    premises: list[tuple] = field(default_factory=list)
    accounts: list[tuple] = field(default_factory=list)
    service_events: list[tuple] = field(default_factory=list)
    flags: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    opening_balances: list[tuple] = field(default_factory=list)
    routes: list[tuple] = field(default_factory=list)
    service_points: list[tuple] = field(default_factory=list)
    meters: list[tuple] = field(default_factory=list)
    installations: list[tuple] = field(default_factory=list)
    reads: list[tuple] = field(default_factory=list)


class _Premise:
    __slots__ = (
        "id",
        "street",
        "unit",
        "city",
        "zip_code",
        "parcel",
        "zone",
        "occupancy",
        "street_index",
        "house",
    )


class _Account:
    __slots__ = (
        "id", "number", "premise", "occupancy", "relationship", "start", "end", "status", "customer",
        "moved_to", "moved_from", "forwarding", "converted", "application", "later_flags", "stop_note",
        "start_note", "final_reads", "initial_reads",
    )  # fmt: skip

    def __init__(self, premise, occupancy, relationship, start, end):
        self.premise, self.occupancy, self.relationship = premise, occupancy, relationship
        self.start, self.end = start, end
        self.id = None  # converted: the row's id; a move-in: the id the replay's start gave it
        self.number = None
        self.customer = None  # the _Customer, once made
        self.moved_to = None  # for a customer who moved within the district: the account they moved to
        self.moved_from = None  # ... and on that account: the one they left
        self.forwarding = None
        self.converted = True  # in the conversion's rows (else started by the replay)
        self.application = None  # a move-in: what the clerk establishes at the counter (Application fields)
        self.later_flags = []  # flags a clerk adds after the conversion: (kind, starts, expires, reason)
        self.stop_note = self.start_note = ""
        self.final_reads = []  # (serial, value, primary?) the technician reads at the stop (meters.py)
        self.initial_reads = []  # ... and at the turn-on


class _Customer:
    __slots__ = ("id", "kind", "name", "phone", "phone_alt", "email", "mailing", "language", "paperless")

    def fields(self) -> dict:
        """What the clerk types for a new customer (service_start_new_customer)."""
        street, unit, city, state, zip_code = self.mailing
        return {
            "kind": self.kind, "name": self.name, "phone": self.phone, "phone_alt": self.phone_alt,
            "email": self.email, "mailing_street": street, "mailing_unit": unit, "mailing_city": city,
            "mailing_state": state, "mailing_zip": zip_code, "preferred_language": self.language,
            "paperless": self.paperless,
        }  # fmt: skip


@dataclass(frozen=True)
class History:
    """The district's days after the conversion date, up to today, as the replay makes them happen."""

    conversion_date: date
    today: date
    stops: list  # _Account, by stop date: stopped on `end`, final reads in `final_reads`
    move_ins: list  # _Account, by start date: `application`, `customer`, `initial_reads`
    flagged: list  # _Account with `later_flags`: (kind, starts, expires, reason) a lead adds on `starts`
    route_reads: dict  # (route index, day) -> [(serial, value, source, reader code)]
    estimates: dict  # (route index, day) -> [(serial, value)]: the reader could not get to the meter
    route_codes: list


@dataclass
class Totals:
    customers: int = 0
    premises: int = 0
    accounts: int = 0
    service_events: int = 0
    flags: int = 0
    contacts: int = 0
    opening_balances: int = 0
    service_points: int = 0
    meters: int = 0
    reads: int = 0
    exceptions: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: {"active": 0, "final": 0, "closed": 0})


class DistrictGenerator:
    """Build the district in blocks. `first_ids` gives each table's first primary key (default 1)."""

    def __init__(
        self,
        *,
        accounts: int,
        seed: int,
        today: date,
        history_months: int = 13,
        read_months: int | None = None,
        now: datetime | None = None,
        conversion_user_id: int | None = None,
        first_ids: dict[str, int] | None = None,
    ):
        if accounts < 0:
            raise ValueError("accounts must not be negative")
        if history_months < 1:
            raise ValueError("history_months must be at least 1")
        self.shape = Shape.of(accounts)
        self.seed = seed
        self.today = today
        # A fixed number of days, not calendar months: every draw is then an offset from `today`, so the
        # same seed gives the same people and places whatever day it runs (only the dates move).
        self.window_days = round(history_months * 30.4375)
        self.window_start = today - timedelta(days=self.window_days)
        self.now = now or datetime.combine(today, time(12, 0), tzinfo=UTC)
        self.conversion_user_id = conversion_user_id
        ids = {"customer": 1, "premise": 1, "account": 1, "service_event": 1, "flag": 1, "contact": 1,
               "opening_balance": 1, "route": 1, "service_point": 1, "meter": 1, "installation": 1, "read": 1,
               **(first_ids or {})}  # fmt: skip
        self._next = dict(ids)
        self.totals = Totals()
        rng = random.Random(f"cistern-district:{seed}:layout")
        self._layout_streets(rng)
        self._layout_parcels(rng)
        self._layout_phones()
        self.plant = meters.MeterPlant(
            seed=seed, today=today, read_months=history_months if read_months is None else read_months,
            streets=[s.name for s in self.streets], now=self.now,
        )  # fmt: skip
        # With reads, history is replayed after the conversion date: the newest opening read of any route.
        self.replaying = bool(self.plant.read_months)
        if self.replaying:
            self.window_start = max(dates[0] for dates in self.plant.route_dates)
            self.window_days = (today - self.window_start).days
        self.conversion_date = self.plant.conversion_date = self.window_start
        self.converted_accounts = 0
        self.move_ins: list[_Account] = []  # accounts the replay starts, in block order
        self.stops: list[_Account] = []  # accounts the replay stops (converted or started by it)
        self.flagged: list[_Account] = []  # accounts a lead flags after the conversion

    # --- the layout: streets, parcels, phone numbers (fixed for the whole district) -----------------------

    def _layout_streets(self, rng: random.Random) -> None:
        premises = max(1, self.shape.premises)
        streets = []
        for name, city in names.MAIN_ROADS:
            streets.append(self._street(rng, name, city))
        seen = {s.name for s in streets}
        combos = [f"{base} {kind}" for base in names.STREET_BASES for kind in names.STREET_TYPES]
        rng.shuffle(combos)
        wanted = min(len(combos), max(40, premises // 12))
        cities = [(c[0], c[3]) for c in names.CITIES]
        for combo in combos:
            if len(streets) >= wanted + len(names.MAIN_ROADS):
                break
            if combo not in seen:
                seen.add(combo)
                streets.append(self._street(rng, combo, _weighted(rng, cities)))
        self.streets = streets
        self.slots = max(8, ceil(premises * 1.25 / len(streets)))  # house numbers per street
        self.house_step = max(3, min(40, 8000 // self.slots))
        self._address_space = len(streets) * self.slots
        self._address_mul = _coprime_near(self._address_space, 0.6180339887)
        self._address_add = rng.randrange(self._address_space)
        self._jitter_seed = rng.randrange(1 << 30)

    def _street(self, rng: random.Random, name: str, city: str) -> Street:
        _, zip_code, zones, _ = next(c for c in names.CITIES if c[0] == city)
        lo, hi = names.HOUSE_BASE[city]
        return Street(name=name, city=city, zip_code=zip_code, zone=rng.choice(zones),
                      house_base=rng.randrange(lo, hi, 10))  # fmt: skip

    def _layout_parcels(self, rng: random.Random) -> None:
        # San Bernardino County APN: book-page-parcel-suffix, "0601-123-45-0000"; pages 011-399.
        self._parcels_per_book = 389 * 99
        books = max(12, ceil(max(1, self.shape.premises) * 1.6 / self._parcels_per_book))
        self._parcel_space = books * self._parcels_per_book
        self._parcel_mul = _coprime_near(self._parcel_space, 0.4142135623)
        self._parcel_add = rng.randrange(self._parcel_space)

    def _layout_phones(self) -> None:
        exchanges = list(LOCAL_EXCHANGES)
        wanted = max(len(exchanges), ceil(self.shape.accounts * 8 / 10_000))  # about 1 in 8 numbers used
        candidate = 200
        while len(exchanges) < wanted and candidate < 1000:
            if candidate not in exchanges and candidate % 100 != 11 and candidate != 555:
                exchanges.append(candidate)
            candidate += 1
        self.exchanges = exchanges

    def _address(self, index: int) -> tuple[Street, int]:
        x = (self._address_mul * index + self._address_add) % self._address_space
        street = self.streets[x % len(self.streets)]
        slot = x // len(self.streets)
        jitter = (slot * 7919 + self._jitter_seed + x) % self.house_step
        return street, street.house_base + slot * self.house_step + jitter

    def _parcel(self, index: int) -> str:
        x = (self._parcel_mul * index + self._parcel_add) % self._parcel_space
        book, rest = divmod(x, self._parcels_per_book)
        page, parcel = divmod(rest, 99)
        return f"{601 + book:04d}-{11 + page:03d}-{1 + parcel:02d}-0000"

    def _phone(self, rng: random.Random) -> str:
        exchange = self.exchanges[rng.randrange(len(self.exchanges))]
        return f"(760) {exchange}-{rng.randrange(10_000):04d}"

    # --- blocks ---------------------------------------------------------------------------------------

    def blocks(self):
        shape = self.shape
        for lo in range(0, shape.active, BLOCK_PREMISES):
            hi = min(shape.active, lo + BLOCK_PREMISES)
            yield self._block(lo, hi)

    def _take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def _block(self, lo: int, hi: int) -> Block:
        shape = self.shape
        rng = random.Random(f"cistern-district:{self.seed}:{lo}")
        vacant = _quota(shape.vacant_premises, lo, hi, shape.active)
        extra = _quota(shape.vacant_extra, lo, hi, shape.active)
        prior = _quota(shape.prior, lo, hi, shape.active)
        if extra > vacant:  # only in a tiny district: the surplus goes to premises in service
            prior, extra = prior + extra - vacant, vacant
        # Global positions of this block's first premise and first account.
        premise_index = lo + shape.vacant_premises * lo // shape.active
        account_index = (
            lo + (shape.prior * lo // shape.active) + (shape.vacant_premises * lo // shape.active)
            + (shape.vacant_extra * lo // shape.active)
        )  # fmt: skip

        in_service = [True] * (hi - lo) + [False] * vacant
        rng.shuffle(in_service)
        occupancies = [_weighted(rng, OCCUPANCY if s else VACANT_OCCUPANCY) for s in in_service]
        # How many inactive accounts each premise has: turnover is likelier at rentals.
        inactive_count = [0 if s else 1 for s in in_service]
        open_positions = [i for i, s in enumerate(in_service) if s]
        weights = [TURNOVER[occupancies[i]] for i in open_positions]
        placed = 0
        while placed < prior:
            for i in rng.choices(open_positions, weights=weights, k=prior - placed):
                if inactive_count[i] < 3 and placed < prior:
                    inactive_count[i] += 1
                    placed += 1
        for i in rng.sample([i for i, s in enumerate(in_service) if not s], extra):
            inactive_count[i] += 1

        block = Block()
        if lo == 0:
            block.routes = self.plant.route_rows(self._take)
        accounts: list[_Account] = []
        chains: list[tuple[_Premise, list[_Account]]] = []
        for i, has_active in enumerate(in_service):
            premise = self._make_premise(rng, premise_index + i, occupancies[i])
            block.premises.append(
                (premise.id, premise.street, premise.unit, premise.city, "CA", premise.zip_code,
                 premise.parcel, premise.zone, premise.occupancy)
            )  # fmt: skip
            chain = self._chain(rng, premise, inactive_count[i], has_active)
            chains.append((premise, chain))
            accounts.extend(chain)
        if self.replaying:  # the prior system's accounts: those started by the conversion date
            for account in accounts:
                account.converted = account.start <= self.conversion_date
                if account.converted:
                    account.id = self._take("account")
                    account.number = make_account_number(FIRST_SEQUENCE + self.converted_accounts)
                    self.converted_accounts += 1
        else:
            for offset, account in enumerate(accounts):
                account.id = self._take("account")
                account.number = make_account_number(FIRST_SEQUENCE + account_index + offset)
        self._link_movers(rng, accounts)
        for account in accounts:
            if account.end is not None:
                account.status = "final" if (self.today - account.end).days <= FINAL_DAYS else "closed"
                if account.moved_to is None:
                    account.forwarding = self._forwarding(rng)
            else:
                account.status = "active"
            if self.replaying and account.end is not None and account.end > self.conversion_date:
                account.status = "active"  # as converted; the replay stops it
                self.stops.append(account)
            if not account.converted:
                self.move_ins.append(account)
        for account in accounts:
            self._account_rows(rng, block, account)
        self.plant.premise_rows(block, chains, self._take, f"cistern-district:{self.seed}:meters:{lo}")
        self.totals.premises += len(block.premises)
        self.totals.customers += len(block.customers)
        self.totals.accounts += len(block.accounts)
        self.totals.service_events += len(block.service_events)
        self.totals.flags += len(block.flags)
        self.totals.contacts += len(block.contacts)
        self.totals.opening_balances += len(block.opening_balances)
        self.totals.service_points += len(block.service_points)
        self.totals.meters += len(block.meters)
        self.totals.reads += len(block.reads)
        self.totals.exceptions += sum(1 for r in block.reads if r[meters.READ_STATUS] == "exception")
        return block

    # --- premises and their accounts over time -----------------------------------------------------------

    def _make_premise(self, rng: random.Random, index: int, occupancy: str) -> _Premise:
        street, house = self._address(index)
        premise = _Premise()
        premise.street_index = (
            (self._address_mul * index + self._address_add) % self._address_space % len(self.streets)
        )
        premise.house = house
        premise.id = self._take("premise")
        premise.street = f"{house} {street.name}"
        premise.unit = ""
        if occupancy == "commercial" and rng.random() < 0.3:
            premise.unit = f"Ste {rng.choice('ABCDE')}"
        elif occupancy == "rental" and rng.random() < 0.12:
            premise.unit = f"Unit {rng.choice('ABCD')}"
        premise.city, premise.zip_code, premise.zone = street.city, street.zip_code, street.zone
        premise.parcel = self._parcel(index)
        premise.occupancy = occupancy
        return premise

    def _relationship(self, rng: random.Random, occupancy: str) -> str:
        if occupancy == "rental":
            return "tenant" if rng.random() < 0.9 else "owner"
        if occupancy == "commercial":
            return "owner" if rng.random() < 0.6 else "tenant"
        return "owner"

    def _tenure_days(self, rng: random.Random, relationship: str) -> int:
        if relationship == "tenant":
            return int(rng.triangular(0, 8 * 365, 365))
        return int(rng.triangular(0, 30 * 365, 4 * 365))

    def _chain(
        self, rng: random.Random, premise: _Premise, inactive: int, has_active: bool
    ) -> list[_Account]:
        """The accounts at a premise, oldest first: `inactive` stopped ones, then the one in service."""
        total = inactive + int(has_active)
        kinds = []
        for j in range(total):
            occupancy = premise.occupancy
            if j < inactive and j == 0 and total > 1:
                # The first account of a rental or vacation rental was often the owner living there.
                owner_first = {"rental": 0.35, "vacation": 0.5}.get(premise.occupancy, 0.0)
                if owner_first and rng.random() < owner_first:
                    occupancy = "owner"
            kinds.append((occupancy, self._relationship(rng, occupancy)))
        # Most stops fall inside the history kept; some before it (those accounts came over closed, at least
        # 60 days before the conversion, so every account that followed them started before it too).
        before = [rng.random() < PRE_WINDOW_SHARE for _ in range(inactive)]
        inside = max(
            1, self.window_days - 2 - 2 * inactive
        )  # room for each later start and stop by yesterday
        stops = sorted(
            self.window_start - timedelta(days=60 + rng.randrange(300)) if early
            else self.window_start + timedelta(days=1 + rng.randrange(inside))
            for early in before
        )  # fmt: skip
        tenure = self._tenure_days(rng, kinds[0][1])
        if inactive:
            start = min(stops[0], self.window_start) - timedelta(days=1 + tenure)
        else:
            start = self.today - timedelta(days=1 + tenure)
        chain = []
        for j, (occupancy, relationship) in enumerate(kinds):
            if j >= inactive:
                chain.append(_Account(premise, occupancy, relationship, start, None))
                continue
            end = max(stops[j], start + timedelta(days=1))  # a day of service at least
            # The next customer starts the day after (a sale, a lease) or after a vacant spell, by a day that
            # leaves each account after it a day of service by yesterday (the history's last change).
            gap = 1 if rng.random() < 0.5 else rng.randint(2, 30)
            latest = self.today - timedelta(days=1 + 2 * (inactive - j - 1))
            gap = max(1, min(gap, (latest - end).days))
            chain.append(_Account(premise, occupancy, relationship, start, end))
            start = end + timedelta(days=gap)
        return chain

    def _link_movers(self, rng: random.Random, accounts: list[_Account]) -> None:
        """Some customers who stopped moved to another premise in the district: one customer, two accounts."""
        targets = [
            a for a in accounts
            if a.end is None and a.start > self.window_start and a.occupancy != "commercial"
        ]  # fmt: skip
        rng.shuffle(targets)
        for account in accounts:
            if not targets:
                break
            if account.end is None or account.occupancy == "commercial" or rng.random() >= MOVER_SHARE:
                continue
            target = targets.pop()
            if target.premise is account.premise:
                continue
            end = min(account.end, target.start - timedelta(days=rng.randint(0, 10)))
            if end > account.start and end > self.window_start:  # the move is part of the history kept
                account.end = end
                account.moved_to = target
                target.moved_from = account
                premise = target.premise
                account.forwarding = (premise.street, premise.unit, premise.city, "CA", premise.zip_code)

    # --- customers ---------------------------------------------------------------------------------------

    def _customer_for(self, rng: random.Random, block: Block, account: _Account) -> _Customer:
        # A customer came over from the prior system when their first account did; else the replay's start
        # of that account creates them (service_start_new_customer).
        if account.moved_to is not None:
            target = account.moved_to
            if target.customer is None:
                target.customer = self._make_customer(rng, block, target, account.converted)
            account.customer = target.customer
            return target.customer
        if account.customer is None:
            first = account.moved_from or account
            account.customer = self._make_customer(rng, block, account, first.converted)
        return account.customer

    def _make_customer(
        self, rng: random.Random, block: Block, account: _Account, converted: bool
    ) -> _Customer:
        c = _Customer()
        c.id = self._take("customer") if converted else None
        c.language = "en"
        occupancy, relationship = account.occupancy, account.relationship
        first = last = ""
        if occupancy == "commercial" and rng.random() < 0.85:
            c.kind, c.name = "organisation", self._organisation_name(rng)
        elif relationship == "owner" and occupancy in ("rental", "vacation") and rng.random() < 0.25:
            c.kind, c.name = "organisation", self._owner_entity(rng)
        else:
            c.kind = "person"
            first, last, c.name, c.language = self._person(rng)
        c.phone = self._phone(rng)
        c.phone_alt = self._phone(rng) if rng.random() < 0.2 else ""
        c.email = ""
        if rng.random() < 0.6:
            domain = rng.choice(["example.com", "example.net", "example.org"])
            if c.kind == "person":
                sep = rng.choice([".", "", "_"])
                digits = str(rng.randrange(1, 99)) if rng.random() < 0.4 else ""
                local = f"{_ascii(first)}{sep}{_ascii(last)}{digits}".lower().replace(" ", "")
            else:
                local = rng.choice(["office", "info", "billing", "accounts"])
                slug = "".join(ch for ch in _ascii(c.name).lower() if ch.isalnum())[:30] or "district"
                domain = f"{slug}.{domain}"
            c.email = f"{local}@{domain}"
        c.paperless = bool(c.email) and rng.random() < 1 / 3
        gone = account.end is not None and (not self.replaying or account.end <= self.conversion_date)
        if gone and account.moved_to is None:
            c.mailing = account.forwarding  # a former customer: the last address known
        elif relationship == "owner" and occupancy in ("rental", "vacation") and rng.random() < 0.85:
            c.mailing = self._out_of_area(rng)
        elif rng.random() < 0.2:
            premise = account.premise
            c.mailing = (f"PO Box {rng.randint(100, 3999)}", "", premise.city, "CA", premise.zip_code)
        else:
            premise = account.premise
            c.mailing = (premise.street, premise.unit, premise.city, "CA", premise.zip_code)
        street, unit, city, state, zip_code = c.mailing
        if converted:
            block.customers.append(
                (c.id, c.kind, c.name, c.phone, c.phone_alt, c.email, street, unit, city, state, zip_code,
                 c.language, c.paperless, self.now)
            )  # fmt: skip
        return c

    def _person(self, rng: random.Random) -> tuple[str, str, str, str]:
        roll = rng.random()
        language = "en"
        if roll < SPANISH_SHARE:
            language = "es"
            first, last = rng.choice(names.FIRST_NAMES_ES), rng.choice(names.LAST_NAMES_ES)
            if rng.random() < 0.2:
                last = f"{last} {rng.choice(names.LAST_NAMES_ES)}"
            if rng.random() < 0.4:
                first = names.ACCENTED.get(first, first)
                last = " ".join(names.ACCENTED.get(part, part) for part in last.split())
        elif roll < SPANISH_SHARE + 0.15:
            first, last = rng.choice(names.FIRST_NAMES_ES), rng.choice(names.LAST_NAMES_ES)
        elif roll < SPANISH_SHARE + 0.23:
            first, last = rng.choice(names.FIRST_NAMES_OTHER), rng.choice(names.LAST_NAMES_OTHER)
        else:
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        shown = first
        if rng.random() < 0.08:
            shown = f"{first} & {rng.choice(names.FIRST_NAMES if language == 'en' else names.FIRST_NAMES_ES)}"
        elif rng.random() < 0.1:
            shown = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
        return first, last, f"{shown} {last}", language

    def _organisation_name(self, rng: random.Random) -> str:
        place = rng.choice(names.ORG_PLACES)
        if rng.random() < 0.2:
            return rng.choice(names.ORG_INSTITUTIONS).format(place=place)
        return f"{place} {rng.choice(names.ORG_BUSINESSES)}{rng.choice(names.ORG_SUFFIXES)}"

    def _owner_entity(self, rng: random.Random) -> str:
        return rng.choice(names.OWNER_ENTITIES).format(
            place=rng.choice(names.ORG_PLACES), last=rng.choice(names.LAST_NAMES),
            last2=rng.choice(names.LAST_NAMES),
        )  # fmt: skip

    def _out_of_area(self, rng: random.Random) -> tuple[str, str, str, str, str]:
        city, state, prefix = rng.choice(names.OUT_OF_AREA)
        unit = rng.choice(names.APARTMENT_UNITS) if rng.random() < 0.25 else ""
        street = f"{rng.randint(100, 24999)} {rng.choice(names.CITY_STREETS)}"
        return street, unit, city, state, f"{prefix}{rng.randrange(1, 99):02d}"

    def _forwarding(self, rng: random.Random) -> tuple[str, str, str, str, str]:
        roll = rng.random()
        if roll < 0.6:
            return self._out_of_area(rng)
        if roll < 0.85:
            city, state, zip_code = rng.choice(names.NEARBY)
            street = f"{rng.randint(1000, 79999)} {rng.choice(names.CITY_STREETS)}"
            if rng.random() < 0.4:
                street = f"PO Box {rng.randint(100, 3999)}"
            return street, "", city, state, zip_code
        city, zip_code, _, _ = rng.choice(names.CITIES)
        return f"PO Box {rng.randint(100, 3999)}", "", city, "CA", zip_code

    # --- an account's rows --------------------------------------------------------------------------------

    def _account_rows(self, rng: random.Random, block: Block, a: _Account) -> None:
        customer = self._customer_for(rng, block, a)
        premise = a.premise
        # Every draw is made whatever the dates say, so the stream (and so every later name) never depends on
        # the day the district is built; only the outcome does.
        decision = _weighted(rng, [("acceptable", 72), ("deposit", 14), ("no_ssn", 5), ("not_checked", 9)])
        unchecked, closing, gov_id, take_deposit = rng.random(), rng.random(), rng.random(), rng.random()
        decided_days = rng.randint(0, 10)
        waiver = rng.choice(["Letter of good credit from prior utility",
                             "Waived by supervisor: prior customer in good standing"])  # fmt: skip
        if a.start.year < 2012 and unchecked < 0.6:
            decision = "not_checked"
        elif decision == "not_checked" and a.start >= self.window_start:
            decision = "acceptable"  # only accounts from before the history kept lack a recorded check
        if a.moved_from is not None:
            identity, decision = "existing", "acceptable"
        elif decision == "no_ssn":
            identity = "government_id"
        elif a.relationship == "owner" and closing < 0.5:
            identity = "closing"
        else:
            identity = "government_id" if gov_id < 0.15 else "credit_check"
        decided_on = None if decision == "not_checked" else a.start - timedelta(days=decided_days)
        deposit, waived = ZERO, ""
        if decision in ("deposit", "no_ssn"):
            if take_deposit < 0.85:
                deposit = GUARANTEE_DEPOSIT
            else:
                waived = waiver
        elif decision == "not_checked":
            waived = "Converted account: no credit check on record"
        setup_fee = SETUP_FEE if a.start.year >= 2010 and a.moved_from is None else ZERO
        # The state the account is written in: as it stands today, or (replaying) as it stood on the
        # conversion date, its later stop left to the replay.
        stopped = a.end is not None and (not self.replaying or a.end <= self.conversion_date)
        if self.replaying and stopped and deposit:  # the prior system applied or refunded it at the stop
            deposit, waived = ZERO, "Deposit settled in the prior system before the conversion"
        if a.moved_to is not None:
            stop_note = f"Moved to {a.moved_to.premise.street}, {a.moved_to.premise.city}"
        else:
            stop_note = "Sold; new owner starts service" if a.relationship == "owner" else "Move-out"
        a.stop_note = stop_note[:200]
        note = "Converted from the prior system" if a.start <= self.window_start else ""
        if a.moved_from is not None:
            note = f"Moved from {a.moved_from.premise.street}, {a.moved_from.premise.city}"
        a.start_note = note[:200]
        if not a.converted:
            a.application = {
                "relationship": a.relationship, "occupancy_type": a.occupancy, "identity_method": identity,
                "credit_decision": decision, "deposit_required": deposit > 0, "deposit_waived_reason": waived,
                "charge_setup_fee": setup_fee > 0,
            }  # fmt: skip
        else:
            forwarding = a.forwarding if stopped and a.forwarding else ("", "", "", "", "")
            street, unit, city, state, zip_code = customer.mailing
            search_text = build_search_text(
                number=a.number,
                name=customer.name,
                phones=[customer.phone, customer.phone_alt],
                email=customer.email,
                mailing_address=mailing_address(street, unit, city, state, zip_code),
                service_address=service_address_text(premise.street, premise.unit, premise.city),
                parcel_number=premise.parcel,
            )
            block.accounts.append(
                (a.id, a.number, customer.id, premise.id, a.relationship, a.occupancy, a.status, a.start,
                 a.end if stopped else None, identity, None, decision, decided_on, None, deposit, waived, setup_fee,
                 *forwarding, "", search_text, self.now)
            )  # fmt: skip
            self.totals.by_status[a.status] += 1
            block.service_events.append(
                (self._take("service_event"), a.id, "start", a.start, a.start_note, None, None, self.now)
            )
            if stopped:
                block.service_events.append(
                    (self._take("service_event"), a.id, "stop", a.end, a.stop_note, None, None, self.now)
                )

        if a.end is None:
            for kind, rate in FLAG_RATES:
                if rng.random() < rate:
                    row = self._flag(rng, a, kind)
                    if a.converted and (not self.replaying or row[3] <= self.conversion_date):
                        block.flags.append(row)
                    else:  # a lead adds it on the day it starts
                        if not a.later_flags:
                            self.flagged.append(a)
                        a.later_flags.append(row[2:6])
        if rng.random() < CONTACT_SHARE:
            count = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
            for _ in range(count):
                row = self._contact(rng, a, customer)
                if row and a.converted:  # the prior system's contact log; the replay's customers have none
                    block.contacts.append(row)
        if a.status == "closed" and stopped and a.moved_to is None and rng.random() < OPENING_BALANCE_SHARE:
            amount = Decimal(rng.randint(3712, 61240)).scaleb(-2)
            block.opening_balances.append(
                (self._take("opening_balance"), a.id, amount, self.conversion_date,
                 "Unpaid closing balance carried over from the prior system")
            )  # fmt: skip

    def _flag(self, rng: random.Random, a: _Account, kind: str) -> tuple:
        today = self.today
        if kind == "medical":
            starts = today - timedelta(days=rng.randint(0, 220))
            expires = starts + timedelta(days=180)
        elif kind in ("low_income", "cash_only"):
            starts = today - timedelta(days=rng.randint(0, 500))
            expires = starts + timedelta(days=365)
            if kind == "cash_only" and rng.random() < 0.3:
                expires = None
        else:
            starts = today - timedelta(days=rng.randint(0, 40))
            expires = starts + timedelta(days=rng.randint(14, 45))
        starts = max(starts, a.start)
        if expires is not None:
            expires = max(expires, starts)
        reason = rng.choice(names.FLAG_REASONS[kind])
        return (self._take("flag"), a.id, kind, starts, expires, reason, None, self.now)

    def _contact(self, rng: random.Random, a: _Account, customer: _Customer) -> tuple | None:
        lo = max(self.window_start, a.start)
        hi = min(self.today, a.end + timedelta(days=30) if a.end else self.today)
        if self.replaying:  # the prior system's log: the year before the conversion
            lo = max(self.conversion_date - timedelta(days=365), a.start)
            hi = min(self.conversion_date, a.end + timedelta(days=30) if a.end else self.conversion_date)
        if hi < lo:
            return None
        day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
        while day.weekday() >= 5 and day > lo:  # the office is open on weekdays
            day -= timedelta(days=1)
        local = datetime.combine(day, time(rng.randint(8, 16), rng.randrange(60)), tzinfo=DISTRICT_TZ)
        if customer.language == "es" and rng.random() < 0.5:
            subject, note = rng.choice(names.CONTACTS_ES)
        else:
            subject, note = rng.choice(names.CONTACTS)
        channel = _weighted(rng, CHANNELS)
        return (self._take("contact"), a.id, channel, subject, note, self.conversion_user_id,
                local.astimezone(UTC))  # fmt: skip

    @property
    def next_ids(self) -> dict[str, int]:
        return dict(self._next)

    def history(self) -> History:
        """What happened after the conversion, for the replay (call after every block is written). Move-ins are
        started in date order, so each gets the next account number the district's sequence hands out."""
        move_ins = sorted(self.move_ins, key=lambda a: a.start)  # stable: block order within a day
        for offset, account in enumerate(move_ins):
            account.number = make_account_number(FIRST_SEQUENCE + self.converted_accounts + offset)
        return History(
            conversion_date=self.conversion_date, today=self.today,
            stops=sorted(self.stops, key=lambda a: a.end), move_ins=move_ins, flagged=self.flagged,
            route_reads=self.plant.route_reads, estimates=self.plant.estimates,
            route_codes=[f"R{r + 1:02d}" for r in range(meters.ROUTE_COUNT)],
        )  # fmt: skip
