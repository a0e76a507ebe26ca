"""The bank: deposits of audited drawers, payments the bank returns unpaid (NSF checks, and ACH returns for
autopay), and refunds of credit balances through accounts payable. One transaction each, audited; whatever
writes to an account's receivable locks the accounts first (customers.accounts_lock, ascending id).

Where the money is, by GL role: a drawer's cash and checks sit in undeposited funds from the payment until
its deposit, which moves them to the bank (cash); a lockbox payment is in the bank at once; autopay sits in
ACH clearing. A returned payment takes the money out of wherever it is now (see `payment_return`).
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cistern.core import clock, csvsafe
from cistern.core.audit import audit_record
from cistern.core.bulk import reserve_ids
from cistern.core.money import CENT, ZERO, is_cents, money
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit, district_settings
from cistern.correspondence import merge
from cistern.correspondence import services as correspondence
from cistern.customers import services as customers
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole
from cistern.rates import selectors as rates_selectors
from cistern.rates.models import FeeKind

from . import drawer, letters, slips
from .models import (
    BankDeposit,
    Channel,
    DrawerSession,
    DrawerStatus,
    Payment,
    PaymentPart,
    PaymentReturn,
    PaymentStatus,
    Refund,
    RefundStatus,
    ReturnKind,
    TenderKind,
)
from .services import PaymentError

BANK_DEPOSIT = "bank_deposit"  # source id: the deposit
RETURN_FROM_BANK = (
    "payment_return"  # a returned deposited check taken back by the bank (source id: the return)
)
RETURNED_PAYMENT_FEE = "returned_payment_fee"  # source id: the return
REFUND = "refund"  # an approved refund (source id: the refund)

PAPER = (TenderKind.CHECK, TenderKind.MONEY_ORDER)  # what a deposit lists item by item


# --- the cash of a deposit, by denomination (pure) ----------------------------------------------------------


@dataclass(frozen=True)
class CashSplit:
    """A drawer's cash split into what goes to the bank and what stays as the float, by denomination:
    {"bills": {"100": 3}, "coins": {"0.25": 4}, "rolls": {"0.25": 1}} each."""

    deposit: dict
    kept: dict


def _pieces(count: Mapping) -> list[tuple[str, str, int, int]]:
    """(group, denomination, value in cents, pieces) of a drawer count as the close stores it, largest first."""
    found = []
    for value, pieces in (count.get("bills") or {}).items():
        found.append(("bills", str(int(value)), int(value) * 100, int(pieces)))
    for value, pieces in (count.get("coins") or {}).items():
        found.append(("coins", str(Decimal(value)), int(Decimal(value) * 100), int(pieces)))
    for value, pieces in (count.get("rolls") or {}).items():
        coin = Decimal(value)
        found.append(("rolls", str(coin), int(coin * 100) * drawer.COINS_PER_ROLL[coin], int(pieces)))
    return sorted((p for p in found if p[3] > 0), key=lambda p: (-p[2], p[0]))


def _reachable(pieces: Sequence[tuple[str, str, int, int]], limit: int) -> int:
    """A bitset of the amounts (cents, up to `limit`) that some of `pieces` make exactly."""
    reach, mask = 1, (1 << (limit + 1)) - 1
    for _, _, value, count in pieces:
        chunk, left = 1, count
        while left > 0:  # bounded knapsack by binary splitting: 1, 2, 4 ... pieces at a time
            take = min(chunk, left)
            reach = (reach | (reach << (value * take))) & mask
            left -= take
            chunk *= 2
    return reach


def split_cash(count: Mapping, opening_float: Decimal) -> CashSplit | None:
    """The drawer's cash less its float, by denomination, or None when no set of its pieces makes the float
    exactly (then the deposit states that drawer's cash as a total only).

    The rule: the largest notes go to the bank and the float stays in the drawer in the smallest pieces that
    make it exactly, since the float is there to make change (coins and small bills). Denominations are
    taken largest first, each as many as can go while what is left of the deposit can still be made exactly
    from the smaller ones; so the split is exact whenever any exact split exists."""
    pieces = _pieces(count)
    total = sum(value * n for _, _, value, n in pieces)
    keep = int(money(opening_float) * 100)
    target = total - keep
    if target < 0:
        return None
    # suffix[i]: what pieces[i:] can make exactly.
    suffix = [0] * (len(pieces) + 1)
    suffix[len(pieces)] = 1
    for i in range(len(pieces) - 1, -1, -1):
        suffix[i] = _reachable(pieces[i:], target)
    if not (suffix[0] >> target) & 1:
        return None
    deposit: dict = {"bills": {}, "coins": {}, "rolls": {}}
    kept: dict = {"bills": {}, "coins": {}, "rolls": {}}
    left = target
    for i, (group, denomination, value, n) in enumerate(pieces):
        for k in range(min(n, left // value), -1, -1):
            if (suffix[i + 1] >> (left - k * value)) & 1:
                break
        if k:
            deposit[group][denomination] = k
        if n - k:
            kept[group][denomination] = n - k
        left -= k * value
    return CashSplit(deposit, kept)


def add_denominations(into: dict, more: Mapping) -> dict:
    for group in ("bills", "coins", "rolls"):
        for denomination, n in (more.get(group) or {}).items():
            into.setdefault(group, {})
            into[group][denomination] = into[group].get(denomination, 0) + n
    return into


def denomination_lines(denominations: Mapping) -> list[tuple[str, int, Decimal]]:
    """(label, pieces, amount) for a slip or a page, largest first: "$20 bills", "Quarters (rolls)"."""
    coin_names = {"1.00": "Dollar coins", "0.50": "Half dollars", "0.25": "Quarters", "0.10": "Dimes",
                  "0.05": "Nickels", "0.01": "Pennies"}  # fmt: skip
    lines = []
    for value, n in sorted((denominations.get("bills") or {}).items(), key=lambda i: -int(i[0])):
        lines.append((f"${value} bills", n, Decimal(value) * n))
    for value, n in sorted((denominations.get("coins") or {}).items(), key=lambda i: -Decimal(i[0])):
        lines.append((coin_names.get(value, f"{value} coins"), n, Decimal(value) * n))
    for value, n in sorted((denominations.get("rolls") or {}).items(), key=lambda i: -Decimal(i[0])):
        coin = Decimal(value)
        name = coin_names.get(value, f"{value} coins")
        lines.append(
            (f"{name}, rolls of {drawer.COINS_PER_ROLL[coin]}", n, coin * drawer.COINS_PER_ROLL[coin] * n)
        )
    return [(label, n, money(amount)) for label, n, amount in lines]


# --- bank deposits ------------------------------------------------------------------------------------------


def sessions_to_deposit():
    """Closed, audited drawer sessions whose money has not gone to the bank yet, oldest first."""
    return (
        DrawerSession.objects.filter(status=DrawerStatus.AUDITED, deposit__isnull=True)
        .select_related("cashier", "audited_by")
        .order_by("business_day", "id")
    )


def _session_checks(session: DrawerSession) -> tuple[list[dict], Decimal]:
    """The checks and money orders of a session the bank gets, and their total: each tender of its payments
    (not voided: a void hands the check back; not returned before the deposit: the check went back to the
    customer), as counted at the close. When the tenders do not add up to the count (a check variance the
    lead accepted), the count's own amounts are listed instead, so the slip lists what is in the bag."""
    payments = (
        Payment.objects.filter(session=session)
        .exclude(status__in=[PaymentStatus.VOIDED, PaymentStatus.RETURNED])
        .prefetch_related("tenders", "parts__account")
        .order_by("id")
    )
    items = []
    for payment in payments:
        accounts = ", ".join(p.account.number for p in payment.parts.all())
        for tender in payment.tenders.all():
            if tender.kind in PAPER:
                items.append({
                    "kind": tender.kind, "number": tender.check_number, "amount": str(tender.amount),
                    "payment": payment.pk, "receipt": payment.receipt_number, "account": accounts,
                    "session": session.pk,
                })  # fmt: skip
    returned = sum(
        (t.amount for p in Payment.objects.filter(session=session, status=PaymentStatus.RETURNED)
         .prefetch_related("tenders") for t in p.tenders.all() if t.kind in PAPER), ZERO,
    )  # fmt: skip
    counted = (session.counted_checks or ZERO) - returned
    listed = sum((Decimal(i["amount"]) for i in items), ZERO)
    if listed != counted:
        counted_items = [Decimal(a) for a in (session.count or {}).get("checks", [])]
        if sum(counted_items, ZERO) == counted:
            items = [
                {"kind": "check", "number": "", "amount": str(a), "payment": None, "receipt": "", "account": "",
                 "session": session.pk, "as_counted": True}
                for a in counted_items
            ]  # fmt: skip
    return items, counted


def deposit_prepare(
    *, actor, sessions: Iterable[DrawerSession], deposit_date: date | None = None, bank_reference: str = ""
) -> BankDeposit:
    """One bank deposit of closed, audited drawer sessions not yet deposited: the cash each counted beyond its
    float (by denomination, see `split_cash`) and each check and money order, posted from undeposited funds
    to the bank. A session's undeposited funds are its counted cash and checks (its payments, and the
    variance posted at the close), less a check returned before the deposit; the deposit moves exactly that,
    so they are zero after it."""
    require(actor, "payments.prepare_deposit")
    on = deposit_date or clock.today()
    ids = sorted({s.pk for s in sessions})
    if not ids:
        raise PaymentError("Pick the audited drawers that go in this deposit.", "sessions")
    with transaction.atomic():
        locked = list(DrawerSession.objects.select_for_update().filter(pk__in=ids).order_by("id"))
        if len(locked) != len(ids):
            raise PaymentError("A drawer picked no longer exists.", "sessions")
        denominations: dict = {"bills": {}, "coins": {}, "rolls": {}}
        not_itemised: list[dict] = []
        checks: list[dict] = []
        cash_total = check_total = ZERO
        for session in locked:
            name = f"Drawer {session.drawer} of {session.business_day:%m/%d/%Y}"
            if session.deposit_id is not None:
                raise PaymentError(f"{name} is already in deposit {session.deposit_id}.", "sessions")
            if session.status != DrawerStatus.AUDITED:
                raise PaymentError(
                    f"{name} is not audited yet: a lead audits it before it is deposited.", "sessions"
                )
            if on < session.business_day:
                raise PaymentError(
                    f"{name} closed after {on:%m/%d/%Y}: date the deposit on or after it.", "deposit_date"
                )
            cash = session.counted_cash or ZERO
            if cash < 0:
                raise PaymentError(
                    f"{name} counted ${-cash:,.2f} less than its float: make up the float before depositing.",
                    "sessions",
                )  # fmt: skip
            split = split_cash(session.count or {}, session.opening_float)
            if split is not None:
                add_denominations(denominations, split.deposit)
            elif cash:
                not_itemised.append({"session": session.pk, "drawer": session.drawer, "amount": str(cash)})
            items, counted_checks = _session_checks(session)
            checks += items
            cash_total += cash
            check_total += counted_checks
        total = cash_total + check_total
        if total <= 0:
            raise PaymentError("These drawers hold nothing to deposit.", "sessions")
        denominations["not_itemised"] = not_itemised
        (deposit_id,) = reserve_ids(BankDeposit, 1)  # the entry names the deposit, which names the entry
        drawers = ", ".join(str(s.pk) for s in locked)
        entry = ledger.journal_post(
            actor=actor, entry_date=on, memo=f"Bank deposit {deposit_id} (drawers {drawers})"[:200],
            source_kind=BANK_DEPOSIT, source_id=deposit_id, reason="Bank deposit",
            postings=[
                ledger.Posting(ledger_selectors.gl_code(GLRole.CASH), total, description=f"Deposit {deposit_id}"),
                ledger.Posting(ledger_selectors.gl_code(GLRole.UNDEPOSITED_FUNDS), -total,
                               description=f"Deposit {deposit_id}"),
            ],
        )  # fmt: skip
        deposit = BankDeposit.objects.create(
            id=deposit_id, deposit_date=on, cash_total=cash_total, check_total=check_total, total=total,
            denominations=denominations, checks=checks, bank_reference=bank_reference.strip()[:60], entry=entry,
            prepared_by=actor,
        )  # fmt: skip
        DrawerSession.objects.filter(pk__in=ids).update(deposit=deposit)
        audit_record(
            actor=actor, action="deposit.prepare", obj=deposit,
            after={"sessions": ids, "cash": str(cash_total), "checks": str(check_total), "total": str(total),
                   "check_count": len(checks), "entry": entry.pk},
        )  # fmt: skip
    return deposit


def deposit_slip(deposit: BankDeposit) -> slips.DepositSlip:
    """The slip's plain values from a deposit as it was recorded."""
    sessions = deposit.sessions.select_related("cashier").order_by("business_day", "id")
    kinds = dict(TenderKind.choices)
    return slips.DepositSlip(
        district_name=district_settings().name, deposit_number=deposit.pk, deposit_date=deposit.deposit_date,
        bank_reference=deposit.bank_reference,
        prepared_by=deposit.prepared_by.get_full_name() or deposit.prepared_by.username,
        drawers=tuple(
            f"{s.drawer}, {s.business_day:%m/%d/%Y} ({s.cashier.get_full_name() or s.cashier.username})"
            for s in sessions
        ),
        cash_lines=tuple(denomination_lines(deposit.denominations)),
        not_itemised=tuple(
            (item["drawer"], Decimal(item["amount"])) for item in deposit.denominations.get("not_itemised", [])
        ),
        checks=tuple(
            slips.SlipCheck(kinds.get(c["kind"], c["kind"]), c.get("number", ""), c.get("account", ""),
                            c.get("receipt", ""), Decimal(c["amount"]))
            for c in deposit.checks
        ),
        cash_total=deposit.cash_total, check_total=deposit.check_total, total=deposit.total,
    )  # fmt: skip


# --- returned payments ---------------------------------------------------------------------------------------


RETURN_REASONS = [  # (code, what the bank's notice says); the letter prints them in the customer's language
    "Insufficient funds",
    "Uncollected funds",
    "Account closed",
    "Payment stopped",
    "No account / unable to locate",
    "Account frozen",
    "Refer to maker",
    "Signature missing or not valid",
]


def returnable_payments(*, receipt: str = "", check_number: str = "", account: str = ""):
    """Posted payments paid by check that a lead may record as returned, found by receipt number, check
    number or account number (any of them; all given must match)."""
    found = Payment.objects.filter(status=PaymentStatus.POSTED, tenders__kind=TenderKind.CHECK)
    receipt = receipt.strip().upper().lstrip("R")
    if receipt:
        if not receipt.isdigit() or len(receipt) > 12:
            return Payment.objects.none()
        found = found.filter(pk=int(receipt))
    if check_number.strip():
        found = found.filter(tenders__check_number=check_number.strip()[:20])
    if account.strip():
        found = found.filter(parts__account__number=account.strip()[:8])
    return (
        found.distinct().select_related("customer", "session").prefetch_related("tenders", "parts__account")
    )


def _fee_amount(rule, payment: Payment) -> Decimal:
    if rule.kind == FeeKind.GREATER_OF and rule.percent:
        return max(rule.amount, money(payment.amount * rule.percent / 100))
    return rule.amount


def _fee_account(payment: Payment, parts: list[PaymentPart]) -> PaymentPart:
    """The account a returned payment's fee is charged to: the one the payment paid most (lowest id on a tie)."""
    return sorted(parts, key=lambda p: (-p.amount, p.account_id))[0]


def returns_in_year(account_ids: Iterable[int], on: date) -> int:
    """Payments returned in the 365 days up to `on` that paid any of these accounts."""
    return (
        PaymentReturn.objects.filter(
            payment__parts__account_id__in=list(account_ids), returned_on__gt=on - timedelta(days=365),
            returned_on__lte=on,
        )
        .values("pk")
        .distinct()
        .count()
    )  # fmt: skip


def payment_return(
    *, actor, payment: Payment, returned_on: date, reason: str, kind: str = ReturnKind.NSF_CHECK,
    reason_code: str = "", fee_code: str = "nsf",
) -> PaymentReturn:  # fmt: skip
    """Record a payment the bank returned unpaid: a check (kind nsf_check, every tender a check) or an ACH debit
    (kind ach: autopay and bank bill-pay). In one transaction:

    - the payment's entry is reversed, dated the return day (journal_reverse: the receivable lines come back
      paired with the ones they undo, so the charges the payment had paid are open again with their own due
      dates), and the payment is marked returned;
    - the accounting of the money side: journal_reverse credits where the payment debited (undeposited
      funds for a drawer's check, the bank for the lockbox, ACH clearing for autopay). A drawer's check that
      was already deposited is no longer in undeposited funds: the bank took it back out of the district's
      account. So a second entry (source "payment_return") moves the amount from the bank to undeposited
      funds: net, the receivable is debited and the bank credited, undeposited funds untouched. A check
      returned before its drawer was deposited simply leaves undeposited funds, and the deposit leaves it out;
    - the fee catalog's returned-payment fee (`fee_code`, "nsf") in force on the return day is charged,
      receivable against the fee's GL account, due that day, to the account the payment paid most (none when
      the catalog has no such fee);
    - after the district's number of returns in 12 months (settings: cash_only_after_returns, counting this
      one, on any account the payment paid) each account it paid is flagged cash-only for
      cash_only_months, through customers.flag_add; the counter then refuses checks for it;
    - the returned-payment letter (English or Spanish: the customer's preferred language) is rendered and
      kept on the return.
    """
    require(actor, "payments.record_return")
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Say why the bank returned it (the reason on its notice).", "reason")
    if kind not in ReturnKind.values:
        raise PaymentError(f"Unknown return kind {kind!r}.", "kind")
    if not isinstance(returned_on, date):
        raise PaymentError("Give the day the bank returned it.", "returned_on")
    with transaction.atomic():
        parts = list(PaymentPart.objects.filter(payment_id=payment.pk).order_by("account_id"))
        accounts = {a.pk: a for a in accounts_lock(p.account_id for p in parts)}
        payment = (
            Payment.objects.select_for_update(of=("self",))  # PostgreSQL locks no outer join's nullable side
            .select_related("entry", "session", "customer")
            .get(pk=payment.pk)
        )
        if payment.status != PaymentStatus.POSTED:
            raise PaymentError(f"Payment {payment.receipt_number} is {payment.get_status_display().lower()}.")
        tenders = list(payment.tenders.all())
        if kind == ReturnKind.NSF_CHECK:
            if not tenders or any(t.kind != TenderKind.CHECK for t in tenders):
                raise PaymentError(
                    f"Payment {payment.receipt_number} was not paid by check alone: a lead reverses it and "
                    "posts again what was paid another way.", "payment",
                )  # fmt: skip
        elif payment.channel not in (Channel.AUTOPAY, Channel.ACH):
            raise PaymentError(f"Payment {payment.receipt_number} did not come by ACH.", "payment")
        if returned_on < payment.received_on:
            raise PaymentError(
                f"It was received on {payment.received_on:%m/%d/%Y}: the return is on or after that day.",
                "returned_on",
            )  # fmt: skip
        if returned_on > clock.today():
            raise PaymentError("The return day is not in the future.", "returned_on")
        session = payment.session
        if session is not None and session.status == DrawerStatus.OPEN:
            raise PaymentError("Its drawer is still open: the cashier voids the payment there.", "payment")
        label = ReturnKind(kind).label
        why = f"{label}: {reason}"[:200]
        reversal = ledger.journal_reverse(
            actor=actor, entry=payment.entry, reason=why, entry_date=returned_on
        )
        before = {"status": payment.status}
        payment.status, payment.reversal_entry = PaymentStatus.RETURNED, reversal
        payment.ended_by, payment.ended_at, payment.ended_reason = actor, timezone.now(), why
        payment.save(update_fields=["status", "reversal_entry", "ended_by", "ended_at", "ended_reason"])
        returned = PaymentReturn.objects.create(
            payment=payment, kind=kind, returned_on=returned_on, reason_code=reason_code.strip()[:10],
            reason=reason[:200], letter_language=payment.customer.preferred_language or "en", recorded_by=actor,
        )  # fmt: skip
        if session is not None and session.deposit_id is not None:
            ledger.journal_post(
                actor=actor, entry_date=returned_on, source_kind=RETURN_FROM_BANK, source_id=returned.pk,
                memo=f"{label} {payment.receipt_number}: taken back by the bank (deposit {session.deposit_id})",
                reason=why,
                postings=[
                    ledger.Posting(ledger_selectors.gl_code(GLRole.UNDEPOSITED_FUNDS), payment.amount,
                                   description=f"{label} {payment.receipt_number}"),
                    ledger.Posting(ledger_selectors.gl_code(GLRole.CASH), -payment.amount,
                                   description=f"{label} {payment.receipt_number}"),
                ],
            )  # fmt: skip
        rule = rates_selectors.fee(fee_code, returned_on)
        fee = _fee_amount(rule, payment) if rule is not None else ZERO
        fee_part = _fee_account(payment, parts)
        if fee > 0:
            returned.fee_entry = ledger.journal_post(
                actor=actor, entry_date=returned_on, source_kind=RETURNED_PAYMENT_FEE, source_id=returned.pk,
                memo=f"{rule.name}: payment {payment.receipt_number}", reason=why,
                postings=[
                    ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), fee, fee_part.account_id,
                                   f"{rule.name} (payment {payment.receipt_number})", returned_on),
                    ledger.Posting(rule.gl_account, -fee, description=f"{rule.name} {payment.receipt_number}"),
                ],
            )  # fmt: skip
        cash_only_until = _cash_only(actor, accounts.values(), returned_on, payment)
        letter = return_letter(returned, payment, tenders, parts, accounts, fee, rule, cash_only_until)
        issued = _issue_return_letter(actor, returned, letter, accounts[fee_part.account_id])
        returned.letter_pdf = correspondence.correspondence_pdf(issued)
        returned.save(update_fields=["fee_entry", "letter_pdf"])
        for part in parts:
            audit_record(
                actor=actor, action="payment.return", obj=payment, account_id=part.account_id, reason=why,
                before=before,
                after={"status": payment.status, "amount": str(part.amount), "returned_on": returned_on.isoformat(),
                       "kind": kind, "reason_code": returned.reason_code, "reversal": reversal.pk,
                       "fee": str(fee) if part is fee_part else "0.00",
                       "cash_only_until": cash_only_until.isoformat() if cash_only_until else None},
            )  # fmt: skip
    return returned


