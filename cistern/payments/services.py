"""Writes of money in: drawer sessions, posting a payment (every channel), voids and reversals, the close with
a blind count and the lead's audit. One transaction each, audited; whatever writes to an account's receivable
locks the accounts first (customers.accounts_lock).

Where the money sits until the bank has it is a GL role: the counter's cash and checks in undeposited funds
(until a deposit), a card at the counter or a processor payment in processor clearing, autopay and bank
bill-pay in ACH clearing, the lockbox straight in the bank (cash).
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import AUDIT_COLUMNS, audit_event, audit_record, audit_rows
from cistern.core.bulk import insert_tables, reserve_one_each
from cistern.core.models import AuditEvent
from cistern.core.money import ZERO, is_cents
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalEntry

from . import application, drawer, posting
from .amounts import LARGEST_AMOUNT
from .models import (
    DRAWER_CHANNELS,
    DRAWER_TENDERS,
    Channel,
    DrawerSession,
    DrawerStatus,
    Payment,
    PaymentPart,
    PaymentStatus,
    PaymentTender,
    TenderKind,
)
from .signals import payment_posted


class PaymentError(ValueError):
    """A payment, void or drawer action that cannot be done as asked; the message tells the cashier why."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class IdempotencyConflict(PaymentError):
    """The same Idempotency-Key came with a different request."""


DRAWER_VARIANCE = "drawer_variance"  # a session's over/short (source id: the session)


# --- drawer sessions --------------------------------------------------------------------------------------


def drawer_open(*, actor, drawer_name: str, opening_float: Decimal) -> DrawerSession:
    """Open a drawer for the cashier with its float. A cashier has at most one open session."""
    require(actor, "payments.use_drawer")
    drawer_name = (drawer_name or "").strip()
    if not drawer_name:
        raise PaymentError("Name the drawer (e.g. Counter 1).", "drawer")
    if not is_cents(opening_float) or opening_float < 0 or opening_float > LARGEST_AMOUNT:
        raise PaymentError(
            f"The opening float must be an amount 0 or more: {opening_float}.", "opening_float"
        )
    with transaction.atomic():
        if DrawerSession.objects.filter(cashier=actor, status=DrawerStatus.OPEN).exists():
            raise PaymentError("You already have an open drawer: close it before opening another.")
        try:
            with transaction.atomic():
                session = DrawerSession.objects.create(
                    cashier=actor,
                    drawer=drawer_name[:30],
                    business_day=clock.today(),
                    opening_float=opening_float,
                )
        except IntegrityError:  # a second tab opened one at the same moment
            raise PaymentError("You already have an open drawer: close it before opening another.") from None
        audit_record(
            actor=actor, action="drawer.open", obj=session,
            after={"drawer": session.drawer, "opening_float": str(opening_float)},
        )  # fmt: skip
    return session


def open_session_of(user) -> DrawerSession | None:
    return DrawerSession.objects.filter(cashier=user, status=DrawerStatus.OPEN).first()


# --- posting a payment ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tender:
    kind: str  # TenderKind
    amount: Decimal
    check_number: str = ""
    card_brand: str = ""
    card_last_four: str = ""
    reference: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    """A payment as a channel hands it over: who pays which accounts how much, and how."""

    channel: str
    parts: Sequence[tuple[Account, Decimal]]  # the accounts paid and how much of the payment each gets
    tenders: Sequence[Tender]
    received_on: date | None = None  # default: today
    cash_tendered: Decimal | None = None  # cash handed over (change is computed from it)
    reference: str = ""
    idempotency_key: str | None = None
    fingerprint: str = ""  # of the request the key came with
    note: str = ""
    extra_audit: dict = field(default_factory=dict)


