"""The demo district's money in, through the payment services and every channel, as its days would bring it.

Each day: what customers pay at the counter goes into the cashier's drawer (opened with its float in the
morning; cash with change, checks, cards and money orders; payments that came in the mail are opened and posted
there too), and the drawer is closed at night with a blind count (now and then a dollar or two off, explained)
and audited by a lead. The rest arrives in batches: the bank's lockbox (checks mailed with the stub), the
pay-by-phone line and bank bill-pay (the processor's and the bank's, through the Integration role).
"""

import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from cistern.core import clock, roles
from cistern.customers.models import Account, AccountStatus
from cistern.payments import autopay, bank, banking_days, batch, drawer
from cistern.payments import services as payments
from cistern.payments.models import (
    AutopayDebit,
    Channel,
    DebitStatus,
    EnrolmentStatus,
    Payment,
    Refund,
    RefundStatus,
    TenderKind,
)

from .billing import user

CASHIER, PROCESSOR = "demo-cashier", "demo-processor"
FLOAT = Decimal("150.00")

# How the district's payments arrive (shares of the bill payments; starts and move-ins pay at the counter).
CHANNEL_SHARES = (
    (Channel.LOCKBOX, 0.45),
    (Channel.COUNTER, 0.25),
    (Channel.MAIL, 0.05),
    (Channel.PHONE, 0.15),
    (Channel.ACH, 0.10),
)
# At the counter: how customers pay.
COUNTER_TENDERS = ((TenderKind.CASH, 0.45), (TenderKind.CHECK, 0.35), (TenderKind.CARD, 0.15),
                   (TenderKind.MONEY_ORDER, 0.05))  # fmt: skip
CARD_BRANDS = ("VISA", "MC", "DISC", "AMEX")
AUTOPAY_SHARE = 0.2  # of the accounts in service when autopay is offered
ROUTING_NUMBERS = (
    "122000247",
    "121000358",
    "322271627",
    "122235821",
)  # California banks (valid check digits)
RETURN_SHARE = 0.004  # of the checks taken at the counter, returned unpaid a few days later


def _pick(rng: random.Random, shares) -> str:
    roll, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if roll < total:
            return value
    return shares[-1][0]


@dataclass
class Taken:
    payments: int = 0
    drawers: int = 0
    deposits: int = 0
    lockbox: int = 0
    remote: int = 0
    enrolments: int = 0
    autopay_files: int = 0
    returns: int = 0
    refund_batches: int = 0


NOTES = (100, 50, 20, 10, 5, 1)  # the notes a drawer is counted in ($2 notes are rare)


