"""Applying, approving (the relief credited through the ledger's adjustments), denying, withdrawing; the review's
holds on late fees and collections; who may do what."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cistern.assistance import selectors, services
from cistern.assistance.models import ApplicationStatus, LeakReliefTerms
from cistern.core import clock
from cistern.core.models import AuditEvent
from cistern.customers.services import Application
from cistern.ledger import holds
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import AdjustmentStatus

from .conftest import proof

pytestmark = pytest.mark.django_db
ON = date(2026, 8, 20)


def balance(account):
    return ledger_selectors.receivable_balances([account.pk]).get(account.pk, Decimal("0.00"))


def apply(actor, account, bills, on=ON, **kwargs):
    values = {"repair_proof": proof(), "repaired_on": date(2026, 8, 1), "primary_residence": True}
    values.update(kwargs)
    with clock.on(on):
        return services.application_apply(actor=actor, account=account, bills=bills, **values)


def test_apply_judges_every_rule_and_waits_under_review(leak, css1):
    account, bill, _ = leak()
    application = apply(css1, account, [bill], note="Broken pipe under the slab")
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.applied_on == ON
    assert application.eligible is True
    assert [(c["rule"], c["passed"]) for c in application.checks] == [
        ("occupancy", True), ("bill_increase", True), ("per_customer", True), ("per_address", True),
        ("consecutive_cycles", True), ("good_faith", True), ("repair", True),
    ]  # fmt: skip
    assert "$1,800.80, $1,644.40 above last year's $156.40" in application.checks[1]["detail"]
    assert application.relief_amount == Decimal("316.80")
    assert application.repair_proof.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="leak_relief.apply", object_id=str(application.pk)).exists()


def test_approve_credits_the_account_to_the_cent(leak, css1, css2):
    account, bill, _ = leak()
    application = apply(css1, account, [bill])
    before = balance(account)
    assert before == Decimal("1800.80")  # $156.40 + $1,800.80 billed, $156.40 paid
    with clock.on(date(2026, 8, 24)):
        approved = services.application_approve(actor=css2, application=application, note="Plumber's invoice")
    assert approved.status == ApplicationStatus.APPROVED and approved.decided_on == date(2026, 8, 24)
    assert approved.decided_by == css2
    adjustment = approved.adjustment
    assert adjustment.status == AdjustmentStatus.POSTED and adjustment.amount == Decimal("316.80")
    assert adjustment.requested_by == css2 and adjustment.reason.code == "leak_adjustment"
    assert balance(account) == Decimal("1484.00")
    assert selectors.accounts_under_review([account.pk], date(2026, 8, 24)) == {}
    # The review ran from 08/20 to the day before the decision.
    assert selectors.accounts_under_review([account.pk], date(2026, 8, 23)) == {account.pk: ON}


def test_above_the_approvers_limit_the_credit_waits(leak, css1, css2, supervisor):
    # 300 units against 12: 144 forgiven units at $12.95 re-priced at $8.00: $712.80, over a lead's $500.00.
    account, bill, _ = leak(units=300)
    application = apply(css1, account, [bill])
    assert application.relief_amount == Decimal("712.80")
    before = balance(account)
    with clock.on(date(2026, 8, 24)):
        approved = services.application_approve(actor=css2, application=application)
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.adjustment.status == AdjustmentStatus.PENDING
    assert "over your adjustment limit of $500.00" in approved.adjustment.why_approval
    assert balance(account) == before
    from cistern.ledger import services as ledger

    ledger.adjustment_decide(actor=supervisor, adjustment=approved.adjustment, approve=True)
    assert balance(account) == before - Decimal("712.80")


def test_approve_refused_when_not_eligible(leak, css1, css2):
    account, bill, _ = leak(paid="100.00")  # less than last year's $156.40 by the due date
    application = apply(css1, account, [bill])
    assert application.eligible is False
    with clock.on(date(2026, 8, 24)), pytest.raises(services.AssistanceError, match="Good-faith payment"):
        services.application_approve(actor=css2, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.adjustment is None


def test_deny_and_withdraw_end_the_review(leak, css1, css2):
    account, bill, _ = leak()
    application = apply(css1, account, [bill])
    assert holds.held_accounts([account.pk], ON) == {account.pk}
    with pytest.raises(services.AssistanceError, match="why"):
        services.application_deny(actor=css2, application=application, note=" ")
    with clock.on(date(2026, 8, 22)):
        services.application_deny(actor=css2, application=application, note="Irrigation left on, not a leak")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DENIED and application.decision_note.startswith(
        "Irrigation"
    )
    assert holds.held_accounts([account.pk], date(2026, 8, 22)) == set()
    assert holds.held_accounts([account.pk], date(2026, 8, 21)) == {account.pk}
    # Denied, the bill may be applied for again; withdrawn, the review ends.
    again = apply(css1, account, [bill])
    with clock.on(date(2026, 8, 25)):
        services.application_withdraw(actor=css1, application=again, note="Customer called: paid in full")
    again.refresh_from_db()
    assert again.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(services.AssistanceError, match="already withdrawn"):
        services.application_approve(actor=css2, application=again)


def test_one_review_per_account_and_a_bill_relieved_once(leak, css1, css2):
    account, bill, last_year = leak()
    application = apply(css1, account, [bill])
    with pytest.raises(services.AssistanceError, match="already has an application under review"):
        apply(css1, account, [last_year])
    with clock.on(date(2026, 8, 24)):
        services.application_approve(actor=css2, application=application)
    with pytest.raises(services.AssistanceError, match="already in another application"):
        apply(css1, account, [bill])


def test_reliefs_count_by_customer_and_by_address(leak, css1, css2, customer_factory, post_bill, pay):
    account, bill, _ = leak()
    with clock.on(date(2026, 8, 24)):
        services.application_approve(actor=css2, application=apply(css1, account, [bill]))
    post_bill(account, date(2025, 9, 25), 12)
    second = post_bill(account, date(2026, 9, 25), 140)  # a new leak two months on
    pay(account, date(2026, 10, 5), "156.40")
    application = apply(css1, account, [second], on=date(2026, 10, 10))
    checks = {c["rule"]: c for c in application.checks}
    assert checks["per_customer"]["passed"] and checks["per_address"]["passed"]
    assert "1 granted to the customer" in checks["per_customer"]["detail"]
    # A third: the customer (and the address) had 2 in 5 years.
    with clock.on(date(2026, 10, 12)):
        services.application_approve(actor=css2, application=application)
    third = post_bill(account, date(2026, 11, 25), 140)
    application = apply(css1, account, [third], on=date(2026, 12, 1))
    failed = [c["rule"] for c in application.checks if not c["passed"]]
    assert "per_customer" in failed and "per_address" in failed


def test_tenant_and_vacation_rental(leak, css1):
    tenant = Application(
        relationship="tenant", occupancy_type="rental", identity_method="credit_check",
        credit_decision="acceptable", deposit_required=False, charge_setup_fee=False,
    )  # fmt: skip
    account, bill, _ = leak(application=tenant)
    assert apply(css1, account, [bill], primary_residence=False).eligible is True
    vacation = tenant._replace(occupancy_type="vacation") if hasattr(tenant, "_replace") else None
    if vacation is None:
        from dataclasses import replace

        vacation = replace(tenant, occupancy_type="vacation")
    account, bill, _ = leak(application=vacation)
    application = apply(css1, account, [bill], primary_residence=False)
    assert application.eligible is False
    assert [c["rule"] for c in application.checks if not c["passed"]] == ["occupancy"]


def test_terms_are_data_and_saved_audited(leak, css1, supervisor, css2):
    terms = LeakReliefTerms(
        effective_on=date(2026, 8, 1), bill_increase_minimum=Decimal("2000.00"), max_per_5_years=2,
        max_consecutive_cycles=2, forgiven_share=Decimal("100"), relief_price=Decimal("9.65"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.terms_save(actor=css2, terms=terms)
    services.terms_save(actor=supervisor, terms=terms, reason="Board resolution 26-10")
    assert AuditEvent.objects.filter(action="leak_relief_terms.add").exists()
    account, bill, _ = leak()
    application = apply(css1, account, [bill])
    assert application.terms == terms and application.eligible is False  # $1,644.40 is not $2,000.00 above
    # 128 excess units, all forgiven: 120 at $12.95 and 8 at $11.30 = $1,644.40, re-priced at $9.65 = $1,235.20.
    assert application.relief_amount == Decimal("409.20")


def test_permissions(leak, make_user, css1):
    from cistern.core import roles

    account, bill, _ = leak()
    for role in (roles.CASHIER, roles.AUDITOR, roles.FIELD_TECHNICIAN):
        with pytest.raises(PermissionDenied):
            apply(make_user(role, username=f"no_{role}".replace(" ", "_")), account, [bill])
    application = apply(css1, account, [bill])
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=css1, application=application)
    with pytest.raises(PermissionDenied):
        services.application_deny(actor=css1, application=application, note="no")


@pytest.mark.parametrize(
    "upload, message",
    [
        (proof("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024)), "at most 5 MB"),
        (proof("leak.docx", b"PK\x03\x04", "application/vnd.openxmlformats"), "PDF, JPEG or PNG"),
        (proof("fake.pdf", b"MZ\x90\x00", "application/pdf"), "its content says otherwise"),
    ],
)
def test_proof_refused(leak, css1, upload, message):
    account, bill, _ = leak()
    with pytest.raises(services.AssistanceError, match=message):
        apply(css1, account, [bill], repair_proof=upload)


def test_proof_of_exactly_5_mb_and_a_png(leak, css1):
    account, bill, _ = leak()
    exactly = proof("receipt.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024 - 4))
    assert apply(css1, account, [bill], repair_proof=exactly).pk


def test_no_late_fee_while_under_review(leak, css1, css2, billing_admin):
    from cistern.demo.rates import load_rates
    from cistern.ledger import services as ledger

    load_rates()
    account, bill, _ = leak(paid="156.40")  # $1,644.40 of the bill still open after its due date, 08/17
    other, other_bill, _ = leak()
    apply(css1, account, [bill])
    later = date(2026, 10, 1)  # well past the penalty day
    fees = ledger.assess_late_fees(actor=billing_admin, on=later)
    charged = {line.account_id for entry in fees for line in entry.lines.all() if line.account_id}
    assert account.pk not in charged and other.pk in charged