def return_letter(
    returned, payment, tenders, parts, accounts, fee, rule, cash_only_until
) -> letters.ReturnLetter:
    """The letter's plain values from the return and the district's settings."""
    district = district_settings()
    customer = payment.customer
    unit = f" {customer.mailing_unit}" if customer.mailing_unit else ""
    city = ", ".join(p for p in (district.city, f"{district.state} {district.zip_code}".strip()) if p)
    check = next((t.check_number for t in tenders if t.check_number), "")
    return letters.ReturnLetter(
        district_name=district.name, district_address=", ".join(p for p in (district.street, city) if p),
        district_phone=district.phone, letter_date=returned.returned_on, customer_name=customer.name,
        mailing_lines=(f"{customer.mailing_street}{unit}",
                       f"{customer.mailing_city}, {customer.mailing_state} {customer.mailing_zip}"),
        accounts=tuple(accounts[p.account_id].number for p in parts), kind=returned.kind,
        receipt=payment.receipt_number, check_number=check, amount=payment.amount, received_on=payment.received_on,
        returned_on=returned.returned_on, reason=returned.reason, reason_code=returned.reason_code,
        fee=fee, fee_name=rule.name if rule is not None and fee else "", cash_only_until=cash_only_until,
        language=returned.letter_language if returned.letter_language in letters.LANGUAGES else "en",
    )  # fmt: skip


