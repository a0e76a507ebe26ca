"""One account's bills, outside a run: the final bill of a stopped account, cancelling a bill (a credit under
the clerk's adjustment authority) and rebilling it, and who looks at an account not billed."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit, due_date_for
from cistern.customers.balances import balances_owed
from cistern.customers.models import Account, AccountStatus
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalEntry
from cistern.ledger.services import (
    EntryDraft,
    Posting,
    credit_needs_approval,
    journal_post_batch,
    journal_reverse,
)
from cistern.metering.models import ReadKind

from . import calculation, posting, selectors, signals
from .errors import BillingError
from .models import (
    Bill,
    BillCancellation,
    BillCancelRequest,
    BillKind,
    CancelStatus,
    UnbilledReview,
)
from .runs import rating_for

SETTLEMENT_SOURCE = "final_settlement"  # a final bill's deposit application and refund


def bill_final(*, actor, account: Account) -> Bill:
    """The final bill of a stopped account: its service to the final read, prorated; the deposit applied to
    what it owes; any credit left to a refund; any debt left shown as due."""
    require(actor, "billing.add_bill")
    return final_bill_after_final_read(actor=actor, account=account)


def final_bill_after_final_read(*, actor, account: Account) -> Bill:
    """bill_final without its permission check: field work calls it when a technician completes the final
    read of a stopped account, inside the completion's transaction and under its permission (as
    customers.account_activate is called for a turn-on)."""
    if account.status != AccountStatus.FINAL:
        raise BillingError("A final bill is for an account whose service has been stopped.")
    if Bill.objects.filter(account=account, kind=BillKind.FINAL, cancellation__isnull=True).exists():
        raise BillingError("This account already has its final bill.")
    final_on = selectors.final_read_date(account)
    if final_on is None:
        raise BillingError("Enter the final read before the final bill.")
    facts = selectors.account_facts(account, period_end=final_on)
    proposal = rating_for([facts], final_on).propose(facts)
    if not proposal.billable:
        problems = "; ".join(message for _, message in proposal.exceptions) or "nothing to bill"
        raise BillingError(f"The final bill cannot be made: {problems}.")
    today = clock.today()
    due = due_date_for(today)
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    deposits = ledger_selectors.gl_code(GLRole.DEPOSITS_HELD)
    refunds = ledger_selectors.gl_code(GLRole.REFUNDS_PAYABLE)
    with transaction.atomic():
        # The balance and the deposit it settles are read under the account's lock; the deposit is what the
        # ledger holds for the account (none when it was never posted), not what the account asked for.
        accounts_lock([account.pk])
        account = Account.objects.select_related("customer").get(pk=account.pk)
        books = _one_account(account)
        after = books[account.pk].owed + proposal.total
        held = ledger_selectors.deposits_held([account.pk])[account.pk]
        applied, refund, credit_refunded, due_now = _settlement(after, held)
        item = posting.item_of(proposal)
        (bill,) = posting.write_bills(
            actor, items=[item], accounts=books,
            bill_date=today, due_date=due, kind=BillKind.FINAL,
            settled={"deposit_applied": applied, "refund": refund, "amount_due": due_now},
        )  # fmt: skip
        entries = [posting.charges_draft(bill, item, receivable)] if bill.current_charges else []
        postings = []
        if applied:
            postings += [
                Posting(deposits, applied, account.pk, "Deposit applied to the final bill"),
                Posting(receivable, -applied, account.pk, "Deposit applied"),
            ]
        if refund - credit_refunded:  # the deposit not needed for the debt
            postings += [Posting(deposits, refund - credit_refunded, account.pk, "Deposit refunded")]
        if credit_refunded:
            postings += [Posting(receivable, credit_refunded, account.pk, "Credit balance to refund")]
        if refund:
            postings += [Posting(refunds, -refund, description=f"Refund to account {account.number}")]
        if postings:
            entries.append(
                EntryDraft(
                    bill.bill_date, f"Final bill {bill.pk}: deposit applied ${applied:,.2f}, refund ${refund:,.2f}",
                    SETTLEMENT_SOURCE, bill.pk, tuple(postings),
                )
            )  # fmt: skip
        entry_ids = journal_post_batch(actor=actor, drafts=entries)
        bill = Bill.objects.get(pk=bill.pk)
        if refund:
            # The settlement entry (the last) put the refund in refunds payable; payments owes it to the customer.
            signals.final_bill_refunded.send(sender=Bill, actor=actor, bill=bill, entry_id=entry_ids[-1])
        audit_record(
            actor=actor, action="bill.final", obj=bill, account_id=account.pk,
            after={"charges": str(bill.current_charges), "deposit_applied": str(applied), "refund": str(refund),
                   "amount_due": str(due_now)},
        )  # fmt: skip
    return bill


def _one_account(account: Account) -> dict[int, selectors.BatchAccount]:
    """What a bill of one account needs of its books, as selectors.batch_accounts gives it for a batch."""
    owed = balances_owed([account.pk])[account.pk]
    previous = selectors.previous_due(account.pk)
    return {account.pk: selectors.BatchAccount(account.customer.preferred_language, owed, previous)}


def _settlement(after: Decimal, deposit: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A final bill's (deposit applied, refund, credit refunded, amount due) from the balance with its charges
    and the deposit the ledger holds for the account (never a negative one): the deposit pays the debt first;
    what is left of it, and any credit balance, is refunded."""
    zero = Decimal("0.00")
    deposit = max(deposit, zero)
    if after >= 0:
        applied = min(deposit, after)
        return applied, deposit - applied, zero, after - applied
    return zero, deposit - after, -after, zero


