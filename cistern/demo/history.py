"""The demo district's history after the conversion, made to happen day by day through the services its staff
use, as a district's own days would: nothing here writes a row around them.

Each day, under `clock.on(day)` and in this order: the stops due that day (a clerk stops service, a technician
completes the final-read order with the register's value, which makes the final bill and settles the deposit);
the move-ins (a clerk starts service for a new or returning customer with the deposit or waiver decided at the
counter, the customer pays the deposit and set-up fee, a technician completes the turn-on with the initial read);
the flags a lead adds that day; the read files of the routes read that day (imported, the reader's estimates
entered, the exceptions reviewed, except on a route's newest read day: those stay in the queue); the payments
from the prior cash system dated that day; the daily collection run (which assesses the late fees; see
demo/collections.py); the daily deposit credit-back; last,
the bill runs of the cycles whose bill day it is (calculated by the billing admin, approved by a lead, posted;
the newest run of the first cycle is left calculated for a lead to approve), so a bill counts everything dated
by its bill date.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from cistern.billing import services as billing
from cistern.billing.models import Bill, BillCycle, BillKind, CycleRoute
from cistern.core import clock, roles
from cistern.customers import services as customers
from cistern.customers.models import Account, Customer, Premise
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import OrderStatus, ServiceOrder
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.metering import batch
from cistern.metering import services as metering
from cistern.metering.models import Meter, Read, ReadKind, ReadSource, ReadStatus

from .billing import APPROVER, BILLER, user
from .cashiering import Cashiering
from .collections import DemoCollections
from .frontdesk import DemoFrontDesk
from .schedule import DemoSchedule

CLERK, LEAD, TECHNICIAN = "demo-clerk", "demo-lead", "demo-technician"
REVIEWED = "Reviewed before billing: the read stands"
ZERO = Decimal("0.00")


class ReplayError(RuntimeError):
    """The history could not be made through the services (the message says which day and what)."""


@dataclass
class Replayed:
    days: int = 0
    stops: int = 0
    move_ins: int = 0
    final_bills: int = 0
    read_files: int = 0
    reads: int = 0
    runs: int = 0
    bills: int = 0
    payments: int = 0
    drawers: int = 0
    autopay_enrolments: int = 0
    returned_checks: int = 0
    late_fees: int = 0
    deposits_credited: int = 0
    flags: int = 0
    collections: dict = field(default_factory=dict)  # the collection runs' counts, summed
    problems: list[str] = field(default_factory=list)


class Staff:
    def __init__(self):
        self.clerk = user(CLERK, roles.CSS_I, "Clerk")
        self.lead = user(LEAD, roles.CSS_II, "Lead")
        self.technician = user(TECHNICIAN, roles.FIELD_TECHNICIAN, "Technician")
        self.biller = user(BILLER, roles.BILLING_ADMIN, "Billing")
        self.approver = user(APPROVER, roles.CSS_II, "Billing")


class Replay:
    def __init__(self, history, *, seed: int, leave_trial: bool = True):
        self.h = history
        self.staff = Staff()
        self.rng = random.Random(f"cistern-district:{seed}:payments")
        self.money = Cashiering(self.staff, seed)
        # The district offers autopay a few weeks into the history: its first bills are paid by hand.
        self.autopay_from = min(history.conversion_date + timedelta(days=45), history.today)
        self.done = Replayed()
        self.meters = dict(Meter.objects.values_list("serial", "id"))
        cycle_of = dict(CycleRoute.objects.values_list("route__code", "cycle"))

        cycles = BillCycle.objects.in_bulk(set(cycle_of.values()))
        self.last_read = {}  # route index -> its newest read day (its exceptions stay open for review)
        self.reads_on = defaultdict(list)  # day -> route indexes read
        self.runs_on = defaultdict(list)  # bill day -> [(cycle, period end)]
        for route, day in sorted({*history.route_reads, *history.estimates}):
            self.reads_on[day].append(route)
            self.last_read[route] = max(self.last_read.get(route, day), day)
            cycle = cycles[cycle_of[history.route_codes[route]]]
            bill_day = billing.bill_date_for(cycle, day)
            if bill_day <= history.today:
                self.runs_on[bill_day].append((cycle, day))
        first = min(cycles.values(), key=lambda c: c.code)
        periods = [end for runs in self.runs_on.values() for cycle, end in runs if cycle == first]
        self.trial = (first.pk, max(periods)) if leave_trial and periods else None
        self.stops_on = defaultdict(list)
        for account in history.stops:
            self.stops_on[account.end].append(account)
        self.starts_on = defaultdict(list)
        for account in history.move_ins:
            self.starts_on[account.start].append(account)
        self.flags_on = defaultdict(list)
        for account in history.flagged:
            for flag in account.later_flags:
                self.flags_on[flag[1]].append((account, flag))
        self.payments_on = defaultdict(list)  # day -> [(account id, bill id, amount due)]
        self.collections = DemoCollections(
            self.staff, seed=seed, first_day=history.conversion_date, last_day=history.today
        )
        self.frontdesk = DemoFrontDesk(
            self.staff, seed=seed, first_day=history.conversion_date, last_day=history.today
        )
        self.schedule = DemoSchedule(
            self.staff, seed=seed, first_day=history.conversion_date, last_day=history.today
        )

    # --- the days -----------------------------------------------------------------------------------------

    def run(self, progress=None) -> Replayed:
        day = self.h.conversion_date + timedelta(days=1)
        while day <= self.h.today:
            with clock.on(day), transaction.atomic():
                self.one_day(day)
            self.done.days += 1
            if progress:
                progress(day, self.done)
            day += timedelta(days=1)
        self.done.late_fees = self.collections.counts.get("late_fees", 0)
        self.done.collections = dict(self.collections.counts)
        taken = self.money.done
        self.done.payments, self.done.drawers = taken.payments, taken.drawers
        self.done.autopay_enrolments, self.done.returned_checks = taken.enrolments, taken.returns
        return self.done

    def one_day(self, day: date) -> None:
        for account in self.stops_on.pop(day, []):
            self.stop(account, day)
        for account in self.starts_on.pop(day, []):
            self.start(account, day)
        for account, flag in self.flags_on.pop(day, []):
            kind, starts, expires, reason = flag
            customers.flag_add(actor=self.staff.lead, account=Account.objects.get(pk=account.id), kind=kind,
                               starts_on=starts, expires_on=expires, reason=reason)  # fmt: skip
            self.done.flags += 1
        for route in self.reads_on.pop(day, []):
            self.read_route(route, day)
        if day == self.autopay_from:
            self.money.offer_autopay()
        self.take_payments(day)
        self.money.bank_returns()
        self.money.autopay_day()
        self.money.close_day()
        self.money.refunds_to_accounts_payable()
        self.collections.day(day)
        self.frontdesk.day(day)
        self.schedule.day(day)
        self.done.deposits_credited += len(
            ledger.deposits_credit_back(actor=self.staff.biller, on=day).credited
        )
        # Bills are posted at the end of their day, so each counts everything dated by its bill date.
        for cycle, period_end in self.runs_on.pop(day, []):
            self.bill_run(cycle, period_end)

    # --- stops and starts ---------------------------------------------------------------------------------

    def stop(self, plan, day: date) -> None:
        street, unit, city, state, zip_code = plan.forwarding
        account = customers.service_stop(
            actor=self.staff.clerk, account=Account.objects.get(pk=plan.id), stop_date=day, reason=plan.stop_note,
            forwarding={"street": street, "unit": unit, "city": city, "state": state, "zip": zip_code},
        )  # fmt: skip
        self.field_work(account, "final_read", day, plan.final_reads, ReadKind.FINAL)
        final = Bill.objects.filter(account=account, kind=BillKind.FINAL, cancellation__isnull=True).first()
        if final is None:  # the final read waits for review: a lead checks it, a clerk makes the final bill
            self.review(Read.objects.filter(account=account, read_on=day, status=ReadStatus.EXCEPTION))
            try:
                final = billing.bill_final(actor=self.staff.clerk, account=Account.objects.get(pk=account.pk))
            except billing.BillingError as exc:
                self.done.problems.append(f"{day}: account {account.number} has no final bill: {exc}")
        if final is not None:
            self.done.final_bills += 1
            self.schedule_payment(final.pk, account.pk, final.amount_due, final.due_date)
        self.done.stops += 1

    def start(self, plan, day: date) -> None:
        app = customers.Application(**plan.application)
        premise = Premise.objects.get(pk=plan.premise.id)
        clerk = self.staff.clerk
        if plan.customer.id is None:
            account = customers.service_start_new_customer(
                actor=clerk, customer_fields=plan.customer.fields(), premise=premise, start_date=day, application=app,
                reason=plan.start_note,
            )  # fmt: skip
            plan.customer.id = account.customer_id
        else:  # a customer who moved within the district settles the old account at the counter first
            customer = Customer.objects.get(pk=plan.customer.id)
            for old, amount in customers.unpaid_closed_debts(customer):
                self.money.at_counter(old, amount, f"Closing balance of {old.number}")
            account = customers.service_start(
                actor=clerk, customer=customer, premise=premise, start_date=day, application=app, reason=plan.start_note
            )  # fmt: skip
        plan.id = account.pk
        if account.number != plan.number:
            self.done.problems.append(f"{day}: account {account.number} was expected as {plan.number}")
        # The deposit and set-up fee are paid at the counter.
        owed = ledger_selectors.receivable_balances([account.pk]).get(account.pk, ZERO)
        self.money.at_counter(account, owed, "Deposit and set-up fee")
        self.field_work(account, "turn_on", day, plan.initial_reads, ReadKind.INITIAL)
        self.done.move_ins += 1

    def field_work(self, account: Account, order_type: str, day: date, reads: list, kind: str) -> None:
        """The order the start or stop opened: the lead schedules and dispatches it for the day, the technician
        reads the premise's other meters and completes it with the main meter's read."""
        staff = self.staff
        order = ServiceOrder.objects.get(
            account=account, order_type__code=order_type, status=OrderStatus.OPEN
        )
        note = f"{order.label} {order.order_type.name}"
        # Assigned first: a technician reads only the meters of their own open orders.
        order = fieldwork.order_schedule(
            actor=staff.lead, order=order, scheduled_on=day, technician=staff.technician
        )
        main = ""
        for serial, value, primary in reads:
            if primary:
                main = str(value)
                continue
            metering.read_record(
                actor=staff.technician, meter=Meter(pk=self.meters[serial]), read_on=day, value=value,
                source=ReadSource.SERVICE_ORDER, kind=kind, note=note,
            )  # fmt: skip
            self.done.reads += 1
        self.review(Read.objects.filter(account=account, read_on=day, status=ReadStatus.EXCEPTION))
        order = fieldwork.order_dispatch(actor=staff.lead, order=order)
        fieldwork.order_complete(
            actor=staff.technician, order=order, completion=fieldwork.Completion(on=day, read_value=main)
        )
        self.done.reads += 1

    def review(self, reads) -> None:
        for read in reads:
            metering.read_accept(actor=self.staff.lead, read=read, reason=REVIEWED)

    # --- reads and bills ----------------------------------------------------------------------------------

    def read_route(self, route: int, day: date) -> None:
        code = self.h.route_codes[route]
        rows = self.h.route_reads.get((route, day), [])
        staff = self.staff
        if rows:
            lines = ["meter_serial,read_date,value,source,reader_code"]
            lines += [
                f"{serial},{day.isoformat()},{value},{source},{reader}"
                for serial, value, source, reader in rows
            ]
            result = batch.reads_import(
                actor=staff.lead, file_name=f"{code}-{day:%Y%m%d}.csv", content="\n".join(lines).encode()
            )
            self.done.read_files += 1
            self.done.reads += result.rows
            if day != self.last_read[route]:
                self.review(Read.objects.filter(read_import=result.read_import, status=ReadStatus.EXCEPTION))
        for serial, value in self.h.estimates.get((route, day), []):
            read = metering.read_record(
                actor=staff.biller, meter=Meter(pk=self.meters[serial]), read_on=day, value=value,
                source=ReadSource.ESTIMATE, kind=ReadKind.ESTIMATED, note="Estimated: the meter could not be reached",
            )  # fmt: skip
            self.done.reads += 1
            if read.status == ReadStatus.EXCEPTION and day != self.last_read[route]:
                self.review([read])

    def bill_run(self, cycle, period_end: date) -> None:
        staff = self.staff
        run = billing.bill_run_create(actor=staff.biller, cycle=cycle, period_end=period_end)
        billing.bill_run_calculate(actor=staff.biller, run=run)
        self.done.runs += 1
        if self.trial == (cycle.pk, period_end):
            return  # left for a lead to approve
        billing.bill_run_approve(actor=staff.approver, run=run, note="Demo history")
        billing.bill_run_post(actor=staff.biller, run=run)
        bills = Bill.objects.filter(run=run).values_list("id", "account_id", "amount_due", "due_date")
        for bill_id, account_id, due, due_date in bills:
            self.schedule_payment(bill_id, account_id, due, due_date)
            self.done.bills += 1

    def schedule_payment(self, bill_id: int, account_id: int, due: Decimal, due_date: date) -> None:
        """Most customers pay what the bill says is due before the due date, a few late, a few never; autopay
        pays the enrolled accounts' bills."""
        if self.money.pays_by_autopay(account_id, due_date):
            return
        if self.stops_paying(account_id, due_date):
            return
        roll = self.rng.random()
        late = roll >= 0.9
        paid_on = (
            due_date + timedelta(days=self.rng.randint(5, 40))
            if late
            else due_date - timedelta(days=self.rng.randint(1, 15))
        )
        if roll > 0.97 or due <= 0 or paid_on > self.h.today:
            return
        self.payments_on[max(paid_on, clock.today())].append((account_id, bill_id, due))

    def stops_paying(self, account_id: int, due_date: date) -> bool:
        """About one household in forty stops paying for good in the history's last five months: the ones the
        collection steps run all the way to a lock-off for."""
        chosen = random.Random(f"cistern-district:{account_id}:stops-paying").random() < 0.025
        return chosen and due_date >= self.h.today - timedelta(days=150)

    def take_payments(self, day: date) -> None:
        due = self.payments_on.pop(day, [])
        if not due:
            return
        balances = ledger_selectors.receivable_balances({account_id for account_id, _, _ in due})
        accounts = Account.objects.in_bulk({account_id for account_id, _, _ in due})
        payments = []
        for account_id, bill_id, amount in due:
            paid = min(amount, balances.get(account_id, ZERO))  # what is still owed of it: never a credit
            if paid > 0:
                balances[account_id] -= paid
                payments.append((accounts[account_id], paid, f"Bill {bill_id}"))
        self.money.bill_payments(day, payments)


def replay(history, *, seed: int, leave_trial: bool = True, progress=None) -> Replayed:
    return Replay(history, seed=seed, leave_trial=leave_trial).run(progress)