def fingerprint(body: dict) -> str:
    """A stable digest of a request body, so a retried key can be compared with its first request."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def cash_only_accounts(account_ids, on: date) -> set[int]:
    """The accounts among these whose checks the district refuses (a cash-only flag in force on `on`)."""
    flags = AccountFlag.objects.filter(account_id__in=list(account_ids), kind=FlagKind.CASH_ONLY)
    return {f.account_id for f in flags if f.is_in_force(on)}


def _check_request(request: PaymentRequest) -> tuple[Decimal, Decimal]:
    """(the payment's amount, the change due) or PaymentError naming the field."""
    if request.channel not in Channel.values:
        raise PaymentError(f"Unknown channel {request.channel!r}.", "channel")
    if not request.parts:
        raise PaymentError("Name the account to pay.", "account")
    if not request.tenders:
        raise PaymentError("Give at least one tender.", "tender")
    customers = {account.customer_id for account, _ in request.parts}
    if len(customers) > 1:
        raise PaymentError("One payment pays accounts of one customer only.", "account")
    for account, amount in request.parts:
        if not is_cents(amount) or amount <= 0 or amount > LARGEST_AMOUNT:
            raise PaymentError(f"Account {account.number}: an amount more than zero, to the cent.", "amount")
    total = sum((amount for _, amount in request.parts), ZERO)
    try:
        application.split_payment(total, [(a.pk, amount) for a, amount in request.parts])
    except application.ApplicationError as e:
        raise PaymentError(str(e), "account") from None
    tendered = ZERO
    for tender in request.tenders:
        if tender.kind not in TenderKind.values:
            raise PaymentError(f"Unknown tender {tender.kind!r}.", "tender")
        if not is_cents(tender.amount) or tender.amount <= 0:
            raise PaymentError(
                f"{TenderKind(tender.kind).label}: an amount more than zero, to the cent.", "tender"
            )
        if tender.kind == TenderKind.CHECK and not tender.check_number.strip():
            raise PaymentError("A check needs its check number.", "check_number")
        if tender.kind == TenderKind.CARD:
            if not (len(tender.card_last_four) == 4 and tender.card_last_four.isdigit()):
                raise PaymentError("A card needs its last four digits (and nothing more).", "card_last_four")
            if not tender.reference.strip():
                raise PaymentError("A card needs the processor's reference.", "reference")
        tendered += tender.amount
    if tendered != total:
        raise PaymentError(
            f"The tenders add up to ${tendered:,.2f}, not the ${total:,.2f} paid to the accounts.", "tender"
        )
    cash = sum((t.amount for t in request.tenders if t.kind == TenderKind.CASH), ZERO)
    change = ZERO
    if request.cash_tendered is not None:
        if cash == 0:
            raise PaymentError("Cash received is given only with a cash tender.", "cash_tendered")
        if not is_cents(request.cash_tendered) or request.cash_tendered < cash:
            raise PaymentError(
                f"Cash received must be at least the ${cash:,.2f} paid in cash.", "cash_tendered"
            )
        change = request.cash_tendered - cash
    drawer_channel = request.channel in DRAWER_CHANNELS
    if drawer_channel and any(t.kind == TenderKind.ELECTRONIC for t in request.tenders):
        raise PaymentError("An electronic payment does not come through a drawer.", "tender")
    if not drawer_channel and any(t.kind in (TenderKind.CASH,) for t in request.tenders):
        raise PaymentError("Cash is taken only in a drawer session.", "tender")
    return total, change


def _existing(request: PaymentRequest) -> Payment | None:
    if not request.idempotency_key:
        return None
    payment = Payment.objects.filter(idempotency_key=request.idempotency_key).first()
    if payment is not None and payment.request_fingerprint != request.fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was used with a different request.", "Idempotency-Key"
        )
    return payment


# Who posts by channel: a drawer's cashier; autopay whoever writes the NACHA file (the debits it sends are
# posted with it); the processor and the IVR (the API) by default.
_POST_PERMISSION = {
    **{channel.value: "payments.use_drawer" for channel in DRAWER_CHANNELS},
    Channel.AUTOPAY.value: "payments.export_autopay",
}


