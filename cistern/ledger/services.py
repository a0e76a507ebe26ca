"""Writes to the ledger: post a balanced journal entry, reverse one, adjust an account (at once within the
actor's authority, else through a lead's approval). One transaction each, audited."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from cistern.core import clock
from cistern.core import selectors as core_selectors
from cistern.core.audit import audit_event, audit_record
from cistern.core.bulk import insert_rows, reserve_ids
from cistern.core.models import AuditEvent
from cistern.core.money import money
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit, district_settings
from cistern.customers.models import Account, AccountFlag, AccountStatus, FlagKind, OpeningBalance
from cistern.customers.services import accounts_lock
from cistern.rates import selectors as rates_selectors

from . import aging, good_payment, holds, late_fees, lockoffs, selectors
from .models import (
    PER_ACCOUNT_ROLES,
    Adjustment,
    AdjustmentReason,
    AdjustmentStatus,
    GLAccount,
    GLRole,
    InterestWaiver,
    JournalEntry,
    JournalLine,
)


class LedgerError(ValueError):
    pass


@dataclass(frozen=True)
class Posting:
    """One line to post: a GL account code, an amount (debit positive), and for receivable lines the customer
    account (and when the charge is due)."""

    gl_code: str
    amount: Decimal
    account_id: int | None = None
    description: str = ""
    due_date: date | None = None


def _check(postings: list[Posting], gl: dict[str, GLAccount]) -> None:
    if len(postings) < 2:
        raise LedgerError("A journal entry has at least two lines.")
    for posting in postings:
        account = gl.get(posting.gl_code)
        if account is None:
            raise LedgerError(f"No GL account {posting.gl_code}.")
        if money(posting.amount) != posting.amount or posting.amount == 0:
            raise LedgerError(
                f"{posting.gl_code}: {posting.amount} is not an amount in cents other than zero."
            )
        per_account = account.receivable or account.role in PER_ACCOUNT_ROLES
        if per_account and posting.account_id is None:
            role = account.get_role_display().lower()
            raise LedgerError(f"{account}: a {role} line names the customer account.")
        if not per_account and posting.account_id is not None:
            raise LedgerError(f"{account}: only receivable lines and deposits held name a customer account.")
    total = sum((p.amount for p in postings), Decimal("0.00"))
    if total != 0:
        raise LedgerError(f"The lines do not balance: debits and credits differ by {total}.")


def journal_post(
    *, actor, entry_date: date, memo: str, source_kind: str, source_id: int | None = None,
    postings: list[Posting], reason: str = "",
) -> JournalEntry:  # fmt: skip
    """Post a balanced entry. Callers check the actor's permission for what the entry is (a bill, a payment,
    an adjustment); the ledger checks the books. The customer accounts it posts to are locked first (one lock
    order: ascending id)."""
    with transaction.atomic():
        accounts_lock(p.account_id for p in postings if p.account_id)
        entry = _write(
            postings, actor=actor, entry_date=entry_date, memo=memo, source_kind=source_kind, source_id=source_id,
            reason=reason,
        )  # fmt: skip
        for account_id in sorted({p.account_id for p in postings if p.account_id}):
            owed = sum((p.amount for p in postings if p.account_id == account_id), Decimal("0.00"))
            audit_record(
                actor=actor, action="ledger.post", obj=entry, account_id=account_id, reason=reason,
                after={"memo": memo, "source": f"{source_kind} {source_id or ''}".strip(), "amount": str(owed)},
            )  # fmt: skip
        if not any(p.account_id for p in postings):
            audit_record(actor=actor, action="ledger.post", obj=entry, reason=reason, after={"memo": memo})
    return entry


def _write(postings: list[Posting], *, actor, reverses: JournalEntry | None = None, **fields) -> JournalEntry:
    """One entry and its lines, checked and written as a batch of one (SQLite has no trigger for the sum)."""
    draft = EntryDraft(postings=tuple(postings), reverses_id=reverses.pk if reverses else None, **fields)
    rows = journal_rows(actor=actor, drafts=[draft])
    journal_insert(rows)
    return JournalEntry.objects.get(pk=rows.entry_ids[0])


@dataclass(frozen=True)
class EntryDraft:
    entry_date: date
    memo: str
    source_kind: str
    source_id: int | None
    postings: tuple[Posting, ...]
    reason: str = ""
    reverses_id: int | None = None  # the entry this one reverses


@dataclass(frozen=True)
class JournalRows:
    """Checked entries as rows, their ids handed out: what journal_insert writes."""

    entry_ids: list[int]
    entries: list[tuple]
    lines: list[tuple]


ENTRY_COLUMNS = [
    "id", "entry_date", "memo", "source_kind", "source_id", "reason", "reverses_id", "created_by_id", "created_at",
]  # fmt: skip
LINE_COLUMNS = ["entry_id", "gl_account_id", "account_id", "amount", "description", "due_date"]


def journal_rows(
    *,
    actor,
    drafts: list[EntryDraft],
    chart: dict[str, GLAccount] | None = None,
    ids: list[int] | None = None,
) -> JournalRows:
    """Check each draft as `journal_post` checks one and make its rows (a bill run prepares the next batch's
    rows while the last batch commits). `chart` ({code: GL account}) and `ids` (the entries' ids, reserved) are
    given by a caller that has them already (a payment reads the chart for its GL roles, and reserves its entry's
    id with its own); else they are read here."""
    if chart is None:
        codes = {p.gl_code for draft in drafts for p in draft.postings}
        chart = {a.code: a for a in GLAccount.objects.filter(code__in=codes)}
    gl = chart
    for draft in drafts:
        _check(list(draft.postings), gl)
    now = timezone.now()
    ids = ids if ids is not None else reserve_ids(JournalEntry, len(drafts))
    entries = [
        (
            pk,
            d.entry_date,
            d.memo[:200],
            d.source_kind,
            d.source_id,
            d.reason[:200],
            d.reverses_id,
            actor.pk,
            now,
        )
        for pk, d in zip(ids, drafts, strict=True)
    ]
    lines = [
        (entry_id, gl[p.gl_code].pk, p.account_id, p.amount, p.description[:200], p.due_date)
        for entry_id, draft in zip(ids, drafts, strict=True)
        for p in draft.postings
    ]
    return JournalRows(ids, entries, lines)


def journal_insert(rows: JournalRows) -> None:
    """Write checked rows; the caller holds the transaction and audits what they are."""
    insert_rows(JournalEntry, ENTRY_COLUMNS, rows.entries)
    insert_rows(JournalLine, LINE_COLUMNS, rows.lines)


def journal_writes(rows: JournalRows) -> list[tuple]:
    """Checked rows as `core.bulk.insert_tables` writes them, for a caller that writes its own rows with
    them in one go (a payment)."""
    return [(JournalEntry, ENTRY_COLUMNS, rows.entries), (JournalLine, LINE_COLUMNS, rows.lines)]


def journal_post_batch(*, actor, drafts: list[EntryDraft]) -> list[int]:
    """Many balanced entries in a few statements, in one transaction. The caller audits the batch as a whole.
    Returns the entries' ids. It takes no account locks: a bill run posts its batches under the run row's
    lock, and its accounts are not posted to by anything else while a batch is written (a final bill or a
    rebill that calls this holds its account's lock itself, from `accounts_lock`)."""
    if not drafts:
        return []
    with transaction.atomic():  # all or nothing, and on SQLite ids are handed out under the write lock
        rows = journal_rows(actor=actor, drafts=drafts)
        journal_insert(rows)
    return rows.entry_ids


def journal_reverse(
    *, actor, entry: JournalEntry, reason: str, entry_date: date | None = None
) -> JournalEntry:
    """A reversing entry: every line negated, pointing at the original. An entry is reversed once."""
    if not reason.strip():
        raise LedgerError("Say why the entry is reversed.")
    if entry.reverses_id is not None:
        raise LedgerError("A reversing entry is not reversed; post a new entry instead.")
    with transaction.atomic():
        lines = list(entry.lines.select_related("gl_account"))
        accounts_lock(line.account_id for line in lines if line.account_id)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise LedgerError(f"Journal entry {entry.pk} is already reversed.")
        postings = [
            Posting(line.gl_account.code, -line.amount, line.account_id, line.description, line.due_date)
            for line in lines
        ]
        reversal = _write(
            postings, actor=actor, entry_date=entry_date or entry.entry_date,
            memo=f"Reversal of JE {entry.pk}: {entry.memo}", source_kind=entry.source_kind, source_id=entry.source_id,
            reverses=entry, reason=reason,
        )  # fmt: skip
        for account_id in sorted({p.account_id for p in postings if p.account_id}):
            audit_record(
                actor=actor, action="ledger.reverse", obj=reversal, account_id=account_id, reason=reason,
                before={"entry": entry.pk}, after={"reversal": reversal.pk},
            )  # fmt: skip
    return reversal


# --- start charges, deposits held, opening balances ----------------------------------------------------------

# Source kinds of the entries below, and what their source id names:
START_CHARGES = "start_charges"  # a new account's deposit and set-up fee (the account)
DEPOSIT_TRANSFER = "deposit_transfer"  # the deposit moved by a transfer (the new account)
DEPOSIT_CREDIT_BACK = "deposit_credit_back"  # the deposit credited back after good payment (the account)
OPENING_BALANCE = "opening_balance"  # a balance converted from the previous system (the OpeningBalance row)


def _posted(source_kind: str, source_id: int) -> JournalEntry | None:
    entries = JournalEntry.objects.filter(source_kind=source_kind, source_id=source_id, reverses__isnull=True)
    return entries.first()


def _start_charges(account, on: date, receivable: str) -> tuple[list[Posting], list[str]]:
    """The postings of an account's start charges and the words for its memo (none when it owes neither)."""
    deposit, fee = money(account.deposit_amount), money(account.setup_fee_amount)
    postings, said = [], []
    if deposit:
        postings += [
            Posting(receivable, deposit, account.pk, "Guarantee deposit", on),
            Posting(selectors.gl_code(GLRole.DEPOSITS_HELD), -deposit, account.pk, "Guarantee deposit"),
        ]
        said.append(f"deposit ${deposit:,.2f}")
    if fee:
        postings += [
            Posting(receivable, fee, account.pk, "Account set-up fee", on),
            Posting(selectors.gl_code(GLRole.SETUP_FEES), -fee, description=f"Set-up fee, {account.number}"),
        ]
        said.append(f"set-up fee ${fee:,.2f}")
    return postings, said


def start_charges_post(*, actor, account, on: date | None = None) -> JournalEntry | None:
    """The account's start charges as one entry: the deposit when required (receivable against deposits held,
    both naming the account) and the set-up fee (receivable against set-up fee revenue), dated and due on the
    start date (or `on`). Once per account: posting again returns the entry already posted. None when the
    account owes neither. The ledger calls this when customers says service started (LedgerConfig)."""
    require(actor, "customers.start_service")
    with transaction.atomic():
        (account,) = accounts_lock([account.pk])
        already = _posted(START_CHARGES, account.pk)
        if already is not None:
            return already
        on = on or account.start_date
        postings, said = _start_charges(account, on, selectors.gl_code(GLRole.RECEIVABLE))
        if not postings:
            return None
        return journal_post(
            actor=actor, entry_date=on, memo=f"Start of service: {' and '.join(said)}", source_kind=START_CHARGES,
            source_id=account.pk, postings=postings, reason="Start service",
        )  # fmt: skip


def start_charges_post_batch(*, actor, accounts, on: date) -> list[int]:
    """Start charges of many converted accounts at once (a conversion of a whole district), each as
    start_charges_post would post it, dated `on`; accounts already charged are left as they are. Audited as
    one batch (count and the accounts' id range), as a bill run's posting is. Returns the accounts charged."""
    require(actor, "customers.start_service")
    receivable = selectors.gl_code(GLRole.RECEIVABLE)
    with transaction.atomic():
        charged = set(
            JournalEntry.objects.filter(source_kind=START_CHARGES, reverses__isnull=True).values_list(
                "source_id", flat=True
            )
        )
        drafts, ids = [], []
        for account in accounts:
            if account.pk in charged:
                continue
            postings, said = _start_charges(account, on, receivable)
            if postings:
                memo = f"Start of service: {' and '.join(said)}"
                drafts.append(EntryDraft(on, memo, START_CHARGES, account.pk, tuple(postings), "Conversion"))
                ids.append(account.pk)
        journal_post_batch(actor=actor, drafts=drafts)
        if ids:
            audit_record(
                actor=actor, action="ledger.start_charges_batch", obj=JournalEntry.objects.filter(
                    source_kind=START_CHARGES, source_id=ids[0]).first(), reason="Conversion",
                after={"accounts": len(ids), "first_account": ids[0], "last_account": ids[-1]},
            )  # fmt: skip
    return ids


def deposit_transfer(*, actor, old_account, new_account) -> JournalEntry | None:
    """A transfer takes the deposit held along: off deposits held for the old account, onto the new one. No new
    fee, nothing on the receivable. Once per new account; None when nothing is held."""
    require(actor, "customers.transfer_service")
    with transaction.atomic():
        accounts_lock([old_account.pk, new_account.pk])
        already = _posted(DEPOSIT_TRANSFER, new_account.pk)
        if already is not None:
            return already
        held = selectors.deposits_held([old_account.pk])[old_account.pk]
        if held <= 0:
            return None
        deposits = selectors.gl_code(GLRole.DEPOSITS_HELD)
        return journal_post(
            actor=actor, entry_date=new_account.start_date, source_kind=DEPOSIT_TRANSFER, source_id=new_account.pk,
            memo=f"Deposit ${held:,.2f} moved from account {old_account.number} to {new_account.number}",
            reason="Transfer of service",
            postings=[
                Posting(deposits, held, old_account.pk, f"Deposit moved to account {new_account.number}"),
                Posting(deposits, -held, new_account.pk, f"Deposit moved from account {old_account.number}"),
            ],
        )  # fmt: skip


def opening_balance_post(*, actor, account, amount: Decimal, on: date, memo: str = "") -> JournalEntry:
    """A balance converted from the previous system (positive: the customer owes it; negative: a credit), as
    the data migration posts today's rows: recorded as the account's OpeningBalance (one per account) and
    posted against Opening balances, dated `on` (due at the account's end when it ended before). Posting the
    same balance again returns its entry; a different one for the same account is refused."""
    require(actor, "ledger.post_opening_balance")
    if money(amount) != amount or amount == 0:
        raise LedgerError(f"{amount} is not an amount in cents other than zero.")
    with transaction.atomic():
        (account,) = accounts_lock([account.pk])
        row = OpeningBalance.objects.filter(account=account).first()
        if row is not None and (row.amount, row.as_of) != (amount, on):
            raise LedgerError(
                f"Account {account.number} already has an opening balance of ${row.amount:,.2f} as of "
                f"{row.as_of:%m/%d/%Y}; correct it with an adjustment."
            )
        if row is None:
            row = OpeningBalance.objects.create(
                account=account, amount=amount, as_of=on, note=memo.strip()[:200]
            )
        already = _posted(OPENING_BALANCE, row.pk)
        if already is not None:
            return already
        due = account.end_date if account.end_date is not None and account.end_date < on else on
        return journal_post(
            actor=actor, entry_date=on, source_kind=OPENING_BALANCE, source_id=row.pk,
            memo=f"Opening balance converted from the previous system, as of {on:%m/%d/%Y}",
            reason=memo.strip() or "Conversion",
            postings=[
                Posting(selectors.gl_code(GLRole.RECEIVABLE), amount, account.pk, "Opening balance (converted)", due),
                Posting(selectors.gl_code(GLRole.OPENING_BALANCES), -amount,
                        description=f"Opening balance of account {account.number}"),
            ],
        )  # fmt: skip


@dataclass(frozen=True)
class CreditBack:
    """What a run of the good-payment rule did: every account holding a deposit is counted once."""

    looked_at: int
    credited: list[JournalEntry]
    too_new: int
    too_many_late: int
    locked_off: int

    @property
    def not_yet_due(self) -> int:
        return self.looked_at - len(self.credited)


def deposits_credit_back(*, actor, on: date) -> CreditBack:
    """Credit each account's deposit to its balance once it meets the district's good-payment rule on `on`
    (good_payment.py; district settings): in service at least N months, at most M late payments in them (a late
    fee charged and not reversed), no lock-off in them when the district asks. Each credit: deposits held
    (naming the account) against its receivable, once per account, audited."""
    require(actor, "ledger.credit_back_deposits")
    district = district_settings()
    rule = good_payment.Rule(
        district.deposit_refund_months, district.deposit_refund_max_late, district.deposit_refund_no_lockoff
    )
    since = rule.window_start(on)
    held = selectors.accounts_holding_deposits()
    started = dict(
        Account.objects.filter(pk__in=list(held), status=AccountStatus.ACTIVE).values_list("pk", "start_date")
    )
    late = selectors.late_fees_charged(started, since, on)
    locked = lockoffs.locked_off_since(started, since) if rule.no_lockoff else set()
    decisions = {}
    for account_id, start in sorted(started.items()):
        standing = good_payment.Standing(
            start, held[account_id], late.get(account_id, 0), account_id in locked
        )
        decisions[account_id] = good_payment.decide(standing, rule, on)
    credited = []
    deposits, receivable = selectors.gl_code(GLRole.DEPOSITS_HELD), selectors.gl_code(GLRole.RECEIVABLE)
    with transaction.atomic():
        for account_id in (a for a, decision in decisions.items() if decision == good_payment.CREDIT):
            (account,) = accounts_lock([account_id])
            amount = selectors.deposits_held([account_id])[account_id]  # under the lock
            if amount <= 0 or _posted(DEPOSIT_CREDIT_BACK, account_id) is not None:
                continue
            why = f"{rule.months} months of good payment to {on:%m/%d/%Y}"
            entry = journal_post(
                actor=actor, entry_date=on, source_kind=DEPOSIT_CREDIT_BACK, source_id=account_id,
                memo=f"Deposit ${amount:,.2f} credited to the account: {why}", reason=why,
                postings=[
                    Posting(deposits, amount, account_id, "Deposit credited back"),
                    Posting(receivable, -amount, account_id, f"Deposit credited back ({why})", on),
                ],
            )  # fmt: skip
            audit_record(
                actor=actor, action="deposit.credit_back", obj=account, account_id=account_id, reason=why,
                before={"deposit_held": str(amount)}, after={"deposit_held": "0.00", "entry": entry.pk},
            )  # fmt: skip
            credited.append(entry)
    counts = {d: sum(1 for v in decisions.values() if v == d) for d in set(decisions.values())}
    return CreditBack(
        looked_at=len(decisions), credited=credited, too_new=counts.get(good_payment.TOO_NEW, 0),
        too_many_late=counts.get(good_payment.TOO_MANY_LATE, 0), locked_off=counts.get(good_payment.LOCKED_OFF, 0),
    )  # fmt: skip


# --- adjustments -------------------------------------------------------------------------------------------


# The reason code that reverses a late fee charged (picked, not typed).
LATE_FEE_REVERSAL = "late_fee_reversal"


def credit_needs_approval(*, actor, account, amount: Decimal) -> str:
    """Why a credit (positive) or charge (negative) of `amount` to `account` needs a lead's approval, or "":
    it is over the actor's adjustment limit, alone or with what the actor already credited this account today
    (adjustments, bill cancellations). Billing asks the same of a bill's cancellation."""
    limit = authority_limit(user=actor, kind="adjustment")
    if abs(amount) > limit:
        return f"${abs(amount):,.2f} is over your adjustment limit of ${limit:,.2f}."
    if amount > 0:
        already = selectors.credited(actor_id=actor.pk, account_id=account.pk, day=clock.today())
        if already + amount > limit:
            return (
                f"${already:,.2f} already credited to this account today and ${amount:,.2f} more is over your "
                f"adjustment limit of ${limit:,.2f} a day."
            )
    return ""


def _needs_approval(actor, account, reason: AdjustmentReason, amount: Decimal) -> str:
    """Why this adjustment needs a lead's approval, or "" when the actor may post it alone."""
    why = credit_needs_approval(actor=actor, account=account, amount=amount)
    if why:
        return why
    if reason.per_account_per_year is not None and not actor.has_perm("ledger.approve_adjustment"):
        year_ago = timezone.now() - timedelta(days=365)
        made = Adjustment.objects.filter(
            account=account, reason=reason, status=AdjustmentStatus.POSTED, requested_at__gte=year_ago
        ).count()
        if made >= reason.per_account_per_year:
            return f"{reason.name}: {made} already in the last 12 months on this account (at most " \
                   f"{reason.per_account_per_year} without approval)."  # fmt: skip
    return ""


def _late_fee_charged(account, late_fee: JournalEntry | None) -> Decimal:
    """The amount of the late fee a late-fee reversal reverses: one charged to this account, not reversed, with
    no other reversal waiting or posted."""
    if late_fee is None:
        raise LedgerError("Pick the late fee to reverse: a late-fee reversal reverses a fee charged.")
    charged = (
        JournalLine.objects.filter(
            entry_id=late_fee.pk, entry__source_kind=LATE_FEE, entry__reverses__isnull=True,
            gl_account__receivable=True, account_id=account.pk, amount__gt=0,
        )
        .values_list("amount", flat=True)
        .first()
    )  # fmt: skip
    if charged is None:
        raise LedgerError(f"JE {late_fee.pk} is not a late fee charged to account {account.number}.")
    if JournalEntry.objects.filter(reverses_id=late_fee.pk).exists():
        raise LedgerError(f"The late fee of JE {late_fee.pk} is already reversed.")
    if Adjustment.objects.filter(
        late_fee_entry_id=late_fee.pk, status__in=[AdjustmentStatus.PENDING, AdjustmentStatus.POSTED]
    ).exists():
        raise LedgerError(f"The late fee of JE {late_fee.pk} already has a reversal waiting for approval.")
    return charged


def _post_adjustment(actor, adjustment: Adjustment) -> JournalEntry:
    reason = adjustment.reason
    if adjustment.late_fee_entry_id is not None:  # the fee's entry reversed: its revenue line negated exactly
        return journal_reverse(
            actor=actor, entry=adjustment.late_fee_entry, entry_date=clock.today(),
            reason=f"{reason.name}: {adjustment.memo}",
        )  # fmt: skip
    return journal_post(
        actor=actor, entry_date=clock.today(), memo=f"{reason.name}: {adjustment.memo}",
        source_kind="adjustment", source_id=adjustment.pk, reason=adjustment.memo,
        postings=[
            Posting(reason.gl_account.code, adjustment.amount),
            Posting(selectors.receivable_gl().code, -adjustment.amount, adjustment.account_id,
                    description=f"{reason.name}: {adjustment.memo}"),
        ],
    )  # fmt: skip


def adjustment_request(
    *, actor, account, reason_code: str, memo: str, amount: Decimal | None = None,
    late_fee: JournalEntry | None = None,
) -> Adjustment:  # fmt: skip
    """A credit (positive) or charge (negative) to `account`: posted at once within the actor's authority,
    else left for approval. A late-fee reversal names the late fee (`late_fee`, its journal entry) instead of
    an amount: the fee's amount is credited and, when posted, the fee's entry is reversed."""
    require(actor, "ledger.add_adjustment")
    if not memo.strip():
        raise LedgerError("Say what the adjustment is for.")
    reason = (
        AdjustmentReason.objects.select_related("gl_account").filter(code=reason_code, active=True).first()
    )
    if reason is None:
        raise LedgerError(f"No adjustment reason {reason_code!r}.")
    if reason.code != LATE_FEE_REVERSAL and late_fee is not None:
        raise LedgerError("Only a late-fee reversal names a late fee.")
    with transaction.atomic():
        accounts_lock([account.pk])  # the day's total and the fee's state are read under the account's lock
        if reason.code == LATE_FEE_REVERSAL:
            charged = _late_fee_charged(account, late_fee)
            if amount is not None and amount != charged:
                raise LedgerError(
                    f"A late-fee reversal credits the fee charged, ${charged:,.2f}, not ${amount:,.2f}."
                )
            amount = charged
        if amount is None or money(amount) != amount or amount == 0:
            raise LedgerError(f"{amount} is not an amount in cents other than zero.")
        why = _needs_approval(actor, account, reason, amount)
        adjustment = Adjustment.objects.create(
            account=account, reason=reason, amount=amount, memo=memo.strip()[:200], requested_by=actor,
            status=AdjustmentStatus.PENDING, why_approval=why, late_fee_entry=late_fee,
        )  # fmt: skip
        if not why:  # its entry names the adjustment, so the adjustment is written first, then posted
            adjustment.entry = _post_adjustment(actor, adjustment)
            adjustment.status = AdjustmentStatus.POSTED
            adjustment.save(update_fields=["entry", "status"])
        audit_record(
            actor=actor, action="adjustment.request", obj=adjustment, account_id=account.pk, reason=memo,
            after={"reason": reason.code, "amount": str(amount), "status": adjustment.status, "why_approval": why,
                   "late_fee_entry": late_fee.pk if late_fee else None},
        )  # fmt: skip
    return adjustment


def adjustment_decide(*, actor, adjustment: Adjustment, approve: bool, note: str = "") -> Adjustment:
    """A lead approves (posts) or rejects a waiting adjustment: not their own, and within their own limit."""
    require(actor, "ledger.approve_adjustment")
    with transaction.atomic():
        accounts_lock([adjustment.account_id])  # one lock order: the account, then the adjustment
        adjustment = (
            Adjustment.objects.select_for_update().select_related("reason__gl_account").get(pk=adjustment.pk)
        )
        if adjustment.status != AdjustmentStatus.PENDING:
            raise LedgerError(f"This adjustment is already {adjustment.get_status_display().lower()}.")
        if adjustment.requested_by_id == actor.pk:
            raise LedgerError("Someone other than the requester approves an adjustment.")
        limit = authority_limit(user=actor, kind="adjustment")
        if approve and abs(adjustment.amount) > limit:
            raise LedgerError(
                f"${abs(adjustment.amount):,.2f} is over your adjustment limit of ${limit:,.2f}."
            )
        if not approve and not note.strip():
            raise LedgerError("Say why the adjustment is rejected.")
        before = {"status": adjustment.status}
        adjustment.status = AdjustmentStatus.POSTED if approve else AdjustmentStatus.REJECTED
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = (
            actor,
            timezone.now(),
            note[:200],
        )
        if approve:
            adjustment.entry = _post_adjustment(actor, adjustment)
        adjustment.save()
        audit_record(
            actor=actor, action="adjustment.approve" if approve else "adjustment.reject", obj=adjustment,
            account_id=adjustment.account_id, reason=note, before=before, after={"status": adjustment.status},
        )  # fmt: skip
    return adjustment


# --- late fees ---------------------------------------------------------------------------------------------

LATE_FEE = "late_fee"


def _late_fees_post(actor, drafts: list[tuple[int, late_fees.Penalty, EntryDraft]]) -> list[JournalEntry]:
    """The day's penalties in one transaction: their accounts locked (one statement, ascending ids), the
    entries written as a batch, an audit row for each as `journal_post` writes."""
    if not drafts:
        return []
    with transaction.atomic():
        accounts_lock(account_id for account_id, _, _ in drafts)
        ids = journal_post_batch(actor=actor, drafts=[draft for _, _, draft in drafts])
        entries = JournalEntry.objects.in_bulk(ids)
        AuditEvent.objects.bulk_create(
            [
                audit_event(
                    actor=actor,
                    action="ledger.post",
                    obj=entries[entry_id],
                    account_id=account_id,
                    after={
                        "memo": draft.memo,
                        "source": f"{LATE_FEE} {draft.source_id}",
                        "amount": str(penalty.amount),
                    },
                )  # fmt: skip
                for entry_id, (account_id, penalty, draft) in zip(ids, drafts, strict=True)
            ],
            batch_size=2000,
        )
    return [entries[entry_id] for entry_id in ids]


def assess_late_fees(*, actor, on: date) -> list[JournalEntry]:
    """Charge the fee catalog's late penalty on every bill still open `after_days` past due on `on`, once per
    bill. Running it again the same day (or later) charges nothing twice.

    A penalty the catalog marks as interest is waived for an account with a low-income flag in force on `on`
    once in any 12 months (late_fees.waive_interest): not charged, an InterestWaiver row recorded instead (the
    bill is not penalized later for it). Two queries whatever the count: the low-income flags of the accounts
    considered and their waivers of the fee."""
    require(actor, "ledger.assess_late_fees")
    rule = rates_selectors.fee("late_penalty", on)
    if rule is None:
        raise LedgerError(f"The fee catalog has no late penalty in force on {on:%m/%d/%Y}.")
    suspended = [(s.starts_on, s.ends_on) for s in core_selectors.suspensions(late_fees=True)]
    if any(first <= on <= last for first, last in suspended):
        return []  # the board suspended late fees today
    cutoff = on - timedelta(days=rule.after_days or 0)
    # Only an account owing something on what fell due by the cutoff can have a bill open past it: its
    # receivable lines due by then, with those of no due date (payments, credits), sum above zero. The others
    # (nearly all, on a district's day) are not looked at line by line. One pass over the lines, no joins.
    by_cutoff = Q(due_date__lte=cutoff) | Q(due_date__isnull=True)
    accounts = list(
        JournalLine.objects.filter(gl_account_id=selectors.receivable_gl().pk)
        .values("account_id")
        .annotate(owed=Sum("amount", filter=by_cutoff))
        .filter(owed__gt=0)
        .order_by("account_id")
        .values_list("account_id", flat=True)
    )
    held = holds.held_accounts(accounts, on)  # e.g. a leak-relief application under review
    accounts = [pk for pk in accounts if pk not in held]
    movements = selectors.receivable_movements(accounts)  # their receivable lines in one query, as rows
    already = set(
        JournalEntry.objects.filter(source_kind=LATE_FEE, reverses__isnull=True).values_list(
            "source_id", flat=True
        )
    )
    low_income, last_waived = _interest_waiver_facts(accounts, rule, on, already)
    drafts, waivers = [], []
    receivable = selectors.receivable_gl().code
    for account_id in sorted(accounts):
        items, _ = aging.open_items(movements.get(account_id, []))
        due = [late_fees.PastDue(i.line_id, i.due, i.open) for i in items if i.kind == "bill"]
        found = late_fees.penalties(
            due, on=on, minimum=rule.amount, percent=rule.percent or Decimal(0), after_days=rule.after_days or 0,
            already=already, suspended=suspended,
        )  # fmt: skip
        found, waived = late_fees.waive_interest(
            found, on=on, low_income=rule.is_interest and account_id in low_income,
            last_waived=last_waived.get(account_id),
        )  # fmt: skip
        for penalty in waived:
            already.add(penalty.charge_id)
            last_waived[account_id] = on
            waivers.append((account_id, penalty))
        for penalty in found:
            already.add(penalty.charge_id)
            text = f"{rule.name} (${penalty.past_due:,.2f} past due)"
            drafts.append((account_id, penalty, EntryDraft(
                entry_date=on, memo=f"{rule.name} on ${penalty.past_due:,.2f} past due", source_kind=LATE_FEE,
                source_id=penalty.charge_id,
                postings=(Posting(receivable, penalty.amount, account_id, text, on), Posting(rule.gl_account, -penalty.amount)),
            )))  # fmt: skip
    posted = _late_fees_post(actor, drafts)
    _interest_waivers_record(actor, rule, on, waivers)
    return posted


def _interest_waiver_facts(
    accounts: list[int], rule, on: date, already: set[int]
) -> tuple[set[int], dict[int, date]]:
    """The accounts with a low-income flag in force on `on`, and each account's last waiver of `rule` (its
    waived charges join `already`: a waived charge is not penalized later)."""
    if not accounts:
        return set(), {}
    in_force = Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    low_income = set()
    if rule.is_interest:
        low_income = set(
            AccountFlag.objects.filter(
                in_force, account_id__in=accounts, kind=FlagKind.LOW_INCOME, starts_on__lte=on
            ).values_list("account_id", flat=True)
        )
    last: dict[int, date] = {}
    for account_id, day, charge_id in InterestWaiver.objects.filter(
        account_id__in=accounts, fee_code=rule.code
    ).values_list("account_id", "on", "charge_line_id"):
        already.add(charge_id)
        if day <= on and (account_id not in last or day > last[account_id]):
            last[account_id] = day
    return low_income, last


def _interest_waivers_record(actor, rule, on: date, waivers: list) -> None:
    if not waivers:
        return
    with transaction.atomic():
        rows = InterestWaiver.objects.bulk_create(
            InterestWaiver(account_id=account_id, fee_code=rule.code, on=on, charge_line_id=penalty.charge_id)
            for account_id, penalty in waivers
        )
        AuditEvent.objects.bulk_create(
            audit_event(
                actor=actor,
                action="ledger.interest_waiver",
                obj=row,
                account_id=row.account_id,
                reason=f"{rule.name} waived: a low-income customer's first interest charge in 12 months "
                "(HSC 116914)",
                after={
                    "fee": rule.code,
                    "amount": str(penalty.amount),
                    "past_due": str(penalty.past_due),
                    "charge_line": penalty.charge_id,
                },
            )  # fmt: skip
            for row, (_, penalty) in zip(rows, waivers, strict=True)
        )
