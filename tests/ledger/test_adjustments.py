"""Adjustments: within the clerk's limit (one credit, and the day's total on an account) they post at once;
above it a lead (not the requester, within their own limit) approves. A late-fee reversal reverses a late fee
that was charged: picked, never typed."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.demo.rates import load_rates
from cistern.ledger import selectors
from cistern.ledger.models import Adjustment, JournalEntry, JournalLine
from cistern.ledger.services import (
    LedgerError,
    Posting,
    adjustment_decide,
    adjustment_request,
    assess_late_fees,
    journal_post,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 26)


@pytest.fixture
def lead2(make_user):
    return make_user(roles.CSS_II, username="css_ii_second")


def _credit(actor, account, amount, memo="Courtesy", reason="courtesy_credit"):
    return adjustment_request(actor=actor, account=account, reason_code=reason, amount=D(amount), memo=memo)


def test_within_the_limit_a_credit_posts_at_once(css1, start_account):
    account = start_account()
    before = selectors.account_balance(account)
    adjustment = _credit(css1, account, "25.00", "Missed appointment")
    assert adjustment.status == "posted" and adjustment.entry is not None
    assert selectors.account_balance(account) == before - D("25.00")
    assert sorted(adjustment.entry.lines.values_list("gl_account__code", "amount")) == [
        ("1200", D("-25.00")), ("4900", D("25.00")),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="adjustment.request", account_id=account.pk, actor=css1).exists()


def test_above_the_limit_it_waits_and_a_lead_approves(css1, css2, lead2, start_account):
    account = start_account()
    before = selectors.account_balance(account)
    adjustment = _credit(css1, account, "180.00", "Leak repaired 10/12", reason="leak_adjustment")
    assert (
        adjustment.status == "pending" and not JournalEntry.objects.filter(source_kind="adjustment").exists()
    )
    assert adjustment.why_approval == "$180.00 is over your adjustment limit of $50.00."
    assert selectors.account_balance(account) == before
    approved = adjustment_decide(
        actor=css2, adjustment=adjustment, approve=True, note="Plumber's invoice seen"
    )
    assert approved.status == "posted" and approved.decided_by == css2
    assert selectors.account_balance(account) == before - D("180.00")
    with pytest.raises(LedgerError, match="already posted"):
        adjustment_decide(actor=lead2, adjustment=adjustment, approve=True)


def test_the_requester_does_not_approve_and_a_lead_stays_within_their_own_limit(css2, lead2, start_account):
    account = start_account()
    big = _credit(css2, account, "800.00", "Wrong meter multiplier", reason="billing_error")
    assert big.status == "pending"  # over CSS II's $500
    with pytest.raises(LedgerError, match="Someone other than the requester"):
        adjustment_decide(actor=css2, adjustment=big, approve=True)
    with pytest.raises(LedgerError, match=r"\$800.00 is over your adjustment limit of \$500.00"):
        adjustment_decide(actor=lead2, adjustment=big, approve=True)
    with pytest.raises(LedgerError, match="Say why"):
        adjustment_decide(actor=lead2, adjustment=big, approve=False)
    rejected = adjustment_decide(actor=lead2, adjustment=big, approve=False, note="Send to the supervisor")
    assert rejected.status == "rejected" and rejected.entry is None


# --- the day's total ---------------------------------------------------------------------------------------


def test_the_limit_caps_the_days_total_per_clerk_per_account(css1, css2, make_user, start_account):
    """Seen: three $50 credits under a $50 limit."""
    account, other_account = start_account(), start_account()
    other_clerk = make_user(roles.CSS_I, username="css_i_second")
    before = selectors.account_balance(account)
    with clock.on(DAY):
        first = _credit(css1, account, "50.00")
        second = _credit(css1, account, "50.00")
        third = _credit(css1, account, "50.00")
        assert [first.status, second.status, third.status] == ["posted", "pending", "pending"]
        assert second.why_approval == (
            "$50.00 already credited to this account today and $50.00 more is over your adjustment limit of "
            "$50.00 a day."
        )
        assert selectors.account_balance(account) == before - D("50.00")
        assert _credit(css1, other_account, "50.00").status == "posted"  # the total is per account
        assert _credit(other_clerk, account, "50.00").status == "posted"  # and per clerk
        assert _credit(css1, account, "-20.00").status == "posted"  # a charge to the customer is not a credit
        adjustment_decide(actor=css2, adjustment=second, approve=True, note="Seen")
    with clock.on(date(2026, 11, 27)):  # a new day
        assert _credit(css1, account, "30.00").status == "posted"
        assert _credit(css1, account, "20.00").status == "posted"  # $50.00 in all: at the limit, not over it
        assert _credit(css1, account, "0.01").status == "pending"
    assert selectors.credited(actor_id=css1.pk, account_id=account.pk, day=DAY) == D(
        "100.00"
    )  # with approved
    assert selectors.credited(actor_id=css1.pk, account_id=account.pk, day=date(2026, 11, 27)) == D("50.00")


# --- late-fee reversals ------------------------------------------------------------------------------------


def _late_fee(billing, actor, account, amount="150.00"):
    """A bill due 09/25/2026, unpaid, and its late penalty assessed on 11/26/2026."""
    journal_post(
        actor=actor, entry_date=date(2026, 9, 5), memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=date(2026, 9, 25)), Posting("4110", -D(amount))],
    )  # fmt: skip
    (fee,) = [e for e in assess_late_fees(actor=billing, on=DAY) if e.lines.filter(account=account).exists()]
    return fee


def _penalty_revenue():
    """Late penalty revenue (GL 4220): its credits less its debits."""
    return -(JournalLine.objects.filter(gl_account__code="4220").aggregate(t=Sum("amount"))["t"] or D(0))


@pytest.fixture
def billing(make_user):
    load_rates()
    return make_user(roles.BILLING_ADMIN, username="billing_adjust")


def test_a_late_fee_reversal_reverses_a_fee_that_was_charged(billing, css1, css2, start_account):
    """Seen: a CSS I "reversed" a fee never charged and late penalty revenue went negative."""
    account, neighbour = start_account(), start_account()
    fee = _late_fee(billing, css2, account)  # 10% of $150.00
    neighbours_fee = _late_fee(billing, css2, neighbour, "40.00")  # the $10.00 minimum
    bill = JournalEntry.objects.filter(source_kind="bill", lines__account=account).get()
    assert _penalty_revenue() == D("25.00")
    before = selectors.account_balance(account)

    def reverse(**kwargs):
        kwargs.setdefault("late_fee", fee)
        return adjustment_request(
            actor=css1, account=account, reason_code="late_fee_reversal", memo="First late payment", **kwargs
        )

    refused = [
        ({"late_fee": None, "amount": D("15.00")}, "Pick the late fee to reverse"),  # a free amount
        ({"late_fee": bill}, f"JE {bill.pk} is not a late fee charged to account {account.number}"),
        ({"late_fee": neighbours_fee}, f"JE {neighbours_fee.pk} is not a late fee charged to account"),
        ({"amount": D("50.00")}, r"credits the fee charged, \$15.00, not \$50.00"),
    ]
    for kwargs, message in refused:
        with pytest.raises(LedgerError, match=message):
            reverse(**kwargs)
    with pytest.raises(LedgerError, match="Only a late-fee reversal names a late fee"):
        adjustment_request(actor=css1, account=account, reason_code="courtesy_credit", amount=D("15.00"),
                           memo="x", late_fee=fee)  # fmt: skip
    assert not Adjustment.objects.exists() and _penalty_revenue() == D("25.00")

    reversal = reverse()  # the clerk picks the fee; its amount is the fee's
    assert reversal.status == "posted" and reversal.amount == D("15.00") and reversal.late_fee_entry == fee
    assert reversal.entry.reverses == fee
    assert sorted(reversal.entry.lines.values_list("gl_account__code", "amount")) == sorted(
        (code, -amount) for code, amount in fee.lines.values_list("gl_account__code", "amount")
    )  # the exact negation: the revenue line too
    assert selectors.account_balance(account) == before - D("15.00")
    assert _penalty_revenue() == D("10.00")  # only the neighbour's fee stands
    assert list(selectors.late_fees_to_reverse(account.pk)) == []
    assert [(e.pk, e.fee) for e in selectors.late_fees_to_reverse(neighbour.pk)] == [
        (neighbours_fee.pk, D("10.00"))
    ]
    with pytest.raises(LedgerError, match=f"The late fee of JE {fee.pk} is already reversed"):
        reverse()
    assert _penalty_revenue() == D("10.00") >= 0


def test_one_reversal_per_fee_and_a_clerk_reverses_one_per_account_per_year(
    billing, css1, css2, start_account
):
    account = start_account()
    first = _late_fee(billing, css2, account)
    with clock.on(date(2026, 12, 28)):  # a second bill, past due a month later: a second fee
        journal_post(
            actor=css2, entry_date=date(2026, 10, 5), memo="Water bill", source_kind="bill",
            postings=[Posting("1200", D("60.00"), account.pk, due_date=date(2026, 10, 25)),
                      Posting("4110", D("-60.00"))],
        )  # fmt: skip
        (second,) = assess_late_fees(actor=billing, on=date(2026, 12, 28))
    assert [e.pk for e in selectors.late_fees_to_reverse(account.pk)] == [second.pk, first.pk]

    done = adjustment_request(actor=css1, account=account, reason_code="late_fee_reversal", memo="First",
                              late_fee=first)  # fmt: skip
    assert done.status == "posted"
    waiting = adjustment_request(actor=css1, account=account, reason_code="late_fee_reversal", memo="Again",
                                 late_fee=second)  # fmt: skip
    assert waiting.status == "pending" and "1 already in the last 12 months" in waiting.why_approval
    assert list(selectors.late_fees_to_reverse(account.pk)) == []  # one waits, one is reversed
    with pytest.raises(LedgerError, match="already has a reversal waiting"):
        adjustment_request(actor=css2, account=account, reason_code="late_fee_reversal", memo="Lead's call",
                           late_fee=second)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Adjustment.objects.create(
            account=account, reason=waiting.reason, amount=waiting.amount, memo="Twice", status="pending",
            requested_by=css2, late_fee_entry=second,
        )  # fmt: skip
    approved = adjustment_decide(actor=css2, adjustment=waiting, approve=True, note="Hardship")
    assert approved.status == "posted" and approved.entry.reverses == second


@pytest.mark.parametrize(
    "reason,amount,memo,message",
    [
        ("courtesy_credit", D("0.00"), "x", "other than zero"),
        ("courtesy_credit", D("1.005"), "x", "not an amount in cents"),
        ("courtesy_credit", None, "x", "not an amount in cents"),
        ("courtesy_credit", D("5.00"), "  ", "Say what the adjustment is for"),
        ("made_up", D("5.00"), "x", "No adjustment reason 'made_up'"),
        ("late_fee_reversal", D("10.00"), "x", "Pick the late fee to reverse"),
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(css1, start_account, reason, amount, memo, message):
    account = start_account()
    lines = JournalLine.objects.count()
    with pytest.raises(LedgerError, match=message):
        adjustment_request(actor=css1, account=account, reason_code=reason, amount=amount, memo=memo)
    assert not Adjustment.objects.exists() and JournalLine.objects.count() == lines


def test_the_pages_adjust_and_approve(client, css1, css2, start_account):
    account = start_account()
    before = selectors.account_balance(account)
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
    assert selectors.account_balance(account) == before - D("75.00")
    assert "Nothing waits for approval." in client.get("/ledger/adjustments/").content.decode()


def test_the_adjust_page_offers_the_accounts_late_fees_to_pick(client, billing, css1, css2, start_account):
    account = start_account()
    fee = _late_fee(billing, css2, account, "80.00")
    client.force_login(css1)
    url = f"/ledger/accounts/{account.number}/adjust/"
    page = client.get(url).content.decode()
    assert "<label>Late fee to reverse (late-fee reversal only)" in page
    assert f'<option value="{fee.pk}">$10.00 charged 11/26/2026 (JE {fee.pk}): ' in page
    data = {"reason": "late_fee_reversal", "direction": "credit", "amount": "", "memo": "First late payment"}
    page = client.post(url, data).content.decode()
    assert "Pick the late fee to reverse." in page and not Adjustment.objects.exists()
    response = client.post(url, {**data, "late_fee": fee.pk}, follow=True)
    assert "Late-fee reversal $10.00" in response.content.decode()
    (reversal,) = Adjustment.objects.all()
    assert reversal.status == "posted" and reversal.entry.reverses == fee
    assert f'<option value="{fee.pk}">' not in client.get(url).content.decode()