def payment_post(
    *, actor, request: PaymentRequest, session: DrawerSession | None = None
) -> tuple[Payment, bool]:
    """Post a payment: (the payment, True) when posted now; (the payment posted before under the same
    Idempotency-Key, False) for a retry. Drawer channels need the actor's open session; the others none."""
    require(actor, _POST_PERMISSION.get(request.channel, "payments.post_remote_payment"))
    total, change = _check_request(request)
    # The key is checked by the database, not read first (posting is the busy path; a retry is rare): the
    # payment's insert refuses a key used before, and so does a concurrent request's that committed first.
    # A retry refused for another reason (its drawer closed since) is answered with its payment too.
    try:
        with transaction.atomic():
            payment = _post(actor, request, session, total, change)
            amounts: dict[int, Decimal] = {}
            for part in payment.posted_parts:
                amounts[part.account_id] = amounts.get(part.account_id, ZERO) + part.amount
            payment_posted.send(
                sender=Payment, actor=actor, payment=payment, account_ids=sorted(amounts), amounts=amounts,
                on=payment.received_on,
            )  # fmt: skip
            return payment, True
    except (IntegrityError, PaymentError):
        already = _existing(request)
        if already is None:
            raise
        return already, False


def _post(actor, request: PaymentRequest, session, total: Decimal, change: Decimal) -> Payment:
    on = request.received_on or clock.today()
    session_id = None
    if request.channel in DRAWER_CHANNELS:
        if session is None:
            raise PaymentError("Open a drawer before taking payments.", "session")
        status, cashier_id = (
            DrawerSession.objects.select_for_update()
            .filter(pk=session.pk)
            .values_list("status", "cashier_id")
            .get()
        )
        if status != DrawerStatus.OPEN:
            raise PaymentError("This drawer is closed: it takes no more payments.", "session")
        if cashier_id != actor.pk:
            raise PaymentError("Payments go into your own drawer.", "session")
        session_id = session.pk
    customers = posting.lock_accounts(a.pk for a, _ in request.parts)
    numbers = {a.pk: a.number for a, _ in request.parts}
    missing = sorted(set(numbers) - set(customers))
    if missing:
        raise PaymentError(f"There is no account {numbers[missing[0]]}.", "account")
    if any(t.kind == TenderKind.CHECK for t in request.tenders):
        cash_only = cash_only_accounts(customers, on)
        if cash_only:
            listed = ", ".join(numbers[pk] for pk in sorted(cash_only))
            raise PaymentError(
                f"Account {listed} is cash only after returned payments: take cash, a money order or a card, "
                "not a check.",
                "tender",
            )
    # The payment's id first: its entry names it, and it is written once, entry and all (no update after).
    payment_id, entry_id = reserve_one_each(Payment, JournalEntry)
    receipt = f"R{payment_id:08d}"
    chart = posting.chart()
    codes = chart.codes
    receivable = codes[GLRole.RECEIVABLE]
    debits: dict[str, Decimal] = {}
    for t in request.tenders:
        code = chart.code(posting.tender_gl(request.channel, t.kind))
        debits[code] = debits.get(code, ZERO) + t.amount
    postings = [ledger.Posting(code, amount) for code, amount in debits.items()]
    kinds = chart.priority
    found = posting.open_charges(sorted(customers), chart)
    parts = []
    for account, amount in sorted(request.parts, key=lambda p: p[0].pk):
        charges, balance = found[account.pk]
        applied = application.apply_payment(amount, charges, kinds)
        parts.append(PaymentPart(payment_id=payment_id, account_id=account.pk, amount=amount, credit=applied.credit,
                                 balance_after=balance - amount, applied=posting.allocations(applied)))  # fmt: skip
        postings.append(ledger.Posting(receivable, -amount, account.pk, f"Payment {receipt}"))
    channel = Channel(request.channel).label
    # The accounts are locked above (the one lock order), so the entry is written as a batch of one rather
    # than through journal_post, which would lock them again; the audit below names each account paid.
    draft = ledger.EntryDraft(on, f"Payment {receipt} ({channel.lower()})", posting.PAYMENT, payment_id,
                              tuple(postings), request.note or channel)  # fmt: skip
    rows = ledger.journal_rows(actor=actor, drafts=[draft], chart=chart.accounts, ids=[entry_id])
    payment = Payment(
        pk=payment_id, customer_id=customers[parts[0].account_id], channel=request.channel, session_id=session_id,
        received_on=on, amount=total, status=PaymentStatus.POSTED, cash_tendered=request.cash_tendered,
        change_given=change, reference=request.reference[:60], idempotency_key=request.idempotency_key or None,
        request_fingerprint=request.fingerprint, entry_id=rows.entry_ids[0], reversal_entry_id=None,
        posted_by_id=actor.pk, posted_at=timezone.now(), ended_by_id=None, ended_at=None, ended_reason="",
    )  # fmt: skip
    after = {
        "amount": str(total), "channel": request.channel, "entry": rows.entry_ids[0],
        "accounts": {numbers[p.account_id]: str(p.amount) for p in parts},
        "tenders": [t.kind for t in request.tenders], "change": str(change), **request.extra_audit,
    }  # fmt: skip
    audits = [
        audit_event(actor=actor, action="payment.post", obj=payment, account_id=p.account_id, reason=request.note,
                    after={**after, "paid": str(p.amount)})
        for p in parts
    ]  # fmt: skip
    # Entry, lines, payment, tenders, parts and audit in one go (one round trip on PostgreSQL).
    insert_tables(
        *ledger.journal_writes(rows),
        (Payment, posting.PAYMENT_COLUMNS, [[getattr(payment, c) for c in posting.PAYMENT_COLUMNS]]),
        (PaymentTender, posting.TENDER_COLUMNS,
         [(payment_id, t.kind, t.amount, t.check_number.strip()[:20], t.card_brand.strip()[:20], t.card_last_four,
           t.reference.strip()[:60]) for t in request.tenders]),
        (PaymentPart, posting.PART_COLUMNS,
         [(p.payment_id, p.account_id, p.amount, json.dumps(p.applied), p.credit, p.balance_after) for p in parts]),
        (AuditEvent, AUDIT_COLUMNS, audit_rows(audits)),
    )  # fmt: skip
    payment._state.adding, payment._state.db = False, "default"  # written: the caller may save or refresh it
    payment.posted_parts = parts  # what was applied where, without reading it back
    return payment


