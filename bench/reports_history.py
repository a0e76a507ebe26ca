"""A year of a district's history written in bulk, for the reports benchmark (bench/reports.py).

Replaying a year through the services at 100,000 accounts would take hours, so this writes the rows the services
would have written, table by table with COPY (psycopg's `cursor.copy`, as cistern/demo/loader.py's PostgresWriter
does), onto a district seeded with `seed_district --history-months 0` (accounts, meters and installations, the
converted books; no reads, no bills). Every row is shaped as its service writes it:

- reads: each active account's meter read monthly on its cycle's read day (an opening read, then 12), accepted,
  with the consumption;
- bill runs per cycle and month (posted: new, calculated, approved, posting, posted, a history row each), each
  account's bill rated by the district's own rate engine (`billing.calculation.Rating.propose`: the same lines,
  GL accounts and totals a run posts), its meter span and lines, and its journal entry (the receivable debited
  the bill's charges, due on the run's due date; each revenue GL credited);
- payments: most accounts pay what they owe before the due date (the lockbox, the counter, autopay, the
  processor, the IVR, ACH bill pay, the mail), about one in ten pays late (the late penalty charged, a reminder
  mailed) and about one in ten is past due today (its last one to three bills unpaid, a reminder and a shutoff
  notice). Each payment is applied to the account's open charges oldest first (`payments.application`), with
  its tender, its part (the `applied` list, the balance after) and its journal entry (the money side by channel
  and tender, `payments.posting.tender_gl`; the receivable credited). Counter and mail payments are taken in
  drawer sessions (three cashiers a business day; opened, counted, audited by a lead, deposited: one bank deposit
  a day with its entry); autopay debits settle on the due date (an enrolment per account, a NACHA file a day);
  lockbox payments come in a file a day with an item each; a few lockbox checks come back unpaid (the payment
  reversed exactly, the returned-payment fee charged);
- adjustments (posted within the clerk's authority, approved by a lead, waiting, rejected), service orders of
  every type in every status with a technician and a history row per change, low-income and medical flags,
  final bills of some final accounts with write-offs to bad debt and monthly referral files to the agency;
- audit rows as the services write them: one per payment posted singly (`payment.post`), one per batch
  (`payment.batch`: a lockbox file, an autopay settlement), per late fee (`ledger.post`), per adjustment, order
  change, drawer step, deposit, bill-run step and batch, flag, write-off and referral.

Every journal entry's lines sum to zero (PostgreSQL's own trigger checks each COPY) and foreign keys are checked
as each COPY ends. Rows are written in time order, day by day; a block is flushed (committed) at the end of a day
when enough rows wait. Ids come from each table's highest id; the sequences are set past them at the end.

    write_history(months=12, seed=1, progress=print) -> dict of rows written per table
"""

import hashlib
import json
import random
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection

from cistern.billing import calculation
from cistern.billing.models import Bill, BillCycle, BillLine, BillMeter, BillRun, BillRunEvent
from cistern.billing.posting import BILL_COLUMNS, LINE_COLUMNS, METER_COLUMNS
from cistern.billing.runs import bill_date_for
from cistern.collections.models import AgencyReferral, Notice, ReferralBatch, WriteOff
from cistern.core import roles
from cistern.core.audit import diff
from cistern.core.models import AuditEvent, DistrictSettings, NumberSequence
from cistern.core.selectors import district_calendar, due_date_for
from cistern.customers.models import AccountFlag
from cistern.demo.billing import user
from cistern.demo.history import Staff
from cistern.fieldwork.models import ServiceOrder, ServiceOrderEvent, ServiceOrderType
from cistern.ledger.late_fees import PastDue, penalties
from cistern.ledger.models import Adjustment, AdjustmentReason, GLRole, JournalEntry, JournalLine
from cistern.ledger.services import ENTRY_COLUMNS
from cistern.ledger.services import LINE_COLUMNS as JOURNAL_LINE_COLUMNS
from cistern.metering.models import Read
from cistern.metering.reading import Register
from cistern.payments import application
from cistern.payments.bank import BANK_DEPOSIT, RETURNED_PAYMENT_FEE
from cistern.payments.models import (
    AchFile,
    AutopayDebit,
    AutopayEnrolment,
    BankDeposit,
    Channel,
    DrawerSession,
    LockboxFile,
    LockboxItem,
    Payment,
    PaymentPart,
    PaymentReturn,
    PaymentTender,
)
from cistern.payments.posting import (
    PART_COLUMNS,
    PAYMENT,
    PAYMENT_COLUMNS,
    TENDER_COLUMNS,
    chart,
    open_charges,
)
from cistern.payments.posting import tender_gl as tender_role
from cistern.rates import selectors as rates_selectors

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FLUSH_ROWS = 250_000  # rows waiting before a block is written (at the end of a day)
CASHIERS = 3
TECHNICIANS = 4
AGENCY = "High Desert Recovery Services"
# How the accounts pay (shares of the active accounts): on time; late (a month or so, then catch up); past due
# today (the last one to three bills unpaid).
PROMPT, LATE, OWING = "prompt", "late", "owing"
BEHAVIOURS = [(PROMPT, 0.80), (LATE, 0.10), (OWING, 0.10)]
# The channel each account pays by (close to the demo district's mix).
CHANNELS = [
    (Channel.LOCKBOX, 0.32), (Channel.COUNTER, 0.20), (Channel.AUTOPAY, 0.16), (Channel.PHONE, 0.10),
    (Channel.ONLINE, 0.08), (Channel.ACH, 0.08), (Channel.MAIL, 0.06),
]  # fmt: skip
SINGLE = {Channel.COUNTER, Channel.MAIL, Channel.PHONE, Channel.ONLINE, Channel.ACH}  # posted one at a time
NSF_SHARE = 0.004  # of lockbox checks, returned unpaid
ADJUSTMENTS_PER_DAY = 10
ORDERS_PER_DAY = 95
# (order type, weight, origin)
ORDER_TYPES = [
    ("reread", 20, "read_exception"), ("leak_check", 15, "manual"), ("turn_on", 10, "start"),
    ("turn_off", 10, "stop"), ("final_read", 8, "stop"), ("meter_change", 8, "manual"),
    ("zero_read", 8, "read_exception"), ("door_hanger", 6, "collections"), ("lock_off", 3, "collections"),
    ("reconnect", 3, "collections"), ("complaint", 5, "manual"), ("backflow_test", 4, "manual"),
]  # fmt: skip
BRANDS = ["VISA", "MASTERCARD", "AMEX", "DISCOVER"]


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Ids:
    """Primary keys handed out past each table's highest (this writer is the database's only writer)."""

    def __init__(self):
        self.next: dict = {}

    def take(self, model, count: int = 1) -> int:
        if model not in self.next:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
                self.next[model] = cursor.fetchone()[0]
        first = self.next[model]
        self.next[model] = first + count
        return first


class Copier:
    """Rows buffered per table and written with COPY in the order the tables were declared (parents first)."""

    def __init__(self, checked: bool = True):
        self.checked = checked
        self.tables: dict = {}  # model -> (column names, rows)
        self.counts: dict = defaultdict(int)
        self.table_seconds: dict = defaultdict(float)
        self.waiting = 0
        self.seconds = 0.0

    def declare(self, model, columns) -> None:
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        names = [by_attname[c] for c in columns]
        missing = {
            f.column
            for f in model._meta.concrete_fields
            if f.column not in names and not f.null and not f.primary_key
        }
        if missing:
            raise RuntimeError(f"{model._meta.db_table}: columns not written: {sorted(missing)}")
        self.tables[model] = (names, [])

    def add(self, model, row) -> None:
        self.tables[model][1].append(row)
        self.waiting += 1

    def flush(self) -> None:
        started = time.monotonic()
        raw = connection.connection
        with raw.transaction(), raw.cursor() as cursor:
            if self.checked:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            else:  # no trigger fires: foreign keys, the ledger's balance and the bill parts' checks (verify after)
                cursor.execute("SET LOCAL session_replication_role = replica")
            for model, (names, rows) in self.tables.items():
                if not rows:
                    continue
                sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
                began = time.monotonic()
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                self.counts[model._meta.db_table] += len(rows)
                self.table_seconds[model._meta.db_table] += time.monotonic() - began
                rows.clear()
        self.waiting = 0
        self.seconds += time.monotonic() - started


class Acct:
    """An active account as the history sees it: its meter and what it owes."""

    __slots__ = (
        "id", "number", "customer_id", "premise_id", "point_id", "installation_id", "meter_id", "serial", "size",
        "rate_class", "language", "cycle_id", "start", "base", "channel", "behaviour", "owing_from", "low_income",
        "balance", "charges", "credit", "last_read", "last_bill_due", "enrolment_id", "source", "reader",
    )  # fmt: skip

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


