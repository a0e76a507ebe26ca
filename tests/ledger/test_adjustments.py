"""Adjustments: within the clerk's limit they post at once; above it a lead (not the requester) approves."""

from decimal import Decimal as D

import pytest

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.ledger import selectors
from cistern.ledger.models import Adjustment, JournalEntry
from cistern.ledger.services import LedgerError, adjustment_decide, adjustment_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead2(make_user):
    return make_user(roles.CSS_II, username="css_ii_second")


def test_within_the_limit_a_credit_posts_at_once(css1, start_account):
    account = start_account()
    adjustment = adjustment_request(
        actor=css1,
        account=account,
        reason_code="courtesy_credit",
        amount=D("25.00"),
        memo="Missed appointment",
    )
    assert adjustment.status == "posted" and adjustment.entry is not None
    assert selectors.account_balance(account) == D("-25.00")
    assert sorted(adjustment.entry.lines.values_list("gl_account__code", "amount")) == [
        ("1200", D("-25.00")), ("4900", D("25.00")),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="adjustment.request", account_id=account.pk, actor=css1).exists()


def test_above_the_limit_it_waits_and_a_lead_approves(css1, css2, lead2, make_user, start_account):
    account = start_account()
    adjustment = adjustment_request(
        actor=css1,
        account=account,
        reason_code="leak_adjustment",
        amount=D("180.00"),
        memo="Leak repaired 10/12",
    )
    assert adjustment.status == "pending" and not JournalEntry.objects.exists()
    assert adjustment.why_approval == "$180.00 is over your adjustment limit of $50.00."
    assert selectors.account_balance(account) == D("0.00")
    approved = adjustment_decide(
        actor=css2, adjustment=adjustment, approve=True, note="Plumber's invoice seen"
    )
    assert approved.status == "posted" and approved.decided_by == css2
    assert selectors.account_balance(account) == D("-180.00")
    with pytest.raises(LedgerError, match="already posted"):
        adjustment_decide(actor=lead2, adjustment=adjustment, approve=True)


def test_the_requester_does_not_approve_and_a_lead_stays_within_their_own_limit(css2, lead2, start_account):
    account = start_account()
    big = adjustment_request(
        actor=css2,
        account=account,
        reason_code="billing_error",
        amount=D("800.00"),
        memo="Wrong meter multiplier",
    )
    assert big.status == "pending"  # over CSS II's $500
    with pytest.raises(LedgerError, match="Someone other than the requester"):
        adjustment_decide(actor=css2, adjustment=big, approve=True)
    with pytest.raises(LedgerError, match=r"\$800.00 is over your adjustment limit of \$500.00"):
        adjustment_decide(actor=lead2, adjustment=big, approve=True)
    with pytest.raises(LedgerError, match="Say why"):
        adjustment_decide(actor=lead2, adjustment=big, approve=False)
    rejected = adjustment_decide(actor=lead2, adjustment=big, approve=False, note="Send to the supervisor")
    assert rejected.status == "rejected" and rejected.entry is None


def test_a_clerk_reverses_one_late_fee_per_account_per_year(css1, css2, start_account):
    account = start_account()
    first = adjustment_request(actor=css1, account=account, reason_code="late_fee_reversal", amount=D("10.00"),
                               memo="First late payment")  # fmt: skip
    assert first.status == "posted"
    assert (
        first.entry.lines.get(amount=D("10.00")).gl_account.code == "4220"
    )  # takes back the penalty revenue
    second = adjustment_request(actor=css1, account=account, reason_code="late_fee_reversal", amount=D("10.00"),
                                memo="Again")  # fmt: skip
    assert second.status == "pending"
    assert "1 already in the last 12 months" in second.why_approval
    other = adjustment_request(actor=css1, account=start_account(), reason_code="late_fee_reversal",
                               amount=D("10.00"), memo="Another customer")  # fmt: skip
    assert other.status == "posted"  # the rule counts per account
    lead = adjustment_request(actor=css2, account=account, reason_code="late_fee_reversal", amount=D("10.00"),
                              memo="Lead's call")  # fmt: skip
    assert lead.status == "posted"  # a lead is not held to the clerk's rule


@pytest.mark.parametrize(
    "reason,amount,memo,message",
    [
        ("courtesy_credit", D("0.00"), "x", "other than zero"),
        ("courtesy_credit", D("1.005"), "x", "not an amount in cents"),
        ("courtesy_credit", D("5.00"), "  ", "Say what the adjustment is for"),
        ("made_up", D("5.00"), "x", "No adjustment reason 'made_up'"),
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(css1, start_account, reason, amount, memo, message):
    with pytest.raises(LedgerError, match=message):
        adjustment_request(actor=css1, account=start_account(), reason_code=reason, amount=amount, memo=memo)
    assert not Adjustment.objects.exists() and not JournalEntry.objects.exists()


def test_the_pages_adjust_and_approve(client, css1, css2, start_account):
    account = start_account()
    client.force_login(css1)
    response = client.post(
        f"/ledger/accounts/{account.number}/adjust/",
        {"reason": "billing_error", "direction": "credit", "amount": "75.00", "memo": "Read keyed wrong"},
        follow=True,
    )
    assert (
        "waits for a lead&#x27;s approval: $75.00 is over your adjustment limit of $50.00."
        in response.content.decode()
    )
    client.force_login(css2)
    queue = client.get("/ledger/adjustments/").content.decode()
    assert "Read keyed wrong" in queue
    waiting = Adjustment.objects.get()
    client.post(f"/ledger/adjustments/{waiting.pk}/decide/", {"decision": "approve", "note": ""})
    waiting.refresh_from_db()
    assert waiting.status == "posted"
    assert selectors.account_balance(account) == D("-75.00")
    assert "Nothing waits for approval." in client.get("/ledger/adjustments/").content.decode()