# --- voids and reversals ----------------------------------------------------------------------------------


def _end(actor, payment: Payment, reason: str, status: str, action: str, on: date | None = None) -> Payment:
    reversal = ledger.journal_reverse(actor=actor, entry=payment.entry, reason=reason, entry_date=on)
    before = {"status": payment.status}
    payment.status, payment.reversal_entry = status, reversal
    payment.ended_by, payment.ended_at, payment.ended_reason = actor, timezone.now(), reason.strip()[:200]
    payment.save(update_fields=["status", "reversal_entry", "ended_by", "ended_at", "ended_reason"])
    for part in payment.parts.all():
        audit_record(
            actor=actor, action=action, obj=payment, account_id=part.account_id, reason=reason, before=before,
            after={"status": status, "amount": str(part.amount), "reversal": reversal.pk},
        )  # fmt: skip
    return payment


def _locked_payment(payment: Payment) -> Payment:
    """The payment locked, its accounts locked first (the one lock order)."""
    account_ids = list(PaymentPart.objects.filter(payment_id=payment.pk).values_list("account_id", flat=True))
    accounts_lock(account_ids)
    return (
        Payment.objects.select_for_update(of=("self",)).select_related("entry", "session").get(pk=payment.pk)
    )


def payment_void(*, actor, payment: Payment, reason: str) -> Payment:
    """Void a payment in its own open drawer session (the cashier's slip): its entry reversed the same day."""
    require(actor, "payments.use_drawer")
    if not reason.strip():
        raise PaymentError("Say why the payment is voided.", "reason")
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != PaymentStatus.POSTED:
            raise PaymentError(f"This payment is already {payment.get_status_display().lower()}.")
        session = payment.session
        if session is None or session.status != DrawerStatus.OPEN:
            raise PaymentError(
                "Only a payment in a drawer that is still open is voided; a lead reverses it after the close."
            )
        if session.cashier_id != actor.pk and not actor.has_perm("payments.audit_drawer"):
            raise PermissionDenied("Only the drawer's cashier or a lead voids its payments.")
        return _end(actor, payment, reason, PaymentStatus.VOIDED, "payment.void", on=payment.received_on)