def _issue_return_letter(actor, returned: PaymentReturn, letter: letters.ReturnLetter, account: Account):
    """The returned-payment letter as the account's correspondence (template returned_check or returned_ach in
    the customer's language), addressed to the payment's customer, once per return (its key)."""
    customer = returned.payment.customer
    context = merge.account_context(account, returned.returned_on) | {
        "customer": {"name": customer.name, "email": customer.email, "language": customer.preferred_language},
        "payment": letters.merge_fields(letter),
    }
    request = correspondence.LetterRequest(
        template_code=letters.TEMPLATES[letter.kind], context=context, account_id=account.pk,
        recipient=correspondence.Recipient(name=customer.name, lines=letter.mailing_lines,
                                           zip_code=customer.mailing_zip, email=customer.email),
        language=letter.language, key=f"payment_return:{returned.pk}", source_kind="payment_return",
        source_id=returned.pk,
    )  # fmt: skip
    return correspondence.letter_issue(actor=actor, request=request, on=returned.returned_on)


def _cash_only(actor, accounts, on: date, payment: Payment) -> date | None:
    """Flag the accounts cash-only when this return makes the district's count in 12 months; the flag's last
    day, or None when this return does not make them cash-only."""
    settings = district_settings()
    after = settings.cash_only_after_returns
    if not after or returns_in_year([a.pk for a in accounts], on) < after:
        return None
    until = on + relativedelta(months=settings.cash_only_months) - timedelta(days=1)
    for account in accounts:
        flags = AccountFlag.objects.filter(account=account, kind=FlagKind.CASH_ONLY)
        if any(f.is_in_force(on) and (f.expires_on is None or f.expires_on >= until) for f in flags):
            continue  # already cash-only for at least as long
        customers.flag_add(
            actor=actor, account=account, kind=FlagKind.CASH_ONLY, starts_on=on, expires_on=until,
            reason=f"{after} returned payments in 12 months (last: {payment.receipt_number} on {on:%m/%d/%Y})",
        )  # fmt: skip
    return until


