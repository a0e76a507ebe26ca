"""Writes of the assistance program: a leak-relief application taken, approved (the relief credited through the
ledger's adjustments, under the approver's authority), denied or withdrawn; the program's terms saved. One
transaction each, audited."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.core.services import record_save
from cistern.customers.services import accounts_lock
from cistern.ledger import services as ledger
from cistern.ledger.models import AdjustmentStatus

from . import leak_relief, selectors
from .models import (
    PROOF_EXTENSIONS,
    PROOF_MAX_BYTES,
    PROOF_TYPES,
    ApplicationStatus,
    LeakReliefApplication,
    LeakReliefTerms,
)


class AssistanceError(ValueError):
    """A leak-relief application refused, with what the clerk can do about it."""


def proof_problem(upload) -> str:
    """Why `upload` is not acceptable proof of repair (a PDF, JPEG or PNG of at most 5 MB), or ""."""
    if upload is None:
        return "Attach the proof of repair (a receipt, invoice or photo)."
    name = (getattr(upload, "name", "") or "").lower()
    if name.rsplit(".", 1)[-1] not in PROOF_EXTENSIONS:
        return "The proof of repair must be a PDF, JPEG or PNG file."
    content_type = getattr(upload, "content_type", None)
    if content_type is not None and content_type not in PROOF_TYPES:
        return "The proof of repair must be a PDF, JPEG or PNG file."
    if upload.size > PROOF_MAX_BYTES:
        return f"The proof of repair is {upload.size / 1024 / 1024:.1f} MB; at most 5 MB."
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith(b"%PDF") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")):
        return "The proof of repair is not a PDF, JPEG or PNG file (its content says otherwise)."
    return ""


def _checks_json(eligibility: leak_relief.Eligibility) -> list[dict]:
    return [
        {"rule": c.rule, "label": c.label, "passed": c.passed, "detail": c.detail} for c in eligibility.checks
    ]


def _judged(application: LeakReliefApplication, terms: LeakReliefTerms, on: date):
    facts = selectors.facts_for(
        account=application.account, bills=list(application.bills.all()),
        primary_residence=application.primary_residence, repaired_on=application.repaired_on,
        repair_proof=bool(application.repair_proof), exclude=application.pk,
    )  # fmt: skip
    plain = selectors.as_terms(terms)
    return leak_relief.judge(facts, plain, on=on), leak_relief.relief(facts, plain)


def application_apply(
    *, actor, account, bills, repair_proof, repaired_on: date, primary_residence: bool = False, note: str = "",
) -> LeakReliefApplication:  # fmt: skip
    """Take a customer's application for leak relief on `bills` (one or more of the account's bills) with the
    proof of repair. It is judged at once (every rule stored) and waits under review for a lead's decision;
    while it waits no late fee is charged and no collection step taken on the account."""
    require(actor, "assistance.add_leakreliefapplication")
    bills = list(bills)
    if not bills:
        raise AssistanceError("Pick the bill (or bills) the leak ran up.")
    if any(b.account_id != account.pk for b in bills):
        raise AssistanceError(f"Pick bills of account {account.number} only.")
    problem = proof_problem(repair_proof)
    if problem:
        raise AssistanceError(problem)
    if repaired_on is None:
        raise AssistanceError("Give the day the leak was repaired.")
    today = clock.today()
    terms = selectors.terms_on(today)
    if terms is None:
        raise AssistanceError(
            f"The program has no terms in force on {today:%m/%d/%Y}: a supervisor sets them."
        )
    with transaction.atomic():
        accounts_lock([account.pk])
        if LeakReliefApplication.objects.filter(
            account=account, status=ApplicationStatus.UNDER_REVIEW
        ).exists():
            raise AssistanceError(f"Account {account.number} already has an application under review.")
        taken = selectors.bills_in_other_applications([b.pk for b in bills])
        if taken:
            raise AssistanceError(
                f"Bill {', '.join(str(pk) for pk in sorted(taken))} is already in another application."
            )
        if any(hasattr(b, "cancellation") for b in bills):
            raise AssistanceError("A cancelled bill cannot be relieved; pick the bill that replaced it.")
        application = LeakReliefApplication(
            account=account, repair_proof=repair_proof, repaired_on=repaired_on,
            primary_residence=primary_residence, applied_on=today, terms=terms, note=note.strip()[:300],
            applied_by=actor,
        )  # fmt: skip
        application.save()
        application.bills.set(bills)
        eligibility, amount = _judged(application, terms, today)
        application.eligible, application.checks, application.relief_amount = (
            eligibility.eligible, _checks_json(eligibility), amount,
        )  # fmt: skip
        application.save(update_fields=["eligible", "checks", "relief_amount", "updated_at"])
        audit_record(
            actor=actor, action="leak_relief.apply", obj=application, account_id=account.pk, reason=note,
            after={"bills": sorted(b.pk for b in bills), "eligible": eligibility.eligible,
                   "relief_amount": str(amount), "repaired_on": str(repaired_on)},
        )  # fmt: skip
    return application


def _locked(application: LeakReliefApplication) -> LeakReliefApplication:
    accounts_lock([application.account_id])
    locked = LeakReliefApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.UNDER_REVIEW:
        raise AssistanceError(f"This application is already {locked.get_status_display().lower()}.")
    return LeakReliefApplication.objects.select_related("account__customer", "terms").get(pk=locked.pk)


def _end(application, *, actor, status, note, action, **after) -> LeakReliefApplication:
    before = {"status": application.status}
    application.status = status
    application.decided_by, application.decided_on, application.decided_at = (
        actor,
        clock.today(),
        timezone.now(),
    )
    application.decision_note = note.strip()[:300]
    application.save()
    audit_record(
        actor=actor, action=action, obj=application, account_id=application.account_id, reason=note,
        before=before, after={"status": status, **after},
    )  # fmt: skip
    return application


def application_approve(
    *, actor, application: LeakReliefApplication, note: str = ""
) -> LeakReliefApplication:
    """Approve relief: the rules judged again today (a payment may have come in since), and the relief credited
    as an adjustment requested by the approver. Within the approver's adjustment limit it posts at once; above
    it the adjustment waits in the adjustments queue for someone with a higher limit."""
    require(actor, "assistance.decide_leakreliefapplication")
    with transaction.atomic():
        application = _locked(application)
        today = clock.today()
        eligibility, amount = _judged(application, application.terms, today)
        application.eligible, application.checks, application.relief_amount = (
            eligibility.eligible, _checks_json(eligibility), amount,
        )  # fmt: skip
        if not eligibility.eligible:
            failed = "; ".join(f"{c.label}: {c.detail}" for c in eligibility.checks if not c.passed)
            raise AssistanceError(f"Not eligible today. {failed}")
        if amount <= Decimal("0.00"):
            raise AssistanceError("The recalculated usage gives no relief to credit; deny with a reason.")
        bills = ", ".join(str(b.pk) for b in application.bills.order_by("period_end"))
        adjustment = ledger.adjustment_request(
            actor=actor, account=application.account, reason_code=application.terms.adjustment_reason,
            memo=f"Leak relief, application {application.pk} (bill {bills})", amount=amount,
        )  # fmt: skip
        application.adjustment = adjustment
        return _end(
            application, actor=actor, status=ApplicationStatus.APPROVED, note=note, action="leak_relief.approve",
            relief_amount=str(amount), adjustment=adjustment.pk, adjustment_status=adjustment.status,
        )  # fmt: skip


def application_deny(*, actor, application: LeakReliefApplication, note: str) -> LeakReliefApplication:
    require(actor, "assistance.decide_leakreliefapplication")
    if not note.strip():
        raise AssistanceError("Say why the application is denied.")
    with transaction.atomic():
        application = _locked(application)
        return _end(
            application, actor=actor, status=ApplicationStatus.DENIED, note=note, action="leak_relief.deny"
        )


def application_withdraw(*, actor, application: LeakReliefApplication, note: str) -> LeakReliefApplication:
    """The customer withdraws the application: the review ends (late fees and collections resume)."""
    require(actor, "assistance.change_leakreliefapplication")
    if not note.strip():
        raise AssistanceError("Say who withdrew the application and why.")
    with transaction.atomic():
        application = _locked(application)
        return _end(
            application,
            actor=actor,
            status=ApplicationStatus.WITHDRAWN,
            note=note,
            action="leak_relief.withdraw",
        )


TERMS_FIELDS = [
    "effective_on", "bill_increase_minimum", "max_per_5_years", "max_consecutive_cycles", "forgiven_share",
    "relief_price", "adjustment_reason",
]  # fmt: skip


def terms_save(*, actor, terms: LeakReliefTerms, reason: str = "") -> LeakReliefTerms:
    """The program's terms from a day on, new or corrected, audited (the admin saves through here)."""
    adding = terms._state.adding
    require(actor, "assistance.add_leakreliefterms" if adding else "assistance.change_leakreliefterms")
    if adding and terms.created_by_id is None:
        terms.created_by = actor
    return record_save(actor=actor, obj=terms, fields=TERMS_FIELDS, action="leak_relief_terms", reason=reason)


def adjustment_waiting(application: LeakReliefApplication) -> bool:
    return application.adjustment is not None and application.adjustment.status == AdjustmentStatus.PENDING