def payment_reverse(*, actor, payment: Payment, reason: str) -> Payment:
    """A lead reverses a payment whose drawer has closed (or one that came by another channel): a reversing
    entry dated today, within the lead's payment-void authority."""
    require(actor, "payments.reverse_payment")
    if not reason.strip():
        raise PaymentError("Say why the payment is reversed.", "reason")
    limit = authority_limit(user=actor, kind="payment_void")
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != PaymentStatus.POSTED:
            raise PaymentError(f"This payment is already {payment.get_status_display().lower()}.")
        if payment.session is not None and payment.session.status == DrawerStatus.OPEN:
            raise PaymentError("Its drawer is still open: the cashier voids it there.")
        if payment.amount > limit:
            raise PaymentError(
                f"${payment.amount:,.2f} is over your payment reversal limit of ${limit:,.2f}.", "amount"
            )
        return _end(actor, payment, reason, PaymentStatus.REVERSED, "payment.reverse", on=clock.today())


# --- the close and the audit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawerFigures:
    """What a drawer session took, per tender (the X report; at the close, the expected side)."""

    opening_float: Decimal
    by_tender: dict[str, Decimal]  # TenderKind -> taken in posted payments
    change_given: Decimal
    payments: int
    voided: int
    voided_amount: Decimal

    @property
    def expected_cash(self) -> Decimal:
        return self.by_tender.get(TenderKind.CASH, ZERO)

    @property
    def expected_checks(self) -> Decimal:
        return self.by_tender.get(TenderKind.CHECK, ZERO) + self.by_tender.get(TenderKind.MONEY_ORDER, ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.by_tender.values(), ZERO)


def drawer_figures(session: DrawerSession) -> DrawerFigures:
    taken = dict.fromkeys(TenderKind.values, ZERO)
    change, posted, voided, voided_amount = ZERO, 0, 0, ZERO
    payments = Payment.objects.filter(session=session).prefetch_related("tenders")
    for payment in payments:
        if payment.status == PaymentStatus.VOIDED:
            voided += 1
            voided_amount += payment.amount
            continue
        posted += 1
        change += payment.change_given
        for t in payment.tenders.all():
            taken[t.kind] += t.amount
    return DrawerFigures(session.opening_float, taken, change, posted, voided, voided_amount)


def count_from_form(bills: dict, coins: dict, rolls: dict, checks: Sequence[Decimal]) -> drawer.BlindCount:
    return drawer.BlindCount(
        bills={int(k): int(v) for k, v in bills.items() if v},
        coins={Decimal(k): int(v) for k, v in coins.items() if v},
        rolls={Decimal(k): int(v) for k, v in rolls.items() if v},
        checks=tuple(checks),
    )