# --- cancel and rebill: a credit under the clerk's adjustment authority ------------------------------------


def bill_cancel_request(*, actor, bill: Bill, reason: str, rebill: bool = True) -> BillCancelRequest:
    """Cancel a posted bill (its journal entries reversed) and, by default, rebill the same meter spans with
    the reads that stand now (a corrected read replaces the one billed). The cancellation is a credit: the
    bill's charges, or with a rebill what the rebill takes off them (rated first, nothing written). Within
    the actor's adjustment limit, and the day's total they credited the account, it is made at once (the
    request approved); above it the request waits for a lead (`bill_cancel_decide`)."""
    require(actor, "billing.cancel_bill")
    if not reason.strip():
        raise BillingError("Say why the bill is cancelled.")
    with transaction.atomic():
        bill = _lock_bill(bill)
        if BillCancelRequest.objects.filter(bill=bill, status=CancelStatus.PENDING).exists():
            raise BillingError(f"Bill {bill.pk}: its cancellation already waits for approval.")
        rebill = rebill and bill.kind != BillKind.FINAL
        proposal = _rebill_proposal(bill) if rebill else None
        credit = _cancel_credit(bill, proposal)
        why = credit_needs_approval(actor=actor, account=bill.account, amount=credit)
        request = BillCancelRequest.objects.create(
            bill=bill, rebill=rebill, reason=reason.strip()[:200], credit=credit, status=CancelStatus.PENDING,
            requested_by=actor, why_approval=why,
        )  # fmt: skip
        if not why:
            _cancel(actor, request, bill, proposal)
        audit_record(
            actor=actor, action="bill.cancel_request", obj=request, account_id=bill.account_id, reason=reason,
            after={"bill": bill.pk, "rebill": rebill, "credit": str(credit), "status": request.status,
                   "why_approval": why},
        )  # fmt: skip
    return request


def bill_cancel(*, actor, bill: Bill, reason: str, rebill: bool = True) -> Bill | None:
    """`bill_cancel_request` made now or not at all: refused (nothing written) when the credit needs a lead's
    approval. Returns the rebill."""
    with transaction.atomic():
        request = bill_cancel_request(actor=actor, bill=bill, reason=reason, rebill=rebill)
        if request.status == CancelStatus.PENDING:
            raise BillingError(f"{request.why_approval} Ask for a lead's approval on the bill's page.")
    return Bill.objects.filter(replaces_id=request.bill_id).first() if request.rebill else None


def bill_cancel_decide(
    *, actor, request: BillCancelRequest, approve: bool, note: str = ""
) -> BillCancelRequest:
    """A lead approves (the bill is cancelled, and rebilled when asked) or rejects a waiting cancellation: not
    their own, and its credit, rated again now, within their own adjustment limit."""
    require(actor, "ledger.approve_adjustment")
    with transaction.atomic():
        # The account's lock first (one lock order), then the request.
        accounts_lock([request.bill.account_id])
        request = BillCancelRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != CancelStatus.PENDING:
            raise BillingError(f"This cancellation is already {request.get_status_display().lower()}.")
        if request.requested_by_id == actor.pk:
            raise BillingError("Someone other than the requester approves a bill's cancellation.")
        if not approve and not note.strip():
            raise BillingError("Say why the cancellation is rejected.")
        before = {"status": request.status, "credit": str(request.credit)}
        if approve:
            bill = _lock_bill(request.bill)
            proposal = _rebill_proposal(bill) if request.rebill else None
            request.credit = _cancel_credit(bill, proposal)
            limit = authority_limit(user=actor, kind="adjustment")
            if request.credit > limit:
                raise BillingError(f"${request.credit:,.2f} is over your adjustment limit of ${limit:,.2f}.")
            _cancel(actor, request, bill, proposal)
        else:
            request.status = CancelStatus.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.decision_note = note.strip()[:200]
        request.save()
        audit_record(
            actor=actor, action="bill.cancel_approve" if approve else "bill.cancel_reject", obj=request,
            account_id=request.bill.account_id, reason=note, before=before,
            after={"status": request.status, "credit": str(request.credit)},
        )  # fmt: skip
    return request