# --- refunds -------------------------------------------------------------------------------------------------


class RefundError(PaymentError):
    """A refund that cannot be asked for, decided or exported as asked."""


def account_credit(account: Account) -> Decimal:
    """The account's credit balance (positive), or zero when it owes or is even."""
    return max(-ledger_selectors.account_balance(account), ZERO)


def refund_request(
    *, actor, account: Account, reason: str, amount: Decimal | None = None, payee: str = "",
    mailing_address: str = "",
) -> Refund:  # fmt: skip
    """A clerk asks for a credit balance to be paid back: at most the credit (default: all of it); the payee
    and mailing address default to the customer's. It waits for a lead's approval; nothing is posted yet."""
    require(actor, "payments.add_refund")
    reason = (reason or "").strip()
    if not reason:
        raise RefundError("Say why the credit is refunded (e.g. account closed, overpayment).", "reason")
    with transaction.atomic():
        (account,) = accounts_lock([account.pk])
        account = Account.objects.select_related("customer").get(pk=account.pk)
        credit = account_credit(account)
        if credit <= 0:
            raise RefundError(f"Account {account.number} has no credit balance to refund.", "amount")
        amount = credit if amount is None else amount
        if not is_cents(amount) or amount <= 0:
            raise RefundError("The refund is an amount more than zero, to the cent.", "amount")
        if amount > credit:
            raise RefundError(
                f"${amount:,.2f} is more than the account's credit of ${credit:,.2f}.", "amount"
            )  # fmt: skip
        if Refund.objects.filter(account=account, status=RefundStatus.PENDING).exists():
            raise RefundError(
                f"Account {account.number} already has a refund waiting for approval.", "amount"
            )
        payee = (payee or "").strip() or account.customer.name
        address = (mailing_address or "").strip() or account.customer.mailing_address
        refund = Refund.objects.create(
            account=account, amount=amount, payee=payee[:120], mailing_address=address[:300], reason=reason[:200],
            requested_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="refund.request", obj=refund, account_id=account.pk, reason=reason,
            after={"amount": str(amount), "credit": str(credit), "payee": refund.payee,
                   "mailing_address": refund.mailing_address},
        )  # fmt: skip
    return refund