def count_for(amount: Decimal) -> drawer.BlindCount:
    """A drawer holding `amount` in cash, counted in notes and coins, largest first."""
    bills, coins, left = {}, {}, amount
    for note in NOTES:
        if left >= note:
            bills[note], left = int(left // note), left % note
    for coin in drawer.COINS[1:]:  # below a dollar
        if left >= coin:
            coins[coin], left = int(left // coin), left % coin
    return drawer.BlindCount(bills=bills, coins=coins)


class Cashiering:
    def __init__(self, staff, seed: int):
        self.staff = staff
        self.cashier = user(CASHIER, roles.CASHIER, "Cashier")
        self.processor = user(PROCESSOR, roles.INTEGRATION, "Processor")
        self.lockbox_clerk = staff.biller  # the billing admin imports the bank's files
        self.rng = random.Random(f"cistern-district:{seed}:cashiering")
        self.session = None
        self.done = Taken()
        self.checks = 1000
        self.returns_on = defaultdict(list)  # day -> payment ids the bank returns that day
        self.returned_accounts: set[int] = set()  # a second check of theirs is likelier to bounce

    # --- the counter --------------------------------------------------------------------------------------

    def _drawer(self):
        if self.session is None:
            self.session = payments.drawer_open(
                actor=self.cashier, drawer_name="Counter 1", opening_float=FLOAT
            )
            self.done.drawers += 1
        return self.session

    def at_counter(self, account, amount: Decimal, memo: str, channel: str = Channel.COUNTER) -> None:
        """One payment taken at the counter (or opened from the mail) into today's drawer."""
        if amount <= 0:
            return
        kind = TenderKind.CHECK if channel == Channel.MAIL else _pick(self.rng, COUNTER_TENDERS)
        cash_only = payments.cash_only_accounts([account.pk], clock.today())
        if kind == TenderKind.CHECK and cash_only:
            kind = TenderKind.MONEY_ORDER
        self.checks += 1
        tender = payments.Tender(
            kind, amount,
            check_number=str(self.checks) if kind == TenderKind.CHECK else "",
            card_brand=self.rng.choice(CARD_BRANDS) if kind == TenderKind.CARD else "",
            card_last_four=f"{self.rng.randrange(10_000):04d}" if kind == TenderKind.CARD else "",
            reference=f"AUTH{self.rng.randrange(10**8):08d}" if kind == TenderKind.CARD else "",
        )  # fmt: skip
        tendered = None
        if kind == TenderKind.CASH and self.rng.random() < 0.6:  # handed over in twenties: change is due
            tendered = (amount / 20).to_integral_value(rounding="ROUND_CEILING") * 20
        request = payments.PaymentRequest(
            channel=channel, parts=[(account, amount)], tenders=[tender], cash_tendered=tendered, note=memo
        )
        payments.payment_post(actor=self.cashier, request=request, session=self._drawer())
        self.done.payments += 1

    def close_day(self) -> None:
        """Count the drawer down at night and have the lead audit it; about one night in 25 it is off."""
        if self.session is None:
            return
        figures = payments.drawer_figures(self.session)
        cash = FLOAT + figures.expected_cash
        note = ""
        if self.rng.random() < 0.04 and figures.expected_cash >= 10:  # off only on a day of cash
            off = Decimal(self.rng.choice(["1.00", "-1.00", "0.25", "-5.00"]))
            if cash + off > 0:
                cash += off
                note = (
                    "Change counted wrong on a busy afternoon"
                    if off < 0
                    else "A customer left without change"
                )
        checks = []
        for payment in self.session.payments.filter(status="posted").prefetch_related("tenders"):
            checks += [
                t.amount
                for t in payment.tenders.all()
                if t.kind in (TenderKind.CHECK, TenderKind.MONEY_ORDER)
            ]
        counted = count_for(cash)
        count = drawer.BlindCount(bills=counted.bills, coins=counted.coins, checks=tuple(checks))
        session = payments.drawer_close(actor=self.cashier, session=self.session, count=count, note=note)
        session = payments.drawer_audit(
            actor=self.staff.lead, session=session, note="Counted with the cashier"
        )
        if session.counted_cash or session.counted_checks:  # a day of cards only leaves nothing to take
            bank.deposit_prepare(
                actor=self.staff.lead, sessions=[session], bank_reference=f"Night drop {session.pk}"
            )
            self.done.deposits += 1
        self._bounce_later(session)
        self.session = None

    def _bounce_later(self, session) -> None:
        """A few checks come back unpaid a week later (more often from an account that bounced one before)."""
        day = clock.today()
        for payment in session.payments.filter(status="posted").prefetch_related("tenders", "parts"):
            if not all(t.kind == TenderKind.CHECK for t in payment.tenders.all()):
                continue
            repeat = any(p.account_id in self.returned_accounts for p in payment.parts.all())
            if self.rng.random() < (0.5 if repeat else RETURN_SHARE):
                self.returns_on[day + timedelta(days=7)].append(payment.pk)

    def bank_returns(self) -> None:
        """The checks the bank returned today: reversed, the NSF fee charged, the letter written."""
        for payment in Payment.objects.filter(pk__in=self.returns_on.pop(clock.today(), []), status="posted"):
            bank.payment_return(actor=self.staff.lead, payment=payment, returned_on=clock.today(),
                                reason="Insufficient funds (the bank's notice)")  # fmt: skip
            self.returned_accounts.update(payment.parts.values_list("account_id", flat=True))
            self.done.returns += 1

    def refunds_to_accounts_payable(self) -> None:
        """On Fridays the refunds approved that week (final bills' deposits, mostly) go to accounts payable."""
        if clock.today().weekday() != 4:
            return
        if Refund.objects.filter(status=RefundStatus.APPROVED, exported_at__isnull=True).exists():
            bank.refunds_export(actor=self.lockbox_clerk)
            self.done.refund_batches += 1

    # --- autopay --------------------------------------------------------------------------------------------

    def offer_autopay(self) -> None:
        """The district starts offering autopay: about one account in five in service enrols."""
        for account in (
            Account.objects.filter(status=AccountStatus.ACTIVE).select_related("customer").order_by("pk")
        ):
            if self.rng.random() >= AUTOPAY_SHARE:
                continue
            autopay.enrolment_create(
                actor=self.staff.clerk, account=account, holder_name=account.customer.name[:22].strip(),
                routing_number=self.rng.choice(ROUTING_NUMBERS),
                bank_account_number=str(self.rng.randrange(10**7, 10**11)),
                account_type=self.rng.choice(["checking", "checking", "savings"]),
            )  # fmt: skip
            self.done.enrolments += 1

    def autopay_day(self) -> None:
        """The daily job schedules each enrolled bill's debit; on a banking day the file goes to the bank."""
        day = clock.today()
        autopay.autopay_schedule(actor=self.staff.biller, on=day)
        if not banking_days.is_banking_day(day):
            return
        due = AutopayDebit.objects.filter(status=DebitStatus.SCHEDULED, settle_on__lte=day).exclude(
            enrolment__status=EnrolmentStatus.ENDED
        )
        if not due.exists():
            return
        now = timezone.make_aware(datetime.combine(day, time(6, 0)))
        # The bank has the file once it is written: the demo keeps none (the directory goes with it).
        with tempfile.TemporaryDirectory(prefix="cistern-demo-ach-") as folder:
            try:
                autopay.autopay_export(
                    actor=self.staff.biller, settle_on=day, out=Path(folder) / f"ach-{day}.txt", now=now
                )
            except payments.PaymentError as e:
                if "nothing to send" not in str(e):
                    raise
                return
        self.done.autopay_files += 1

    @staticmethod
    def pays_by_autopay(account_id: int, due_date: date) -> bool:
        """Whether the bill due then is left to the account's autopay."""
        enrolment = autopay.current_enrolment(Account(pk=account_id))
        return enrolment is not None and (enrolment.live_from is None or enrolment.live_from <= due_date)

    # --- the batches ----------------------------------------------------------------------------------------

    def bill_payments(self, day: date, due: list[tuple[object, Decimal, str]]) -> None:
        """The day's bill payments, each by the channel its customer uses."""
        batches = defaultdict(list)
        for account, amount, memo in due:
            channel = _pick(self.rng, CHANNEL_SHARES)
            if channel in (Channel.COUNTER, Channel.MAIL):
                self.at_counter(account, amount, memo, channel)
            elif channel == Channel.LOCKBOX:
                self.checks += 1
                batches[channel].append(batch.BatchItem(account.pk, amount, TenderKind.CHECK, str(self.checks),
                                                        f"lockbox {day:%Y%m%d}"))  # fmt: skip
            else:
                batches[channel].append(
                    batch.BatchItem(
                        account.pk,
                        amount,
                        TenderKind.ELECTRONIC,
                        "",
                        f"{channel}-{self.rng.randrange(10**9)}",
                    )
                )
        for channel, items in batches.items():
            actor = self.lockbox_clerk if channel == Channel.LOCKBOX else self.processor
            batch.payments_post_batch(actor=actor, channel=channel, received_on=day, items=items)
            self.done.payments += len(items)
            if channel == Channel.LOCKBOX:
                self.done.lockbox += len(items)
            else:
                self.done.remote += len(items)