def _lock_bill(bill: Bill) -> Bill:
    """The bill's account locked (accounts_lock: one lock order), then the bill; refused when cancelled."""
    accounts_lock([bill.account_id])
    bill = Bill.objects.select_for_update().select_related("account__customer").get(pk=bill.pk)
    if BillCancellation.objects.filter(bill=bill).exists():
        raise BillingError(f"Bill {bill.pk} is already cancelled.")
    return bill


def _cancel_credit(bill: Bill, proposal: calculation.Proposal | None) -> Decimal:
    """What cancelling takes off the account: the charges, less the rebill's (never below zero)."""
    rebilled = proposal.total if proposal is not None else posting.ZERO
    return max(posting.ZERO, Decimal(bill.current_charges) - rebilled)


def _cancel(
    actor, request: BillCancelRequest, bill: Bill, proposal: calculation.Proposal | None
) -> Bill | None:
    """Cancel the (locked) bill as `request` asks: reverse its entries, rebill with `proposal`. Returns the
    rebill."""
    cancellation = BillCancellation.objects.create(bill=bill, reason=request.reason, cancelled_by=actor)
    request.status, request.cancellation, request.done_on = CancelStatus.APPROVED, cancellation, clock.today()
    request.save(update_fields=["status", "cancellation", "done_on"])
    for entry in JournalEntry.objects.filter(
        source_kind__in=[posting.BILL_SOURCE, SETTLEMENT_SOURCE], source_id=bill.pk, reverses__isnull=True
    ).order_by("id"):
        journal_reverse(actor=actor, entry=entry, reason=f"Bill {bill.pk} cancelled: {request.reason}")
    audit_record(
        actor=actor, action="bill.cancel", obj=bill, account_id=bill.account_id, reason=request.reason,
        before={"amount": str(bill.current_charges)}, after={"cancelled": True, "credit": str(request.credit)},
    )  # fmt: skip
    return _rebill(actor, bill, request.reason, proposal) if proposal is not None else None


def _rebill_proposal(bill: Bill) -> calculation.Proposal:
    """The rebill of `bill`, rated and not written: its meter spans closed by the reads that stand now."""
    spans = []
    for meter in bill.meters.order_by("id"):
        found = selectors.rebill_span(meter, bill.account_id)
        if found is None:
            raise BillingError(f"Meter {meter.serial} has no accepted read to rebill with.")
        to, start = found.to, found.start
        spans.append(
            calculation.MeterSpan(
                installation_id=meter.installation_id, serial=meter.serial, size=meter.size,
                rate_class=meter.rate_class, from_read_id=start.read_id, from_date=start.on,
                from_value=start.value if start.value is not None else meter.from_value, to_read_id=to.id,
                to_date=to.read_on, to_value=to.value, units=found.units, estimated=to.kind == ReadKind.ESTIMATED,
                start_estimated=start.estimated,
            )
        )  # fmt: skip
    if not spans:
        raise BillingError(f"Bill {bill.pk} has no meter spans to rebill: cancel it without a rebill.")
    facts = calculation.AccountFacts(bill.account_id, tuple(spans))
    proposal = rating_for([facts], max(s.to_date for s in spans)).propose(facts)
    if not proposal.billable:
        raise BillingError("; ".join(message for _, message in proposal.exceptions))
    return proposal


def _rebill(actor, bill: Bill, reason: str, proposal: calculation.Proposal) -> Bill:
    """Write the rebill `_rebill_proposal` rated, after the bill's entries are reversed."""
    receivable = ledger_selectors.receivable_gl().code
    item = posting.item_of(proposal)
    (new,) = posting.write_bills(
        actor, items=[item], accounts=_one_account(bill.account),
        bill_date=clock.today(), due_date=due_date_for(clock.today()),
        run=bill.run, kind=BillKind.REBILL, replaces=bill,
    )  # fmt: skip
    if new.current_charges:
        journal_post_batch(actor=actor, drafts=[posting.charges_draft(new, item, receivable)])
    new = Bill.objects.get(pk=new.pk)
    audit_record(
        actor=actor, action="bill.rebill", obj=new, account_id=new.account_id, reason=reason,
        before={"bill": bill.pk, "amount": str(bill.current_charges)}, after={"amount": str(new.current_charges)},
    )  # fmt: skip
    return new


# --- accounts not billed -----------------------------------------------------------------------------------


def unbilled_review_update(*, actor, account: Account, looking: bool, note: str = "") -> UnbilledReview:
    """Say who is looking at an account on the Accounts not billed queue (or stop looking), with a note."""
    require(actor, "billing.change_unbilledreview")
    with transaction.atomic():
        review, _ = UnbilledReview.objects.select_for_update().get_or_create(account=account)
        before = {"looking": review.looking_id, "note": review.note}
        review.looking = actor if looking else None
        review.note = note.strip()[:200]
        review.save()
        audit_record(
            actor=actor, action="billing.unbilled_review", obj=review, account_id=account.pk, reason=note,
            before=before, after={"looking": review.looking_id, "note": review.note},
        )  # fmt: skip
    return review