def refund_of_final_bill(*, actor, bill, entry_id: int) -> Refund:
    """The refund a final bill owes (the deposit not needed for its debt, and any credit balance), received
    from billing's `final_bill_refunded` inside the bill's transaction. The bill's settlement entry already moved
    it to refunds payable by the deposit rule, so it is approved by that rule (no lead decides an amount the
    rule fixed) and waits for the accounts-payable export like a refund a lead approved; the cheque goes to
    the customer's mailing address, the forwarding address when stop service took one."""
    account = Account.objects.select_related("customer").get(pk=bill.account_id)
    now = timezone.now()
    refund = Refund.objects.create(
        account=account, amount=bill.refund, payee=account.customer.name[:120],
        mailing_address=(account.forwarding_address or account.customer.mailing_address)[:300],
        reason=f"Final bill {bill.pk}: deposit and credit left over"[:200], status=RefundStatus.APPROVED,
        requested_by=actor, decided_by=actor, decided_at=now, decision_note="Fixed by the final bill's settlement",
        entry_id=entry_id,
    )  # fmt: skip
    audit_record(
        actor=actor, action="refund.final_bill", obj=refund, account_id=account.pk,
        reason=f"Final bill {bill.pk}",
        after={"amount": str(refund.amount), "status": refund.status, "entry": entry_id, "payee": refund.payee,
               "mailing_address": refund.mailing_address},
    )  # fmt: skip
    return refund


