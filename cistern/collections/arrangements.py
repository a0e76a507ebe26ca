"""Payment arrangements: a past-due balance amortized over up to 12 monthly installments (the law's
alternative payment schedule, HSC 116910), offered when a customer asks, and by the system when a medical
certificate, hardship and willingness to arrange bar a shutoff.

Making one posts an entry on the account's receivable that moves the past-due balance from the charges it was
on to the installments, each due on its own day: aging, late fees (bills only) and the shutoff policy then see
a kept arrangement as nothing past due. The current bills must still be paid. An installment or a bill left
unpaid 60 days breaks it (the daily run marks it); a shutoff then needs a final notice posted at the property
5 business days before (the policy). Cancelling reverses the entry: the charges are due as they were.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from cistern.billing import extra_lines
from cistern.core.audit import audit_record
from cistern.core.money import format_money
from cistern.core.permissions import require
from cistern.customers.models import Account
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole

from . import amortization, policy, reconnection, selectors
from .models import Arrangement, ArrangementInstallment, ArrangementStatus

SOURCE_KIND = "arrangement"


class ArrangementError(Exception):
    """An arrangement refused, with what to do instead."""


def past_due_on(account: Account, on: date) -> Decimal:
    """What is past due on `on`: what an arrangement spreads."""
    charges = selectors.open_charges([account.pk])[account.pk]
    return sum((c.open for c in charges if c.due < on), Decimal("0.00"))


def arrangement_create(
    *, actor, account: Account, installments: int, first_due: date, on: date, reason: str
) -> Arrangement:
    """Spread what is past due on `on` over `installments` monthly installments from `first_due`."""
    require(actor, "collections.add_arrangement")
    if not reason.strip():
        raise ArrangementError(
            "Say why the arrangement is made (the customer's request, a medical certificate)."
        )
    with transaction.atomic():
        accounts_lock([account.pk])
        if Arrangement.objects.filter(account=account, status=ArrangementStatus.ACTIVE).exists():
            raise ArrangementError(f"Account {account.number} already has an arrangement in force.")
        balance = past_due_on(account, on)
        problems = amortization.plan_problems(balance, installments, first_due, on)
        if problems:
            raise ArrangementError(" ".join(problems))
        plan = amortization.installments(balance, installments, first_due)
        receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
        postings = [
            ledger.Posting(
                receivable,
                -balance,
                account.pk,
                description="Past-due balance moved to a payment arrangement",
            )
        ]
        postings += [
            ledger.Posting(receivable, i.amount, account.pk, due_date=i.due,
                           description=f"Arrangement installment {i.number} of {installments}")
            for i in plan
        ]  # fmt: skip
        entry = ledger.journal_post(
            actor=actor, entry_date=on, memo=f"Payment arrangement: {format_money(balance)} in {installments}",
            source_kind=SOURCE_KIND, postings=postings, reason=reason,
        )  # fmt: skip
        arrangement = Arrangement.objects.create(
            account=account, starts_on=on, amount=balance, installment_count=installments, reason=reason.strip()[:300],
            entry=entry, created_by=actor,
        )  # fmt: skip
        ArrangementInstallment.objects.bulk_create(
            ArrangementInstallment(arrangement=arrangement, number=i.number, due_on=i.due, amount=i.amount)
            for i in plan
        )
        audit_record(
            actor=actor, action="arrangement.create", obj=arrangement, account_id=account.pk, reason=reason,
            after={"amount": str(balance), "installments": [[i.due.isoformat(), str(i.amount)] for i in plan]},
        )  # fmt: skip
        if account.pk in selectors.locked_off_accounts([account.pk]) and not reconnection.open_reconnects(
            [account.pk]
        ):
            # An arrangement on a locked-off account reconnects it, as paying the past due does.
            reconnection.reconnect(actor=actor, account=account, after_hours=False, on=on)
    return arrangement


def arrangement_cancel(*, actor, arrangement: Arrangement, on: date, reason: str) -> Arrangement:
    """End an arrangement before it is kept or broken (made in error, the customer pays off another way): its
    entry is reversed, so what is still owed is due as it was before."""
    require(actor, "collections.change_arrangement")
    if not reason.strip():
        raise ArrangementError("Say why the arrangement is cancelled.")
    with transaction.atomic():
        current = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
        if current.status != ArrangementStatus.ACTIVE:
            raise ArrangementError(
                f"The arrangement is {current.get_status_display().lower()}, not in force."
            )
        ledger.journal_reverse(
            actor=actor, entry=current.entry, reason=f"Arrangement cancelled: {reason}", entry_date=on
        )
        current.status, current.ended_on, current.end_reason = (
            ArrangementStatus.CANCELLED,
            on,
            reason.strip()[:300],
        )
        current.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action="arrangement.cancel",
            obj=current,
            account_id=current.account_id,
            reason=reason,
        )
    return current


def arrangements_review(
    *, actor, on: date, facts: dict[int, policy.Facts], settings: policy.Settings
) -> dict[str, int]:
    """The daily run's look at the arrangements in force: kept to the end (nothing of it open): completed; an
    installment or a bill unpaid for `arrangement_default_days`: defaulted."""
    counts = {"arrangements_completed": 0, "arrangements_broken": 0}
    active = list(
        Arrangement.objects.filter(status=ArrangementStatus.ACTIVE).prefetch_related("installments")
    )
    # The accounts the run has not judged (nothing past due, or a day the office is closed): one read for all.
    unjudged = sorted({a.account_id for a in active} - set(facts))
    read = selectors.open_charges(unjudged) if unjudged else {}
    for arrangement in active:
        charges = (
            facts[arrangement.account_id].charges
            if arrangement.account_id in facts
            else read[arrangement.account_id]
        )
        missed = selectors.defaulted_on(arrangement, charges, on)
        last_due = max(i.due_on for i in arrangement.installments.all())
        if missed is not None and on >= missed + timedelta(days=settings.arrangement_default_days):
            arrangement.status, arrangement.ended_on = ArrangementStatus.DEFAULTED, on
            arrangement.end_reason = (
                f"Unpaid since {missed:%m/%d/%Y}: {settings.arrangement_default_days} days."
            )
            counts["arrangements_broken"] += 1
        elif missed is None and on > last_due and not any(c.open > 0 and c.due <= last_due for c in charges):
            arrangement.status, arrangement.ended_on, arrangement.end_reason = (
                ArrangementStatus.COMPLETED,
                on,
                "Kept: paid in full.",
            )
            counts["arrangements_completed"] += 1
        else:
            continue
        arrangement.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(actor=actor, action=f"arrangement.{arrangement.status}", obj=arrangement,
                     account_id=arrangement.account_id, reason=arrangement.end_reason)  # fmt: skip
    return counts


# --- the bill's lines -------------------------------------------------------------------------------------------

TEXT = {
    "en": "Payment arrangement: installment {number} of {count}, {amount}, is due {due}; {left} is left on the "
    "arrangement after it. Pay this bill's new charges and the installment by the due date to keep it.",
    "es": "Convenio de pago: la cuota {number} de {count}, {amount}, vence el {due}; después quedan {left} del "
    "convenio. Pague los cargos nuevos de esta factura y la cuota antes de la fecha de vencimiento para mantenerlo.",
}


def bill_lines(bill) -> list[str]:
    """The installments of an arrangement in force falling due by the bill's due date, for the bill."""
    arrangement = (
        Arrangement.objects.filter(
            account_id=bill.account_id, status=ArrangementStatus.ACTIVE, starts_on__lte=bill.bill_date
        )
        .prefetch_related("installments")
        .first()
    )
    if arrangement is None:
        return []
    plan = list(arrangement.installments.all())
    text = TEXT.get(bill.language, TEXT["en"])
    lines = []
    for installment in plan:
        if (
            bill.bill_date < installment.due_on <= bill.due_date + timedelta(days=31)
            and installment.due_on >= bill.bill_date
        ):
            left = sum((i.amount for i in plan if i.number > installment.number), Decimal("0.00"))
            lines.append(text.format(number=installment.number, count=len(plan), amount=format_money(installment.amount),
                                     due=installment.due_on.strftime("%m/%d/%Y"), left=format_money(left)))  # fmt: skip
            break
    return lines


def register() -> None:
    extra_lines.register("arrangement_installments", bill_lines)