def drawer_close(*, actor, session: DrawerSession, count: drawer.BlindCount, note: str = "") -> DrawerSession:
    """Close the cashier's drawer with the blind count: the expected figures are computed only now, the
    variance (over positive) posted to cash over and short against undeposited funds."""
    require(actor, "payments.use_drawer")
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.status != DrawerStatus.OPEN:
            raise PaymentError("This drawer is already closed.")
        if session.cashier_id != actor.pk and not actor.has_perm("payments.audit_drawer"):
            raise PermissionDenied("Only the drawer's cashier or a lead closes it.")
        figures = drawer_figures(session)
        try:
            balance = drawer.balance_drawer(
                session.opening_float,
                {drawer.CASH: figures.expected_cash, drawer.CHECK: figures.expected_checks},
                count,
            )
        except drawer.CountError as e:
            raise PaymentError(str(e), "count") from None
        counted = {t.tender: t for t in balance.tenders}
        session.status, session.closed_at = DrawerStatus.CLOSED, timezone.now()
        session.count = {
            "bills": {str(k): v for k, v in count.bills.items()},
            "coins": {str(k): v for k, v in count.coins.items()},
            "rolls": {str(k): v for k, v in count.rolls.items()},
            "checks": [str(c) for c in count.checks],
        }
        session.counted_cash = counted[drawer.CASH].counted
        session.counted_checks = counted[drawer.CHECK].counted
        session.expected_cash, session.expected_checks = figures.expected_cash, figures.expected_checks
        session.variance = balance.variance
        session.variance_note = note.strip()[:300]
        if balance.variance != 0:
            over_short = ledger_selectors.gl_code(GLRole.CASH_OVER_SHORT)
            undeposited = ledger_selectors.gl_code(GLRole.UNDEPOSITED_FUNDS)
            word = "over" if balance.variance > 0 else "short"
            session.variance_entry = ledger.journal_post(
                actor=actor, entry_date=session.business_day, source_kind=DRAWER_VARIANCE, source_id=session.pk,
                memo=f"Drawer {session.drawer} {session.business_day:%m/%d/%Y} {word} ${abs(balance.variance):,.2f}",
                reason=note or f"Drawer {word}",
                postings=[
                    ledger.Posting(undeposited, balance.variance, description=f"Drawer {session.pk} count"),
                    ledger.Posting(over_short, -balance.variance, description=f"Drawer {session.pk} {word}"),
                ],
            )  # fmt: skip
        session.save()
        audit_record(
            actor=actor, action="drawer.close", obj=session, reason=note,
            after={
                "counted_cash": str(session.counted_cash), "counted_checks": str(session.counted_checks),
                "expected_cash": str(session.expected_cash), "expected_checks": str(session.expected_checks),
                "variance": str(session.variance),
            },
        )  # fmt: skip
    return session


def drawer_explain(*, actor, session: DrawerSession, note: str) -> DrawerSession:
    """The cashier's (or a lead's) note on a closed drawer's variance, before the audit."""
    require(actor, "payments.use_drawer")
    if not note.strip():
        raise PaymentError("Write the explanation.", "note")
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.status != DrawerStatus.CLOSED:
            raise PaymentError("Only a closed drawer waiting for its audit takes a note.")
        if session.cashier_id != actor.pk and not actor.has_perm("payments.audit_drawer"):
            raise PermissionDenied("Only the drawer's cashier or a lead explains its count.")
        before = {"variance_note": session.variance_note}
        session.variance_note = note.strip()[:300]
        session.save(update_fields=["variance_note"])
        audit_record(actor=actor, action="drawer.explain", obj=session, before=before,
                     after={"variance_note": session.variance_note}, reason=note)  # fmt: skip
    return session


def drawer_audit(*, actor, session: DrawerSession, note: str = "") -> DrawerSession:
    """A lead signs off a closed drawer: not their own; a variance needs an explanation first."""
    require(actor, "payments.audit_drawer")
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.status != DrawerStatus.CLOSED:
            raise PaymentError(
                "Only a closed drawer is audited." if session.status == DrawerStatus.OPEN
                else "This drawer is already audited."
            )  # fmt: skip
        if session.cashier_id == actor.pk:
            raise PaymentError("Someone other than the cashier audits a drawer.")
        if session.variance and not (session.variance_note or note.strip()):
            raise PaymentError(
                f"The drawer is {'over' if session.variance > 0 else 'short'} ${abs(session.variance):,.2f}: "
                "write what explains it.", "note",
            )  # fmt: skip
        session.status, session.audited_by, session.audited_at = DrawerStatus.AUDITED, actor, timezone.now()
        session.audit_note = note.strip()[:300]
        session.save(update_fields=["status", "audited_by", "audited_at", "audit_note"])
        audit_record(actor=actor, action="drawer.audit", obj=session, reason=note,
                     before={"status": DrawerStatus.CLOSED}, after={"status": DrawerStatus.AUDITED})  # fmt: skip
    return session


__all__ = [
    "DRAWER_TENDERS", "DrawerFigures", "IdempotencyConflict", "PaymentError", "PaymentRequest",
    "Tender", "drawer_audit", "drawer_close", "drawer_explain", "drawer_figures", "drawer_open", "fingerprint",
    "open_session_of", "payment_post", "payment_reverse", "payment_void",
]  # fmt: skip