def refund_limit(user) -> Decimal:
    """A lead approves refunds up to their adjustment limit: a refund takes a credit off the account as a
    debit adjustment would (core.AuthorityLimit's kinds are fixed choices; a kind of its own would need a
    migration)."""
    return authority_limit(user=user, kind="adjustment")


def refunds_waiting_for(user):
    """Refunds this user may decide: waiting, not their own, within their limit."""
    limit = refund_limit(user)
    waiting = Refund.objects.filter(status=RefundStatus.PENDING).exclude(requested_by=user)
    if limit.is_finite():
        waiting = waiting.filter(amount__lte=limit)
    return waiting


def refund_decide(*, actor, refund: Refund, approve: bool, note: str = "") -> Refund:
    """A lead approves (the credit moves from the account's receivable to refunds payable) or rejects a
    waiting refund: not their own, within their adjustment limit, and only while the account still has the
    credit (a bill posted since may have used it)."""
    require(actor, "payments.approve_refund")
    note = (note or "").strip()
    with transaction.atomic():
        accounts_lock([refund.account_id])  # one lock order: the account, then the refund
        refund = Refund.objects.select_for_update().select_related("account").get(pk=refund.pk)
        if refund.status != RefundStatus.PENDING:
            raise RefundError(f"This refund is already {refund.get_status_display().lower()}.")
        if refund.requested_by_id == actor.pk:
            raise RefundError("Someone other than the requester approves a refund.")
        if not approve and not note:
            raise RefundError("Say why the refund is rejected.", "note")
        if approve:
            limit = refund_limit(actor)
            if refund.amount > limit:
                raise RefundError(f"${refund.amount:,.2f} is over your adjustment limit of ${limit:,.2f}.")
            credit = account_credit(refund.account)
            if refund.amount > credit:
                raise RefundError(
                    f"Account {refund.account.number} now has a credit of ${credit:,.2f}, less than the "
                    f"${refund.amount:,.2f} asked: reject this one and ask again."
                )  # fmt: skip
        before = {"status": refund.status}
        refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        refund.decided_by, refund.decided_at, refund.decision_note = actor, timezone.now(), note[:200]
        if approve:
            refund.entry = ledger.journal_post(
                actor=actor, entry_date=clock.today(), source_kind=REFUND, source_id=refund.pk,
                memo=f"Refund to {refund.payee} (account {refund.account.number})"[:200], reason=refund.reason,
                postings=[
                    ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), refund.amount, refund.account_id,
                                   f"Refund: {refund.reason}"[:200]),
                    ledger.Posting(ledger_selectors.gl_code(GLRole.REFUNDS_PAYABLE), -refund.amount,
                                   description=f"Refund {refund.pk} to account {refund.account.number}"),
                ],
            )  # fmt: skip
        refund.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "entry"])
        audit_record(
            actor=actor, action="refund.approve" if approve else "refund.reject", obj=refund,
            account_id=refund.account_id, reason=note, before=before,
            after={"status": refund.status, "entry": refund.entry_id},
        )  # fmt: skip
    return refund