class History:
    def __init__(self, *, months: int, seed: int, progress, checked: bool = True):
        self.rng = random.Random(seed)
        self.months = months
        self.say = progress or (lambda text: None)
        self.ids = Ids()
        self.out = Copier(checked)
        self.calendar = district_calendar()
        self.settings = DistrictSettings.objects.get(pk=1)
        self.zone = ZoneInfo(self.settings.time_zone)
        self.today = date.today()
        from cistern.core import clock

        self.today = clock.today()
        self.staff = Staff()
        self.cashiers = [
            user(f"bench-cashier-{n}", roles.CASHIER, f"Cashier {n}") for n in range(1, CASHIERS + 1)
        ]
        self.technicians = [self.staff.technician] + [
            user(f"bench-technician-{n}", roles.FIELD_TECHNICIAN, f"Technician {n}") for n in range(2, TECHNICIANS + 1)
        ]  # fmt: skip
        self.processor = user("bench-processor", roles.INTEGRATION, "Processor")
        self.supervisor = user("bench-supervisor", roles.SUPERVISOR, "Supervisor")
        self.gl = chart()
        self.kinds = self.gl.priority
        self.gl_id = {code: a.pk for code, a in self.gl.accounts.items()}
        self.receivable = self.gl_id[self.gl.codes[GLRole.RECEIVABLE]]
        self.role_id = {role: self.gl_id[code] for role, code in self.gl.codes.items()}
        self.reasons = list(AdjustmentReason.objects.filter(active=True).exclude(code="late_fee_reversal"))
        self.order_types = {t.code: t for t in ServiceOrderType.objects.all()}
        self.day_events: dict[date, list] = defaultdict(list)
        self.penalized: set[int] = set()
        self.noticed: set = set()
        self.autopay_today: list = []
        self.order_number = 0
        self.stats: dict = defaultdict(int)
        self._declare()

    # --- rows ---------------------------------------------------------------------------------------------

    def _declare(self) -> None:
        o = self.out
        o.declare(JournalEntry, ENTRY_COLUMNS)
        o.declare(JournalLine, ["id", *JOURNAL_LINE_COLUMNS])
        o.declare(Read, READ_COLUMNS)
        o.declare(BillRun, RUN_COLUMNS)
        o.declare(BillRunEvent, ["run_id", "from_status", "to_status", "actor_id", "at", "note"])
        o.declare(Bill, BILL_COLUMNS)
        o.declare(BillMeter, METER_COLUMNS)
        o.declare(BillLine, LINE_COLUMNS)
        o.declare(BankDeposit, DEPOSIT_COLUMNS)
        o.declare(DrawerSession, SESSION_COLUMNS)
        o.declare(AchFile, ACH_FILE_COLUMNS)
        o.declare(LockboxFile, LOCKBOX_FILE_COLUMNS)
        o.declare(Payment, PAYMENT_COLUMNS)
        o.declare(PaymentTender, TENDER_COLUMNS)
        o.declare(PaymentPart, PART_COLUMNS)
        o.declare(PaymentReturn, RETURN_COLUMNS)
        o.declare(AutopayEnrolment, ENROLMENT_COLUMNS)
        o.declare(AutopayDebit, DEBIT_COLUMNS)
        o.declare(LockboxItem, LOCKBOX_ITEM_COLUMNS)
        o.declare(Adjustment, ADJUSTMENT_COLUMNS)
        o.declare(ServiceOrder, ORDER_COLUMNS)
        o.declare(
            ServiceOrderEvent, ["order_id", "action", "from_status", "to_status", "note", "actor_id", "at"]
        )
        o.declare(Notice, NOTICE_COLUMNS)
        o.declare(
            AccountFlag,
            ["account_id", "kind", "starts_on", "expires_on", "reason", "created_by_id", "created_at"],
        )
        o.declare(WriteOff, WRITE_OFF_COLUMNS)
        o.declare(ReferralBatch, REFERRAL_BATCH_COLUMNS)
        o.declare(AgencyReferral, REFERRAL_COLUMNS)
        o.declare(AuditEvent, AUDIT_COLUMNS)

    def at(self, day: date, hour: float) -> datetime:
        """`hour` o'clock of `day` in the district, as UTC."""
        local = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(hours=hour)
        return local.astimezone(UTC)

    def office_time(self, day: date) -> datetime:
        return self.at(day, 8 + self.rng.random() * 9)

    def audit(self, when, actor, action, obj_type, obj_id, obj_repr, account_id=None, after=None, before=None,
              reason=""):  # fmt: skip
        self.out.add(AuditEvent, (
            when, actor.pk if actor else None, action, obj_type, str(obj_id), obj_repr[:200], account_id,
            json.dumps(diff(before or {}, after or {})), reason,
        ))  # fmt: skip

    def entry(self, day, when, memo, source_kind, source_id, lines, actor, reason="", reverses=None) -> tuple:
        """A journal entry and its lines [(gl id, account id, amount, description, due)], which must balance.
        Returns (entry id, [line ids])."""
        if sum((line[2] for line in lines), ZERO) != 0:
            raise RuntimeError(f"unbalanced entry {memo}: {lines}")
        entry_id = self.ids.take(JournalEntry)
        self.out.add(JournalEntry, (entry_id, day, memo[:200], source_kind, source_id, reason[:200], reverses,
                                    actor.pk, when))  # fmt: skip
        first = self.ids.take(JournalLine, len(lines))
        for n, (gl, account_id, amount, description, due) in enumerate(lines):
            self.out.add(JournalLine, (first + n, entry_id, gl, account_id, amount, description[:200], due))
        return entry_id, list(range(first, first + len(lines)))

    # --- what an account owes -----------------------------------------------------------------------------

    def charge(self, acct: Acct, line_id: int, due: date, kind: str, amount: Decimal) -> None:
        acct.balance += amount
        if acct.credit:
            used = min(acct.credit, amount)
            acct.credit -= used
            amount -= used
        if amount > 0:
            acct.charges.append([line_id, due, kind, amount])

    def pay_down(self, acct: Acct, amount: Decimal) -> application.Application:
        """Apply a credit of `amount` to the open charges (oldest due first, then the district's priority)."""
        open_ = [application.OpenCharge(c[0], c[1], c[2], c[3]) for c in acct.charges]
        applied = application.apply_payment(amount, open_, self.kinds)
        paid = {a.charge_id: a.amount for a in applied.allocations}
        acct.charges = [[c[0], c[1], c[2], c[3] - paid.get(c[0], ZERO)] for c in acct.charges]
        acct.charges = [c for c in acct.charges if c[3] > 0]
        acct.balance -= amount
        acct.credit += applied.credit
        return applied

    # --- the population -----------------------------------------------------------------------------------

    def load_accounts(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(ACCOUNTS_SQL)
            rows = cursor.fetchall()
        routes = {}
        for cycle in BillCycle.objects.prefetch_related("cycle_routes__route"):
            for cr in cycle.cycle_routes.all():
                routes[cr.route_id] = cr.route.code
        self.accounts: list[Acct] = []
        seen, seen_meters = set(), set()
        weights = [w for _, w in BEHAVIOURS]
        channel_weights = [w for _, w in CHANNELS]
        for (pk, number, customer_id, premise_id, start, language, occupancy, point_id, kind, route_id, cycle_id,
             installation_id, meter_id, serial, size) in rows:  # fmt: skip
            if pk in seen or meter_id in seen_meters:
                continue  # an account with two domestic meters: the first is billed here (a meter once a day)
            seen.add(pk)
            seen_meters.add(meter_id)
            behaviour = self.rng.choices([b for b, _ in BEHAVIOURS], weights)[0]
            channel = self.rng.choices([c for c, _ in CHANNELS], channel_weights)[0]
            if channel == Channel.AUTOPAY:
                behaviour = PROMPT
            code = routes.get(route_id, "R99")
            automated = code[1:].isdigit() and int(code[1:]) <= 4
            self.accounts.append(Acct(
                id=pk, number=number, customer_id=customer_id, premise_id=premise_id, point_id=point_id,
                installation_id=installation_id, meter_id=meter_id, serial=serial, size=size,
                rate_class=calculation.rate_class_for(kind, occupancy), language=language or "en", cycle_id=cycle_id,
                start=start, base=min(40.0, max(2.0, self.rng.lognormvariate(2.2, 0.35))), channel=channel,
                behaviour=behaviour, owing_from=None, low_income=False, balance=ZERO, charges=[], credit=ZERO,
                last_read=None, last_bill_due=None, enrolment_id=None, source="amr" if automated else "handheld",
                reader=f"{'AMR' if automated else 'HH'}{code[1:]}",
            ))  # fmt: skip
        self.by_id = {a.id: a for a in self.accounts}
        # What each owes now (the converted books): its open charges as a payment would see them.
        ids = [a.id for a in self.accounts]
        for start in range(0, len(ids), 20_000):
            for pk, (charges, balance) in open_charges(ids[start : start + 20_000]).items():
                acct = self.by_id[pk]
                acct.balance = balance
                acct.charges = [[c.id, c.due, c.kind, c.amount_open] for c in charges]
                open_total = sum((c.amount_open for c in charges), ZERO)
                acct.credit = max(ZERO, open_total - balance)
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT account_id FROM customers_accountflag WHERE kind = 'low_income'")
            for (pk,) in cursor.fetchall():
                if pk in self.by_id:
                    self.by_id[pk].low_income = True
        self.say(f"  {len(self.accounts):,} active accounts with a meter in a cycle")

    # --- the calendar -------------------------------------------------------------------------------------

    def plan_runs(self) -> None:
        """Each cycle's last `months` periods whose bills are dated before today, and the read before them."""
        self.runs_on: dict[date, list] = defaultdict(list)
        self.first_read: dict[int, date] = {}
        for cycle in BillCycle.objects.filter(active=True):
            ends = []
            month = date(self.today.year, self.today.month, 1)
            while len(ends) < self.months + 1:
                period_end = month.replace(day=cycle.read_day)
                if bill_date_for(cycle, period_end) < self.today:
                    ends.append(period_end)
                month = (month - timedelta(days=1)).replace(day=1)
            ends.reverse()
            self.first_read[cycle.pk] = ends[0]
            for period_end in ends[1:]:
                bill_date = bill_date_for(cycle, period_end)
                self.runs_on[bill_date].append((cycle, period_end, bill_date, due_date_for(bill_date)))
        self.start_day = min(self.first_read.values())
        self.rating = calculation.Rating(
            rates_selectors.tariff_book(start=self.start_day, end=self.today + timedelta(days=1)),
            rates_selectors.proration(), calculation.Limits(high_percent=self.settings.bill_high_percent),
        )  # fmt: skip
        self.late_rule = {}
        self.nsf_rule = rates_selectors.fee("nsf", self.today)

    def late_fee_rule(self, day: date):
        key = (day.year, day.month)
        if key not in self.late_rule:
            self.late_rule[key] = rates_selectors.fee("late_penalty", day)
        return self.late_rule[key]

    # --- the run ------------------------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.monotonic()
        self.load_accounts()
        self.plan_runs()
        by_cycle = defaultdict(list)
        for acct in self.accounts:
            by_cycle[acct.cycle_id].append(acct)
        self.by_cycle = by_cycle
        self.opening_reads()
        self.flags()
        self.enrolments()
        day = self.start_day
        last = self.today - timedelta(days=1)
        while day <= last:
            self.sessions = None
            self.lockbox = []
            business = self.calendar.is_business_day(day)
            for cycle, period_end, bill_date, due in self.runs_on.get(day, []):
                self.bill_run(cycle, period_end, bill_date, due)
            for event in sorted(self.day_events.pop(day, []), key=lambda e: e[0]):
                self.handle(day, event)
            if business:
                self.adjustments(day)
                self.orders(day)
                self.audit(self.at(day, 6.5), self.staff.biller, "collections.run", "collections.collectionrun",
                           day.toordinal(), f"Collection run {day:%m/%d/%Y}", after={"day": day.isoformat()})  # fmt: skip
            self.close_day(day)
            if self.out.waiting >= FLUSH_ROWS:
                self.out.flush()
            if day.day == 1:
                self.say(f"  {day:%m/%Y}: {sum(self.out.counts.values()):,} rows written, "
                         f"{time.monotonic() - started:.0f} s")  # fmt: skip
            day += timedelta(days=1)
        self.final_accounts()
        self.out.flush()
        self.finish()
        self.say(
            f"  rows written in {time.monotonic() - started:.0f} s (COPY {self.out.seconds:.0f} s: "
            + ", ".join(
                f"{t} {s:.1f}" for t, s in sorted(self.out.table_seconds.items(), key=lambda i: -i[1])[:8]
            )
            + ")"
        )
        return dict(self.out.counts)

    def handle(self, day: date, event) -> None:
        _, kind, acct, payload = event
        if kind == "pay":
            self.pay(day, acct, payload)
        elif kind == "late_fee":
            self.late_fee(day, acct, payload)
        elif kind == "return":
            self.returned(day, acct, payload)
        elif kind == "notice":
            self.notice(day, acct, payload)

    # --- reads and bills ----------------------------------------------------------------------------------

    def opening_reads(self) -> None:
        for cycle_id, accts in self.by_cycle.items():
            day = self.first_read[cycle_id]
            for acct in accts:
                if acct.start > day:
                    continue  # moved in later: read first on its first read day after the start
                value = Decimal(self.rng.randint(0, 60_000))
                read_id = self.ids.take(Read)
                self.out.add(Read, (read_id, acct.meter_id, acct.installation_id, acct.id, day, value, "actual",
                                    acct.source, "accepted", None, "[]", acct.reader, "", None, None, None, None,
                                    self.at(day, 10)))  # fmt: skip
                acct.last_read = (read_id, day, value)

    def bill_run(self, cycle, period_end: date, bill_date: date, due: date) -> None:
        accts = self.by_cycle.get(cycle.pk, [])
        biller, approver = self.staff.biller, self.staff.approver
        run_id = self.ids.take(BillRun)
        created = self.at(period_end, 7)
        calculated, approved, posted = (
            self.at(bill_date - timedelta(days=1), 9),
            self.at(bill_date, 8),
            self.at(bill_date, 9),
        )
        bills = []
        month = period_end.month
        for acct in accts:
            if acct.start > period_end:
                continue
            season = calculation_season(month)
            units = Decimal(max(0, round(acct.base * season * self.rng.uniform(0.8, 1.2))))
            if self.rng.random() < 0.01:
                units = Decimal(0)
            read_id = self.ids.take(Read)
            if acct.last_read is None:  # a move-in: its first read, billed from the next
                value = Decimal(self.rng.randint(0, 60_000))
                self.out.add(Read, (read_id, acct.meter_id, acct.installation_id, acct.id, period_end, value, "actual",
                                    acct.source, "accepted", None, "[]", acct.reader, "", None, None, None, None,
                                    self.at(period_end, 10)))  # fmt: skip
                acct.last_read = (read_id, period_end, value)
                continue
            from_id, from_date, from_value = acct.last_read
            to_value = (from_value + units) % CAPACITY
            self.out.add(Read, (read_id, acct.meter_id, acct.installation_id, acct.id, period_end, to_value, "actual",
                                acct.source, "accepted", units, "[]", acct.reader, "", None, None, None, None,
                                self.at(period_end, 10 + self.rng.random() * 6)))  # fmt: skip
            acct.last_read = (read_id, period_end, to_value)
            span = calculation.MeterSpan(acct.installation_id, acct.serial, acct.size, acct.rate_class, from_id,
                                         from_date, from_value, read_id, period_end, to_value, units)  # fmt: skip
            proposal = self.rating.propose(calculation.AccountFacts(acct.id, (span,)))
            if not proposal.billable:
                continue
            bills.append((acct, span, proposal))
        if not bills:
            return
        for kind_from, kind_to, when, actor in [
            ("", "new", created, biller), ("new", "calculated", calculated, biller),
            ("calculated", "approved", approved, approver), ("approved", "posting", posted, biller),
            ("posting", "posted", posted + timedelta(minutes=2), biller),
        ]:  # fmt: skip
            self.out.add(BillRunEvent, (run_id, kind_from, kind_to, actor.pk, when, ""))
        self.out.add(BillRun, (run_id, cycle.pk, period_end, bill_date, due, "posted", biller.pk, created, biller.pk,
                               calculated, approver.pk, approved, posted + timedelta(minutes=2), len(bills),
                               len(bills)))  # fmt: skip
        name = f"{cycle.code} bills to {period_end:%m/%d/%Y}"
        for action, when, actor, after in [
            ("billrun.create", created, biller, {"period_end": str(period_end)}),
            ("billrun.calculate", calculated, biller, {"items": len(bills)}),
            ("billrun.approve", approved, approver, {"status": "approved"}),
        ]:  # fmt: skip
            self.audit(when, actor, action, "billing.billrun", run_id, name, after=after)
        first_bill = self.ids.take(Bill, len(bills))
        batch_total, batch_first = ZERO, first_bill
        for n, (acct, span, proposal) in enumerate(bills):
            bill_id = first_bill + n
            total = proposal.total
            previous = acct.last_bill_due if acct.last_bill_due is not None else ZERO
            before = acct.balance
            self.out.add(Bill, (bill_id, acct.id, "regular", run_id, None, None, span.from_date, span.to_date,
                                bill_date, due, span.units, total, previous, before - previous, ZERO, ZERO,
                                before + total, acct.language, biller.pk, posted))  # fmt: skip
            self.out.add(BillMeter, (bill_id, span.installation_id, span.serial, span.size, span.rate_class,
                                     span.from_read_id, span.to_read_id, span.from_date, span.to_date, span.from_value,
                                     span.to_value, span.units, False, False, False))  # fmt: skip
            for sequence, proposed in enumerate(proposal.lines, start=1):
                line = proposed.line
                self.out.add(BillLine, (bill_id, span.installation_id, sequence, line.description[:200], line.quantity,
                                        line.unit_price, line.amount, line.gl_account, line.tier,
                                        line.explanation[:200]))  # fmt: skip
            acct.last_bill_due = before + total
            batch_total += total
            if total:
                period = f"{span.from_date:%m/%d/%Y}-{span.to_date:%m/%d/%Y}"
                lines = [(self.receivable, acct.id, total, f"Bill {bill_id}", due)]
                lines += [(self.gl_id[gl], None, -amount, "", None)
                          for gl, amount in calculation.revenue_by_gl([p.line for p in proposal.lines])]  # fmt: skip
                _, line_ids = self.entry(bill_date, posted, f"Bill {bill_id}, service {period}", "bill", bill_id, lines,
                                         biller)  # fmt: skip
                self.charge(acct, line_ids[0], due, "water", total)
                self.plan_payment(acct, bill_id, bill_date, due, line_ids[0], total)
            if (n + 1) % 5000 == 0 or n + 1 == len(bills):
                self.audit(posted, biller, "billrun.post_batch", "billing.billrun", run_id, name,
                           after={"bills": n + 1 - (batch_first - first_bill), "first_bill": batch_first,
                                  "last_bill": bill_id, "charges": str(batch_total)})  # fmt: skip
                batch_total, batch_first = ZERO, bill_id + 1
        self.audit(posted + timedelta(minutes=2), biller, "billrun.posted", "billing.billrun", run_id, name,
                   after={"status": "posted", "bills": len(bills)})  # fmt: skip
        self.stats["bills"] += len(bills)

    # --- payments -----------------------------------------------------------------------------------------

    def plan_payment(
        self, acct: Acct, bill_id: int, bill_date: date, due: date, line_id: int, amount: Decimal
    ):
        last = self.today - timedelta(days=1)
        rule = self.late_fee_rule(due)
        after_days = (rule.after_days or 0) if rule else 30
        if acct.behaviour == OWING and acct.owing_from is None:
            # This account stops paying one to three bills before today.
            acct.owing_from = self.today - timedelta(days=self.rng.choice([25, 55, 85]))
        if acct.channel == Channel.AUTOPAY:
            if acct.enrolment_id is not None:
                self.day_events[due].append((2, "pay", acct, {"bill": bill_id, "autopay": True}))
            return
        if acct.behaviour == OWING and bill_date >= acct.owing_from:
            on = None  # not paid (yet)
        elif acct.behaviour in (LATE, OWING) and self.rng.random() < 0.5:
            on = due + timedelta(days=self.rng.randint(5, 45))
        else:
            on = bill_date + timedelta(days=self.rng.randint(3, max(4, (due - bill_date).days - 1)))
        if on is not None and on <= last:
            self.day_events[on].append((3, "pay", acct, {"bill": bill_id}))
        paid_late = on is None or on > due
        if paid_late:
            fee_day = due + timedelta(days=after_days)
            if fee_day <= last and (on is None or on > fee_day) and not acct.low_income and rule is not None:
                self.day_events[fee_day].append(
                    (1, "late_fee", acct, {"line": line_id, "due": due, "rule": rule})
                )
            reminder = due + timedelta(days=1 + (self.settings.reminder_days or 9))
            if reminder <= last and (on is None or on > reminder):
                self.day_events[reminder].append(
                    (4, "notice", acct, {"kind": "reminder", "since": due + timedelta(days=1)})
                )
            shutoff = due + timedelta(days=1 + (self.settings.shutoff_notice_days or 45))
            if shutoff <= last and (on is None or on > shutoff):
                self.day_events[shutoff].append(
                    (4, "notice", acct, {"kind": "shutoff", "since": due + timedelta(days=1)})
                )

    def pay(self, day: date, acct: Acct, payload: dict) -> None:
        amount = acct.balance
        if amount <= 0:
            return
        channel = Channel.AUTOPAY if payload.get("autopay") else acct.channel
        if channel in (Channel.COUNTER, Channel.MAIL, Channel.LOCKBOX) and not self.calendar.is_business_day(
            day
        ):
            day2 = self.calendar.next_business_day(day)
            if day2 < self.today:
                self.day_events[day2].append((3, "pay", acct, payload))
            return
        if channel != Channel.AUTOPAY and self.rng.random() < 0.03:
            amount = _money(
                max(Decimal(5), (amount / 10).to_integral_value() * 10 + 10)
            )  # rounded up: a credit
        pk = self.ids.take(Payment)
        receipt = f"R{pk:08d}"
        when = self.office_time(day)
        session_id, tender, cash_tendered, change, reference, check = None, "electronic", None, ZERO, "", ""
        brand, four = "", ""
        if channel == Channel.COUNTER:
            tender = self.rng.choices(["cash", "check", "card"], [45, 35, 20])[0]
        elif channel in (Channel.MAIL, Channel.LOCKBOX):
            tender = "check"
        elif channel in (Channel.ONLINE, Channel.PHONE):
            tender = "card"
        if tender == "cash":
            cash_tendered = _money((amount / 20).to_integral_value(rounding="ROUND_CEILING") * 20)
            change = cash_tendered - amount
        if tender == "check":
            check = str(self.rng.randint(1001, 9999))
        if tender == "card":
            brand, four = self.rng.choice(BRANDS), f"{self.rng.randint(0, 9999):04d}"
            reference = f"AUTH{self.rng.randint(10_000_000, 99_999_999)}"
        if channel == Channel.ACH:
            reference = f"ACH{pk:012d}"
        if channel in (Channel.COUNTER, Channel.MAIL):
            session = self.session(day)
            session_id = session["id"]
            actor = session["cashier"]
            if tender == "cash":
                session["cash"] += amount
            elif tender == "check":
                session["checks"] += amount
                session["items"].append({"kind": "check", "number": check, "amount": str(amount), "payment": pk,
                                         "receipt": receipt, "account": acct.number, "session": session_id})  # fmt: skip
        elif channel in (Channel.ONLINE, Channel.PHONE, Channel.ACH):
            actor = self.processor
        else:
            actor = self.staff.biller
        label = Channel(channel).label
        money_gl = self.role_id[tender_role(channel, tender)]
        entry_id, _ = self.entry(day, when, f"Payment {receipt} ({label.lower()})", PAYMENT, pk,
                                 [(money_gl, None, amount, "", None),
                                  (self.receivable, acct.id, -amount, f"Payment {receipt}", None)],
                                 actor, reason=label)  # fmt: skip
        before = acct.balance
        applied = self.pay_down(acct, amount)
        returned = channel == Channel.LOCKBOX and self.rng.random() < NSF_SHARE
        status, ended_by, ended_at, ended_reason, reversal = "posted", None, None, "", None
        if returned:
            return_day = self.calendar.add_business_days(day, self.rng.randint(3, 8))
            if return_day < self.today:
                status, ended_by = "returned", self.staff.lead.pk
                ended_at = self.office_time(return_day)
                ended_reason = "Returned check: Insufficient funds (the bank's notice)"
                # The reversal (dated the return day) is written now: the payment's row names it.
                why = ended_reason
                reversal, lines = self.entry(
                    return_day, ended_at, f"Reversal of JE {entry_id}: Payment {receipt} ({label.lower()})", PAYMENT,
                    pk, [(money_gl, None, -amount, "", None), (self.receivable, acct.id, amount, f"Payment {receipt}",
                                                               None)],
                    self.staff.lead, reason=why, reverses=entry_id,
                )  # fmt: skip
                self.day_events[return_day].append((0, "return", acct, {
                    "payment": pk, "amount": amount, "entry": entry_id, "reversal": reversal, "line": lines[1],
                    "when": ended_at, "receipt": receipt,
                }))  # fmt: skip
        self.out.add(Payment, (pk, acct.customer_id, channel, session_id, day, amount, status, cash_tendered, change,
                               reference, None, "", entry_id, reversal, actor.pk, when, ended_by, ended_at,
                               ended_reason))  # fmt: skip
        self.out.add(PaymentTender, (pk, tender, amount, check, brand, four, reference))
        allocations = [{"line": a.charge_id, "kind": a.kind, "due": a.due.isoformat(), "amount": str(a.amount)}
                       for a in applied.allocations]  # fmt: skip
        self.out.add(
            PaymentPart, (pk, acct.id, amount, json.dumps(allocations), applied.credit, before - amount)
        )
        self.stats["payments"] += 1
        if channel in SINGLE:
            self.audit(when, actor, "payment.post", "payments.payment", pk, f"Payment {receipt} ${amount:,.2f}",
                       account_id=acct.id, reason="",
                       after={"amount": str(amount), "channel": channel, "entry": entry_id,
                              "accounts": {acct.number: str(amount)}, "tenders": [tender], "change": str(change),
                              "paid": str(amount)})  # fmt: skip
        elif channel == Channel.LOCKBOX:
            self.lockbox.append((pk, acct, amount, check))
        else:
            self.autopay_paid(day, acct, pk, amount, payload["bill"])

    def returned(self, day: date, acct: Acct, p: dict) -> None:
        """A lockbox check the bank returned unpaid: its entry reversed exactly, the returned-check fee charged."""
        lead = self.staff.lead
        why = "Returned check: Insufficient funds (the bank's notice)"
        reversal_id = p["reversal"]
        self.charge(acct, p["line"], day, "fees", p["amount"])
        return_id = self.ids.take(PaymentReturn)
        fee_entry = None
        rule = self.nsf_rule
        if rule is not None and rule.amount:
            fee = rule.amount
            fee_entry, lines = self.entry(day, p["when"], f"{rule.name}: payment {p['receipt']}", RETURNED_PAYMENT_FEE,
                                          return_id,
                                          [(self.receivable, acct.id, fee, f"{rule.name} (payment {p['receipt']})", day),
                                           (self.gl_id[rule.gl_account], None, -fee, f"{rule.name} {p['receipt']}", None)],
                                          lead, reason=why)  # fmt: skip
            self.charge(acct, lines[0], day, "fees", fee)
        self.out.add(PaymentReturn, (return_id, p["payment"], "nsf_check", day, "", "Insufficient funds (the bank's notice)",
                                     fee_entry, acct.language, None, lead.pk, p["when"]))  # fmt: skip
        self.audit(
            p["when"],
            lead,
            "ledger.reverse",
            "ledger.journalentry",
            reversal_id,
            f"JE {reversal_id}",
            account_id=acct.id,
            reason=why,
            before={"entry": p["entry"]},
            after={"reversal": reversal_id},
        )
        self.audit(p["when"], lead, "payment.return", "payments.payment", p["payment"],
                   f"Payment {p['receipt']} ${p['amount']:,.2f}", account_id=acct.id, reason=why,
                   before={"status": "posted"},
                   after={"status": "returned", "amount": str(p["amount"]), "returned_on": day.isoformat(),
                          "kind": "nsf_check", "reason_code": "", "reversal": reversal_id,
                          "fee": str(rule.amount if rule else ZERO), "cash_only_until": None})  # fmt: skip
        self.stats["returns"] += 1

    def late_fee(self, day: date, acct: Acct, p: dict) -> None:
        rule = p["rule"]
        open_ = {c[0]: c for c in acct.charges}
        charge = open_.get(p["line"])
        if charge is None or p["line"] in self.penalized:
            return
        found = penalties(
            [PastDue(charge[0], charge[1], charge[3])],
            on=day,
            minimum=rule.amount,
            percent=rule.percent or Decimal(0),
            after_days=rule.after_days or 0,
            already=self.penalized,
        )
        for penalty in found:
            self.penalized.add(penalty.charge_id)
            text = f"{rule.name} (${penalty.past_due:,.2f} past due)"
            when = self.at(day, 6.5)
            entry_id, lines = self.entry(day, when, f"{rule.name} on ${penalty.past_due:,.2f} past due", "late_fee",
                                         penalty.charge_id,
                                         [(self.receivable, acct.id, penalty.amount, text, day),
                                          (self.gl_id[rule.gl_account], None, -penalty.amount, "", None)],
                                         self.staff.biller)  # fmt: skip
            self.charge(acct, lines[0], day, "fees", penalty.amount)
            self.audit(when, self.staff.biller, "ledger.post", "ledger.journalentry", entry_id,
                       f"JE {entry_id} {day:%m/%d/%Y} {rule.name}", account_id=acct.id,
                       after={"memo": f"{rule.name} on ${penalty.past_due:,.2f} past due",
                              "source": f"late_fee {penalty.charge_id}", "amount": str(penalty.amount)})  # fmt: skip
            self.stats["late_fees"] += 1

    def notice(self, day: date, acct: Acct, p: dict) -> None:
        if acct.balance <= self.settings.shutoff_minimum_amount and p["kind"] == "shutoff":
            return
        past_due = sum((c[3] for c in acct.charges if c[1] < day), ZERO)
        if past_due <= 0:
            return
        key = (acct.id, p["kind"], p["since"])
        if key in self.noticed:
            return
        self.noticed.add(key)
        shutoff_on = self.calendar.add_business_days(day, 15) if p["kind"] == "shutoff" else None
        self.out.add(Notice, (acct.id, p["kind"], p["since"], day, day, shutoff_on, past_due, None, None,
                              self.staff.biller.pk, self.at(day, 6.5)))  # fmt: skip
        self.stats[f"notices_{p['kind']}"] += 1

    # --- drawers, deposits, lockbox files, autopay ----------------------------------------------------------

    def session(self, day: date) -> dict:
        if self.sessions is None:
            self.sessions = []
            for n, cashier in enumerate(self.cashiers, start=1):
                sid = self.ids.take(DrawerSession)
                opened = self.at(day, 7.75)
                self.sessions.append({"id": sid, "cashier": cashier, "drawer": f"Counter {n}", "cash": ZERO,
                                      "checks": ZERO, "items": [], "opened": opened})  # fmt: skip
                self.audit(
                    opened,
                    cashier,
                    "drawer.open",
                    "payments.drawersession",
                    sid,
                    f"Drawer Counter {n} {day:%m/%d/%Y} (Open)",
                    after={"drawer": f"Counter {n}", "opening_float": str(self.settings.standard_float)},
                )
        return self.rng.choice(self.sessions)

    def close_day(self, day: date) -> None:
        if self.sessions:
            float_ = self.settings.standard_float
            deposit_id = self.ids.take(BankDeposit)
            lead = self.staff.lead
            closed, audited, prepared = self.at(day, 17.25), self.at(day, 17.5), self.at(day, 17.75)
            cash_total = sum((s["cash"] for s in self.sessions), ZERO)
            check_total = sum((s["checks"] for s in self.sessions), ZERO)
            total = cash_total + check_total
            deposit_entry = None
            if total > 0:
                deposit_entry, _ = self.entry(day, prepared, f"Bank deposit {deposit_id} (drawers "
                                              f"{', '.join(str(s['id']) for s in self.sessions)})", BANK_DEPOSIT,
                                              deposit_id,
                                              [(self.role_id[GLRole.CASH], None, total, f"Deposit {deposit_id}", None),
                                               (self.role_id[GLRole.UNDEPOSITED_FUNDS], None, -total,
                                                f"Deposit {deposit_id}", None)], lead, reason="Bank deposit")  # fmt: skip
                not_itemised = [{"session": s["id"], "drawer": s["drawer"], "amount": str(s["cash"])}
                                for s in self.sessions if s["cash"]]  # fmt: skip
                checks = [item for s in self.sessions for item in s["items"]]
                self.out.add(BankDeposit, (deposit_id, day, cash_total, check_total, total,
                                           json.dumps({"bills": {}, "coins": {}, "rolls": {},
                                                       "not_itemised": not_itemised}),
                                           json.dumps(checks), f"Night drop {deposit_id}", deposit_entry, lead.pk,
                                           prepared))  # fmt: skip
                self.audit(prepared, lead, "deposit.prepare", "payments.bankdeposit", deposit_id,
                           f"Deposit {deposit_id} {day:%m/%d/%Y} ${total:,.2f}",
                           after={"sessions": [s["id"] for s in self.sessions], "cash": str(cash_total),
                                  "checks": str(check_total), "total": str(total), "check_count": len(checks),
                                  "entry": deposit_entry})  # fmt: skip
            for s in self.sessions:
                counted_cash = float_ + s["cash"]
                count = {"bills": _notes(counted_cash), "coins": {}, "rolls": {},
                         "checks": [i["amount"] for i in s["items"]]}  # fmt: skip
                self.out.add(DrawerSession, (
                    s["id"], s["cashier"].pk, s["drawer"], day, float_, "audited", s["opened"], closed,
                    json.dumps(count), s["cash"], s["checks"], s["cash"], s["checks"], ZERO, None, "", lead.pk,
                    audited, "Counted with the cashier", deposit_id if deposit_entry else None,
                ))  # fmt: skip
                name = f"Drawer {s['drawer']} {day:%m/%d/%Y}"
                self.audit(closed, s["cashier"], "drawer.close", "payments.drawersession", s["id"], name,
                           after={"counted_cash": str(s["cash"]), "counted_checks": str(s["checks"]),
                                  "expected_cash": str(s["cash"]), "expected_checks": str(s["checks"]),
                                  "variance": "0.00"})  # fmt: skip
                self.audit(
                    audited,
                    lead,
                    "drawer.audit",
                    "payments.drawersession",
                    s["id"],
                    name,
                    before={"status": "closed"},
                    after={"status": "audited"},
                    reason="Counted with the cashier",
                )
        if self.lockbox:
            file_id = self.ids.take(LockboxFile)
            total = sum((amount for _, _, amount, _ in self.lockbox), ZERO)
            when = self.at(day, 7)
            name = f"LBX{day:%Y%m%d}.csv"
            self.out.add(LockboxFile, (file_id, name, hashlib.sha256(name.encode()).hexdigest(), len(self.lockbox),
                                       len(self.lockbox), 0, 0, total, self.staff.biller.pk, when))  # fmt: skip
            for line, (pk, acct, amount, check) in enumerate(self.lockbox, start=1):
                scanline = f"{acct.number}{int(amount * 100):09d}"
                self.out.add(LockboxItem, (file_id, line, scanline, amount, check, day, "posted", "", acct.id, pk,
                                           None, None, ""))  # fmt: skip
            first, last = self.lockbox[0][0], self.lockbox[-1][0]
            self.audit(when, self.staff.biller, "payment.batch", "payments.payment", first,
                       f"Payment R{first:08d} ${self.lockbox[0][2]:,.2f}", reason=f"Lockbox file {name}",
                       after={"channel": "lockbox", "received_on": day.isoformat(), "payments": len(self.lockbox),
                              "total": str(total), "first_payment": first, "last_payment": last})  # fmt: skip
        if self.autopay_today:
            self.ach_file(day)

    def enrolments(self) -> None:
        enrolled_by = self.staff.clerk
        for acct in self.accounts:
            if acct.channel != Channel.AUTOPAY:
                continue
            acct.enrolment_id = self.ids.take(AutopayEnrolment)
            since = max(acct.start, self.start_day - timedelta(days=30))
            self.out.add(AutopayEnrolment, (acct.enrolment_id, acct.id, f"Customer {acct.customer_id}"[:22],
                                            "121000358", "bench-not-encrypted", f"{acct.id % 10_000:04d}", "checking",
                                            "active", since + timedelta(days=5), enrolled_by.pk, self.at(since, 10),
                                            None, ""))  # fmt: skip
        self.autopay_today = []

    def autopay_paid(self, day: date, acct: Acct, payment_id: int, amount: Decimal, bill_id: int) -> None:
        self.autopay_today.append((acct, payment_id, amount, bill_id))

    def ach_file(self, day: date) -> None:
        file_id = self.ids.take(AchFile)
        items = self.autopay_today
        total = sum((amount for _, _, amount, _ in items), ZERO)
        when = self.at(day - timedelta(days=2), 15)
        self.out.add(AchFile, (file_id, day, "A", len(items), total, f"{len(items) * 12_100_035 % 10**10:010d}",
                               hashlib.sha256(f"ach{file_id}".encode()).hexdigest(), self.staff.biller.pk, when))  # fmt: skip
        for acct, payment_id, amount, bill_id in items:
            self.out.add(AutopayDebit, (acct.enrolment_id, False, bill_id, amount, day, "sent", 1, file_id,
                                        f"{payment_id:015d}", payment_id, ""))  # fmt: skip
        self.audit(
            when,
            self.staff.biller,
            "autopay.export",
            "payments.achfile",
            file_id,
            f"ACH file {day:%m/%d/%Y} A",
            after={"entries": len(items), "total": str(total)},
        )
        first = items[0][1]
        self.audit(self.at(day, 6), self.staff.biller, "payment.batch", "payments.payment", first,
                   f"Payment R{first:08d} ${items[0][2]:,.2f}", reason="Autopay settlement",
                   after={"channel": "autopay", "received_on": day.isoformat(), "payments": len(items),
                          "total": str(total), "first_payment": first, "last_payment": items[-1][1]})  # fmt: skip
        self.autopay_today = []

    # --- the office's other work ------------------------------------------------------------------------------

    def adjustments(self, day: date) -> None:
        clerk, lead = self.staff.clerk, self.staff.lead
        recent = (self.today - day).days <= 10
        for _ in range(self.rng.randint(ADJUSTMENTS_PER_DAY - 4, ADJUSTMENTS_PER_DAY + 4)):
            acct = self.rng.choice(self.accounts)
            reason = self.rng.choice(self.reasons)
            amount = _money(self.rng.uniform(5, 40) if self.rng.random() < 0.8 else self.rng.uniform(60, 400))
            pk = self.ids.take(Adjustment)
            requested = self.office_time(day)
            memo = f"{reason.name} (bench)"
            needs = amount > 50
            status = "posted"
            if needs:
                status = (
                    "pending"
                    if recent and self.rng.random() < 0.6
                    else self.rng.choice(["posted"] * 4 + ["rejected"])
                )
            decided_by = decided_at = entry_id = None
            why = f"${amount:,.2f} is above your $50.00 adjustment limit" if needs else ""
            if status in ("posted", "rejected") and needs:
                decided_by, decided_at = lead.pk, requested + timedelta(hours=1)
            if status == "posted":
                entry_id, _ = self.entry(day, decided_at or requested, f"{reason.name}: {memo}", "adjustment", pk,
                                         [(reason.gl_account_id, None, amount, "", None),
                                          (self.receivable, acct.id, -amount, f"{reason.name}: {memo}", None)],
                                         lead if needs else clerk, reason=memo)  # fmt: skip
                self.pay_down(acct, amount)
            self.out.add(Adjustment, (pk, acct.id, reason.pk, amount, memo, status, clerk.pk, requested, why, decided_by,
                                      decided_at, "Approved" if status == "posted" and needs else
                                      ("Not supported by the read history" if status == "rejected" else ""),
                                      entry_id, None))  # fmt: skip
            name = f"{reason.name} ${amount} on {acct.number}"
            self.audit(
                requested,
                clerk,
                "adjustment.request",
                "ledger.adjustment",
                pk,
                name,
                account_id=acct.id,
                reason=memo,
                after={
                    "amount": str(amount),
                    "reason": reason.code,
                    "status": "pending" if needs else status,
                },
            )
            if decided_by:
                self.audit(
                    decided_at,
                    lead,
                    "adjustment.decide",
                    "ledger.adjustment",
                    pk,
                    name,
                    account_id=acct.id,
                    before={"status": "pending"},
                    after={"status": status},
                )
            self.stats["adjustments"] += 1

    def orders(self, day: date) -> None:
        age = (self.today - day).days
        types = [t for t, _, _ in ORDER_TYPES]
        weights = [w for _, w, _ in ORDER_TYPES]
        origins = {t: o for t, _, o in ORDER_TYPES}
        for _ in range(self.rng.randint(ORDERS_PER_DAY - 20, ORDERS_PER_DAY + 20)):
            code = self.rng.choices(types, weights)[0]
            order_type = self.order_types.get(code)
            if order_type is None:
                continue
            acct = self.rng.choice(self.accounts)
            pk = self.ids.take(ServiceOrder)
            number = self.order_number
            self.order_number += 1
            created = self.office_time(day)
            roll = self.rng.random()
            if age > 30:
                status = "closed" if roll < 0.78 else ("completed" if roll < 0.93 else "voided")
            elif age > 5:
                status = ["closed", "completed", "voided", "dispatched", "scheduled", "open"][
                    sum(roll > x for x in (0.25, 0.65, 0.70, 0.78, 0.90))
                ]
            else:
                status = ["completed", "dispatched", "scheduled", "open", "voided"][
                    sum(roll > x for x in (0.2, 0.35, 0.65, 0.97))
                ]
            tech = self.rng.choice(self.technicians)
            steps = {"open": [], "scheduled": ["schedule"], "dispatched": ["schedule", "dispatch"],
                     "completed": ["schedule", "dispatch", "complete"],
                     "closed": ["schedule", "dispatch", "complete", "close"], "voided": ["void"]}[status]  # fmt: skip
            scheduled = (
                self.calendar.add_business_days(day, self.rng.randint(0, 3))
                if steps and steps[0] == "schedule"
                else None
            )
            if scheduled is not None and status in ("completed", "closed") and scheduled >= self.today:
                scheduled = day
            completed_at = (
                self.at(scheduled, 9 + self.rng.random() * 7) if status in ("completed", "closed") else None
            )
            window = (None, None)
            self.out.add(ServiceOrder, (
                pk, number, order_type.pk, status, self.rng.choices(["1", "2", "3"], [2, 10, 88])[0],
                origins[code], acct.premise_id, acct.id, acct.point_id, None, day, scheduled, *window,
                tech.pk if status in ("scheduled", "dispatched", "completed", "closed") else None,
                f"{order_type.name} (bench)", False, completed_at, scheduled if completed_at else None,
                tech.pk if completed_at else None, "Done as asked" if completed_at else "", None, None, "",
                None, None, "Entered twice" if status == "voided" else "", self.staff.clerk.pk, created,
            ))  # fmt: skip
            name = f"SO-{number} {order_type.name}"
            at, current = created, "open"
            self.out.add(ServiceOrderEvent, (pk, "create", "", "open", "", self.staff.clerk.pk, at))
            self.audit(
                at,
                self.staff.clerk,
                "serviceorder.create",
                "fieldwork.serviceorder",
                pk,
                name,
                account_id=acct.id,
                after={"number": number, "order_type": order_type.pk, "status": "open"},
            )
            for step in steps:
                to = {"schedule": "scheduled", "dispatch": "dispatched", "complete": "completed", "close": "closed",
                      "void": "voided"}[step]  # fmt: skip
                if step == "complete":
                    at, actor = completed_at, tech
                elif step == "close":
                    at, actor = completed_at + timedelta(hours=20), self.staff.lead
                else:
                    at, actor = at + timedelta(minutes=self.rng.randint(5, 240)), self.staff.lead
                self.out.add(ServiceOrderEvent, (pk, step, current, to, "", actor.pk, at))
                self.audit(
                    at,
                    actor,
                    f"serviceorder.{step}",
                    "fieldwork.serviceorder",
                    pk,
                    name,
                    account_id=acct.id,
                    before={"status": current},
                    after={"status": to},
                )
                current = to
            self.stats["orders"] += 1

    def flags(self) -> None:
        """Low-income enrolments (about 6 % of active accounts) and medical certifications (about 1 %)."""
        clerk = self.staff.clerk
        for acct in self.accounts:
            roll = self.rng.random()
            kind = "low_income" if roll < 0.06 else ("medical" if roll < 0.07 else None)
            if kind is None or (kind == "low_income" and acct.low_income):
                continue
            starts = self.start_day + timedelta(days=self.rng.randint(0, 330))
            if starts >= self.today:
                continue
            expires = starts + timedelta(days=365 if kind == "low_income" else 180)
            when = self.office_time(starts)
            self.out.add(AccountFlag, (acct.id, kind, starts, expires, "Enrolled (bench)" if kind == "low_income"
                                       else "Physician's certification received (bench)", clerk.pk, when))  # fmt: skip
            self.audit(
                when,
                clerk,
                "flag.add",
                "customers.accountflag",
                acct.id,
                kind,
                account_id=acct.id,
                after={"kind": kind, "starts_on": starts.isoformat(), "expires_on": expires.isoformat()},
            )
            if kind == "low_income":
                acct.low_income = True
            self.stats[f"flags_{kind}"] += 1

    # --- final accounts: final bills, write-offs, agency referrals -----------------------------------------------

    def final_accounts(self) -> None:
        """Final accounts (service stopped) at a premise no active account uses: a final read and final bill,
        unpaid; those past the write-off period written off to bad debt by a lead; the written-off referred to the
        agency in the next referral file."""
        with connection.cursor() as cursor:
            cursor.execute(FINAL_SQL, [self.start_day])
            rows = cursor.fetchall()
        lead, biller = self.staff.lead, self.staff.biller
        write_off_days = self.settings.write_off_days or 60
        self.written = []
        meters = set()
        for pk, number, end, installation_id, meter_id, serial, size, point_kind, occupancy in rows:
            if meter_id in meters:
                continue  # two final accounts at one premise: one meter, read once a day
            meters.add(meter_id)
            rate_class = calculation.rate_class_for(point_kind, occupancy)
            from_day = end - timedelta(days=30)
            from_value = Decimal(self.rng.randint(0, 60_000))
            units = Decimal(self.rng.randint(3, 20))
            from_id, to_id = self.ids.take(Read, 2), None
            to_id = from_id + 1
            for read_id, day, value, kind, used in [(from_id, from_day, from_value, "actual", None),
                                                    (to_id, end, from_value + units, "final", units)]:  # fmt: skip
                self.out.add(Read, (read_id, meter_id, installation_id, pk, day, value, kind,
                                    "handheld" if kind == "actual" else "service_order", "accepted", used, "[]", "", "",
                                    None, None, None, None, self.at(day, 11)))  # fmt: skip
            span = calculation.MeterSpan(installation_id, serial, size, rate_class, from_id, from_day, from_value,
                                         to_id, end, from_value + units, units)  # fmt: skip
            proposal = self.rating.propose(calculation.AccountFacts(pk, (span,)))
            if not proposal.billable or not proposal.total:
                continue
            bill_date = end + timedelta(days=2)
            if bill_date >= self.today:
                continue
            due = bill_date + timedelta(days=self.settings.final_bill_days or 20)
            bill_id = self.ids.take(Bill)
            posted = self.at(bill_date, 10)
            total = proposal.total
            self.out.add(Bill, (bill_id, pk, "final", None, None, None, from_day, end, bill_date, due, units, total,
                                ZERO, ZERO, ZERO, ZERO, total, "en", biller.pk, posted))  # fmt: skip
            self.out.add(BillMeter, (bill_id, installation_id, serial, size, rate_class, from_id, to_id, from_day, end,
                                     from_value, from_value + units, units, False, False, False))  # fmt: skip
            for sequence, proposed in enumerate(proposal.lines, start=1):
                line = proposed.line
                self.out.add(
                    BillLine,
                    (
                        bill_id,
                        installation_id,
                        sequence,
                        line.description[:200],
                        line.quantity,
                        line.unit_price,
                        line.amount,
                        line.gl_account,
                        line.tier,
                        line.explanation[:200],
                    ),
                )
            period = f"{from_day:%m/%d/%Y}-{end:%m/%d/%Y}"
            lines = [(self.receivable, pk, total, f"Bill {bill_id}", due)]
            lines += [(self.gl_id[gl], None, -amount, "", None)
                      for gl, amount in calculation.revenue_by_gl([p.line for p in proposal.lines])]  # fmt: skip
            self.entry(bill_date, posted, f"Bill {bill_id}, service {period}", "bill", bill_id, lines, biller)
            self.audit(
                posted,
                biller,
                "bill.final",
                "billing.bill",
                bill_id,
                f"Bill {bill_id}",
                account_id=pk,
                after={"total": str(total), "due": due.isoformat()},
            )
            self.stats["final_bills"] += 1
            write_day = due + timedelta(days=write_off_days)
            while not self.calendar.is_business_day(write_day):
                write_day += timedelta(days=1)
            if write_day >= self.today or self.rng.random() < 0.3:
                continue
            wo_id = self.ids.take(WriteOff)
            when = self.office_time(write_day)
            reason = "Final account unpaid past the write-off period (bench)"
            entry_id, _ = self.entry(write_day, when, f"Write-off of account {number}", "write_off", wo_id,
                                     [(self.role_id[GLRole.BAD_DEBT], None, total, "", None),
                                      (self.receivable, pk, -total, f"Written off ({reason})", None)], lead,
                                     reason=reason)  # fmt: skip
            self.out.add(WriteOff, (wo_id, pk, bill_id, total, reason, "posted", "", lead.pk, when, lead.pk, when, "",
                                    entry_id))  # fmt: skip
            self.audit(when, lead, "write_off.request", "collections.writeoff", wo_id,
                       f"Write-off ${total} of {number}", account_id=pk,
                       after={"amount": str(total), "status": "posted", "entry": entry_id})  # fmt: skip
            self.written.append((write_day, pk, number, wo_id, total))
            self.stats["write_offs"] += 1
        # Each month's first Monday, the accounts written off before it go to the agency in one file.
        self.written.sort()
        day = self.start_day
        waiting = list(self.written)
        while day < self.today and waiting:
            if day.weekday() == 0 and day.day <= 7:
                due_now = [w for w in waiting if w[0] < day]
                waiting = [w for w in waiting if w[0] >= day]
                if due_now:
                    batch_id = self.ids.take(ReferralBatch)
                    when = self.office_time(day)
                    total = sum((w[4] for w in due_now), ZERO)
                    content = "account,amount\n" + "".join(f"{w[2]},{w[4]}\n" for w in due_now)
                    self.out.add(ReferralBatch, (batch_id, AGENCY, day, len(due_now), total, content,
                                                 self.staff.lead.pk, when))  # fmt: skip
                    for _, pk, number, wo_id, amount in due_now:
                        self.out.add(
                            AgencyReferral, (pk, wo_id, batch_id, day, AGENCY, amount, "referred", ZERO, ZERO)
                        )
                        self.audit(
                            when,
                            self.staff.lead,
                            "agency_referral.refer",
                            "collections.agencyreferral",
                            pk,
                            f"{number} referred to {AGENCY}",
                            account_id=pk,
                            after={"amount": str(amount)},
                        )
                        self.stats["referrals"] += 1
            day += timedelta(days=1)

    # --- the end ------------------------------------------------------------------------------------------------

    def finish(self) -> None:
        models = list(self.out.tables)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        NumberSequence.objects.update_or_create(
            name="service_order", defaults={"next_value": self.order_number}
        )


def _notes(amount: Decimal) -> dict:
    """Cash counted as notes ($100 down to $1) and what is left in coins, as a drawer's count lists it."""
    notes, left = {}, int(amount)
    for value in (100, 50, 20, 10, 5, 1):
        n, left = divmod(left, value)
        if n:
            notes[str(value)] = n
    return notes


def calculation_season(month: int) -> float:
    """Desert use: highest in July and August, lowest in January (the demo district's curve)."""
    from cistern.demo.meters import season

    return season(month, 0.4)


CAPACITY = Register(dials=6, multiplier=Decimal(1)).capacity

ACCOUNTS_SQL = """
SELECT a.id, a.number, a.customer_id, a.premise_id, a.start_date, c.preferred_language, p.occupancy_type,
    sp.id, sp.kind, sp.route_id, cr.cycle_id, i.id, m.id, m.serial, m.size
FROM customers_account a
JOIN customers_customer c ON c.id = a.customer_id
JOIN customers_premise p ON p.id = a.premise_id
JOIN metering_servicepoint sp ON sp.premise_id = a.premise_id AND sp.kind = 'domestic'
JOIN metering_meterinstallation i ON i.service_point_id = sp.id AND i.removed_on IS NULL
JOIN metering_meter m ON m.id = i.meter_id
JOIN billing_cycleroute cr ON cr.route_id = sp.route_id
WHERE a.status = 'active'
ORDER BY a.id, sp.id
"""
# Final accounts stopped in the year at a premise no active account uses, with their meter.
FINAL_SQL = """
SELECT DISTINCT ON (a.id) a.id, a.number, a.end_date, i.id, m.id, m.serial, m.size, sp.kind, p.occupancy_type
FROM customers_account a
JOIN customers_premise p ON p.id = a.premise_id
JOIN metering_servicepoint sp ON sp.premise_id = a.premise_id AND sp.kind = 'domestic'
JOIN metering_meterinstallation i ON i.service_point_id = sp.id AND i.removed_on IS NULL
JOIN metering_meter m ON m.id = i.meter_id
WHERE a.status = 'final' AND a.end_date >= %s
  AND NOT EXISTS (SELECT 1 FROM customers_account b WHERE b.premise_id = a.premise_id AND b.status IN ('active', 'pending'))
  AND NOT EXISTS (SELECT 1 FROM metering_read r WHERE r.account_id = a.id)
ORDER BY a.id, sp.id
"""

READ_COLUMNS = [
    "id", "meter_id", "installation_id", "account_id", "read_on", "value", "kind", "source", "status", "consumption",
    "problems", "reader_code", "note", "read_import_id", "reviewed_by_id", "reviewed_at", "created_by_id", "created_at",
]  # fmt: skip
RUN_COLUMNS = [
    "id", "cycle_id", "period_end", "bill_date", "due_date", "status", "created_by_id", "created_at", "calculated_by_id",
    "calculated_at", "approved_by_id", "approved_at", "posted_at", "progress_done", "progress_total",
]  # fmt: skip
DEPOSIT_COLUMNS = [
    "id", "deposit_date", "cash_total", "check_total", "total", "denominations", "checks", "bank_reference", "entry_id",
    "prepared_by_id", "prepared_at",
]  # fmt: skip
SESSION_COLUMNS = [
    "id", "cashier_id", "drawer", "business_day", "opening_float", "status", "opened_at", "closed_at", "count",
    "counted_cash", "counted_checks", "expected_cash", "expected_checks", "variance", "variance_entry_id",
    "variance_note", "audited_by_id", "audited_at", "audit_note", "deposit_id",
]  # fmt: skip
ACH_FILE_COLUMNS = [
    "id", "settle_on", "file_id_modifier", "entries", "total_debits", "entry_hash", "sha256", "created_by_id",
    "created_at",
]  # fmt: skip
LOCKBOX_FILE_COLUMNS = [
    "id", "file_name", "sha256", "items", "posted", "suspense", "already", "total", "imported_by_id", "imported_at",
]  # fmt: skip
RETURN_COLUMNS = [
    "id", "payment_id", "kind", "returned_on", "reason_code", "reason", "fee_entry_id", "letter_language",
    "letter_pdf", "recorded_by_id", "recorded_at",
]  # fmt: skip
ENROLMENT_COLUMNS = [
    "id", "account_id", "holder_name", "routing_number", "bank_account_encrypted", "bank_account_last_four",
    "bank_account_type", "status", "live_from", "enrolled_by_id", "enrolled_at", "ended_on", "ended_reason",
]  # fmt: skip
DEBIT_COLUMNS = [
    "enrolment_id", "prenote", "bill_id", "amount", "settle_on", "status", "presentment", "file_id", "trace_number",
    "payment_id", "return_code",
]  # fmt: skip
LOCKBOX_ITEM_COLUMNS = [
    "file_id", "line", "scanline", "amount", "check_number", "deposit_date", "status", "reason", "account_id",
    "payment_id", "resolved_by_id", "resolved_at", "resolution_note",
]  # fmt: skip
ADJUSTMENT_COLUMNS = [
    "id", "account_id", "reason_id", "amount", "memo", "status", "requested_by_id", "requested_at", "why_approval",
    "decided_by_id", "decided_at", "decision_note", "entry_id", "late_fee_entry_id",
]  # fmt: skip
ORDER_COLUMNS = [
    "id", "number", "order_type_id", "status", "priority", "origin", "premise_id", "account_id", "service_point_id",
    "source_read_id", "requested_on", "scheduled_on", "window_start", "window_end", "technician_id", "notes",
    "follow_up", "completed_at", "completed_on", "completed_by_id", "field_notes", "read_id", "installation_id",
    "photo", "followed_up_at", "followed_up_by_id", "void_reason", "created_by_id", "created_at",
]  # fmt: skip
NOTICE_COLUMNS = [
    "account_id", "kind", "delinquent_since", "issued_on", "delivered_on", "shutoff_on", "amount", "correspondence_id",
    "order_id", "created_by_id", "created_at",
]  # fmt: skip
WRITE_OFF_COLUMNS = [
    "id", "account_id", "final_bill_id", "amount", "reason", "status", "why_approval", "requested_by_id",
    "requested_at", "approved_by_id", "decided_at", "decision_note", "entry_id",
]  # fmt: skip
REFERRAL_BATCH_COLUMNS = [
    "id", "agency", "referred_on", "count", "total", "content", "created_by_id", "created_at",
]  # fmt: skip
REFERRAL_COLUMNS = ["account_id", "write_off_id", "batch_id", "referred_on", "agency", "amount", "status", "collected",
                    "commission"]  # fmt: skip
AUDIT_COLUMNS = [
    "created_at", "actor_id", "action", "object_type", "object_id", "object_repr", "account_id", "changes", "reason",
]  # fmt: skip


def write_history(*, months: int = 12, seed: int = 1, progress=None, checked: bool = True) -> dict:
    """Write `months` of history onto a district seeded without (`seed_district --history-months 0`). Returns the
    rows written per table."""
    history = History(months=months, seed=seed, progress=progress, checked=checked)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(number), 100000) + 1 FROM fieldwork_serviceorder")
        history.order_number = cursor.fetchone()[0]
    counts = history.run()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    history.say("  " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(history.stats.items())))
    return counts
