"""The demo district's money in, through the payment services and every channel, as its days would bring it.

Each day: what customers pay at the counter goes into the cashier's drawer (opened with its float in the
morning; cash with change, checks, cards and money orders; payments that came in the mail are opened and posted
there too), and the drawer is closed at night with a blind count (now and then a dollar or two off, explained)
and audited by a lead. The rest arrives in batches: the bank's lockbox (checks mailed with the stub), the
pay-by-phone line and bank bill-pay (the processor's and the bank's, through the Integration role).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cistern.core import clock, roles
from cistern.payments import batch, drawer
from cistern.payments import services as payments
from cistern.payments.models import Channel, TenderKind

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
    lockbox: int = 0
    remote: int = 0


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
        if self.rng.random() < 0.04 and cash >= 2:
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
        payments.drawer_audit(actor=self.staff.lead, session=session, note="Counted with the cashier")
        self.session = None

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