EXPORT_COLUMNS = ["payee", "mailing_address", "amount", "account", "reason", "refund_id", "approved_on"]


def refunds_csv(refunds: Iterable[Refund]) -> str:
    """The accounts-payable file: one row a refund, text cells neutralised against formulas (csvsafe)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in refunds:
        decided = timezone.localtime(r.decided_at).date().isoformat() if r.decided_at else ""
        writer.writerow([r.payee, r.mailing_address, r.amount, r.account.number, r.reason, r.pk, decided])
    return out.getvalue()


def refunds_export(*, actor) -> tuple[str, str, Decimal]:
    """Approved refunds not yet sent, as one batch for accounts payable: (batch name, CSV, total). They are marked
    exported in the same transaction; the batch's file can be fetched again (refunds_of_batch)."""
    require(actor, "payments.export_refunds")
    _withdraw_reversed_refunds(actor)
    with transaction.atomic():
        refunds = list(
            Refund.objects.select_for_update()
            .filter(status=RefundStatus.APPROVED, exported_at__isnull=True)
            .order_by("id")
        )
        if not refunds:
            raise RefundError("No approved refund waits to be sent to accounts payable.")
        now = timezone.now()
        batch = f"AP-{timezone.localtime(now):%Y%m%d-%H%M%S}-{refunds[0].pk}"
        Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(
            status=RefundStatus.EXPORTED, exported_at=now, export_batch=batch
        )
        total = sum((r.amount for r in refunds), ZERO)
        for r in refunds:
            audit_record(
                actor=actor, action="refund.export", obj=r, account_id=r.account_id,
                before={"status": RefundStatus.APPROVED}, after={"status": RefundStatus.EXPORTED, "batch": batch},
            )  # fmt: skip
        text = refunds_csv(refunds_of_batch(batch))
    return batch, text, total.quantize(CENT)


def _withdraw_reversed_refunds(actor) -> None:
    """Approved refunds whose entry has since been reversed (a final bill cancelled: its settlement, refund and
    all, undone) are not paid: each is set aside as rejected, with why, before an export."""
    with transaction.atomic():
        waiting = Refund.objects.select_for_update().filter(
            status=RefundStatus.APPROVED, exported_at__isnull=True, entry__reversed_by__isnull=False
        )
        for refund in waiting:
            refund.status, refund.decision_note = RefundStatus.REJECTED, "Its entry was reversed: nothing to pay"
            refund.save(update_fields=["status", "decision_note"])
            audit_record(
                actor=actor, action="refund.withdraw", obj=refund, account_id=refund.account_id,
                reason=refund.decision_note, before={"status": RefundStatus.APPROVED},
                after={"status": RefundStatus.REJECTED},
            )  # fmt: skip


def refunds_of_batch(batch: str):
    return Refund.objects.filter(export_batch=batch).select_related("account").order_by("id")


def export_batches():
    """The batches sent to accounts payable, newest first: (batch, refunds, total, exported at)."""
    rows = {}
    for r in Refund.objects.filter(~Q(export_batch="")).order_by("-exported_at", "id"):
        batch = rows.setdefault(r.export_batch, {"batch": r.export_batch, "count": 0, "total": ZERO,
                                                 "exported_at": r.exported_at})  # fmt: skip
        batch["count"] += 1
        batch["total"] += r.amount
    return list(rows.values())
