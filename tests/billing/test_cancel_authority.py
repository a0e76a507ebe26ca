"""Cancelling a bill is a credit under the same authority as an adjustment: the charges (without a rebill) or
what the rebill takes off them; within the clerk's limit and the day's total it happens at once, above it a
lead who is not the requester, within their own limit, approves."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from cistern.billing import services
from cistern.billing.models import Bill, BillCancellation, BillCancelRequest
from cistern.core import clock, roles
from cistern.ledger import selectors as ledger
from cistern.ledger.services import adjustment_request
from cistern.ledger.verify import breaches
from cistern.metering.models import Read
from cistern.metering.services import read_correct

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)
TODAY = date(2026, 8, 3)


@pytest.fixture
def lead2(make_user):
    return make_user(roles.CSS_II, username="lead_second")


def _billed(district, biller, lead, *accounts):
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    return [Bill.objects.get(account=a) for a in accounts]


def test_within_the_limit_a_cancellation_happens_at_once(district, biller, lead, metered_account):
    account = metered_account([(JUL, "112")])
    (bill,) = _billed(district, biller, lead, account)
    before = ledger.account_balance(account)
    with clock.on(TODAY):
        asked = services.bill_cancel_request(
            actor=lead, bill=bill, reason="Customer moved before this", rebill=False
        )
    assert (asked.status, asked.credit, asked.done_on, asked.decided_by) == (
        "approved",
        D("156.40"),
        TODAY,
        None,
    )
    assert asked.cancellation == BillCancellation.objects.get(bill=bill)
    assert ledger.account_balance(account) == before - D("156.40")
    assert ledger.credited(actor_id=lead.pk, account_id=account.pk, day=TODAY) == D("156.40")
    assert breaches() == []


def test_over_the_limit_the_cancellation_waits_for_a_lead_within_their_own_limit(
    client, district, biller, lead, lead2, supervisor, metered_account
):
    """Seen: a CSS II with a $500 limit wiped $1,596.76."""
    account = metered_account([(JUL, "220")])  # 120 units
    (bill,) = _billed(district, biller, lead, account)
    assert bill.current_charges == D("1541.80")
    before = ledger.account_balance(account)

    with pytest.raises(services.BillingError, match=r"\$1,541.80 is over your adjustment limit of \$500.00"):
        services.bill_cancel(actor=lead, bill=bill, reason="Wipe it", rebill=False)  # now or not at all
    assert not BillCancelRequest.objects.exists()

    client.force_login(lead)
    response = client.post(reverse("billing:bill_cancel", args=[bill.pk]), {"reason": "Wipe it"}, follow=True)
    page = response.content.decode()
    assert (
        "the cancellation waits for a lead&#x27;s approval: $1,541.80 is over your adjustment limit" in page
    )
    assert (
        "Cancellation waiting for approval: a credit of $1,541.80" in page and 'id="cancel-bill"' not in page
    )
    asked = BillCancelRequest.objects.get()
    assert (asked.status, asked.credit, asked.rebill) == ("pending", D("1541.80"), False)
    assert not BillCancellation.objects.exists() and ledger.account_balance(account) == before
    with pytest.raises(services.BillingError, match="already waits for approval"):
        services.bill_cancel_request(actor=lead, bill=bill, reason="Again", rebill=False)

    with pytest.raises(services.BillingError, match="Someone other than the requester"):
        services.bill_cancel_decide(actor=lead, request=asked, approve=True)
    with pytest.raises(services.BillingError, match=r"\$1,541.80 is over your adjustment limit of \$500.00"):
        services.bill_cancel_decide(actor=lead2, request=asked, approve=True)
    assert not BillCancellation.objects.exists() and ledger.account_balance(account) == before

    client.force_login(supervisor)
    queue = client.get(reverse("ledger:adjustments_pending")).content.decode()
    assert (
        "Bill cancellations to approve" in queue
        and f"Cancel bill {bill.pk}" in queue
        and "$1,541.80" in queue
    )
    with clock.on(TODAY):
        client.post(
            reverse("billing:cancel_decide", args=[asked.pk]), {"decision": "approve", "note": "Checked"}
        )
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by, asked.done_on) == ("approved", supervisor, TODAY)
    assert BillCancellation.objects.get(bill=bill).cancelled_by == supervisor
    assert ledger.account_balance(account) == before - D("1541.80")
    assert (
        "Bill cancellations to approve" in client.get(reverse("ledger:adjustments_pending")).content.decode()
    )
    assert f"Cancel bill {bill.pk}" not in client.get(reverse("ledger:adjustments_pending")).content.decode()
    assert breaches() == []


def test_a_rejected_cancellation_leaves_the_bill_and_may_be_asked_again(
    district, biller, lead, supervisor, metered_account
):
    account = metered_account([(JUL, "220")])
    (bill,) = _billed(district, biller, lead, account)
    asked = services.bill_cancel_request(actor=lead, bill=bill, reason="Wipe it", rebill=False)
    with pytest.raises(services.BillingError, match="Say why the cancellation is rejected"):
        services.bill_cancel_decide(actor=supervisor, request=asked, approve=False)
    rejected = services.bill_cancel_decide(
        actor=supervisor, request=asked, approve=False, note="Bill is right"
    )
    assert rejected.status == "rejected" and rejected.cancellation is None
    with pytest.raises(services.BillingError, match="already rejected"):
        services.bill_cancel_decide(actor=supervisor, request=asked, approve=True)
    assert not BillCancellation.objects.exists()
    again = services.bill_cancel_request(actor=lead, bill=bill, reason="New facts", rebill=False)
    assert again.status == "pending"


def test_with_a_rebill_only_the_difference_counts(district, biller, lead, supervisor, metered_account):
    small_fix, big_fix = metered_account([(JUL, "160")]), metered_account([(JUL, "220")])
    small_bill, big_bill = _billed(district, biller, lead, small_fix, big_fix)
    assert (small_bill.current_charges, big_bill.current_charges) == (D("764.80"), D("1541.80"))
    before_big = ledger.account_balance(big_fix)
    for account, value in ((small_fix, "140"), (big_fix, "112")):  # misreads corrected
        read_correct(actor=supervisor, read=Read.objects.get(account=account, read_on=JUL), value=value,
                     reason="Misread")  # fmt: skip

    # Charges over the lead's $500, but the rebill takes only $259.00 off them: done at once.
    with clock.on(TODAY):
        new = services.bill_cancel(actor=lead, bill=small_bill, reason="Misread: read corrected")
    assert new.replaces_id == small_bill.pk and new.current_charges == D("505.80")
    assert BillCancelRequest.objects.get(bill=small_bill).credit == D("259.00")
    assert ledger.credited(actor_id=lead.pk, account_id=small_fix.pk, day=TODAY) == D("259.00")

    # $1,541.80 rebilled at $156.40 takes $1,385.40 off: it waits, and the rebill is made when approved.
    asked = services.bill_cancel_request(actor=lead, bill=big_bill, reason="Misread: read corrected")
    assert (asked.status, asked.rebill, asked.credit) == ("pending", True, D("1385.40"))
    assert not Bill.objects.filter(replaces=big_bill).exists()
    done = services.bill_cancel_decide(
        actor=supervisor, request=asked, approve=True, note="Photo of the dial"
    )
    assert done.status == "approved" and done.credit == D("1385.40")
    assert Bill.objects.get(replaces=big_bill).current_charges == D("156.40")
    assert ledger.account_balance(big_fix) == before_big - D("1385.40")
    assert breaches() == []


def test_cancellations_and_adjustments_share_the_days_total(district, biller, lead, metered_account):
    """Seen: three $50 credits under a $50 limit (the day's total counts a bill's cancellation too)."""
    account = metered_account([(JUL, "125")])  # 25 units
    (bill,) = _billed(district, biller, lead, account)
    assert bill.current_charges == D("311.55")
    with clock.on(TODAY):
        credit = adjustment_request(actor=lead, account=account, reason_code="courtesy_credit", amount=D("200.00"),
                                    memo="Courtesy")  # fmt: skip
        assert credit.status == "posted"
        asked = services.bill_cancel_request(actor=lead, bill=bill, reason="Duplicate", rebill=False)
        assert asked.status == "pending"  # $200.00 + $311.55 is over $500.00 a day
        assert asked.why_approval == (
            "$200.00 already credited to this account today and $311.55 more is over your adjustment limit of "
            "$500.00 a day."
        )
    # The next day the lead's total starts again, but this request still waits.
    with clock.on(date(2026, 8, 4)), pytest.raises(services.BillingError, match="already waits for approval"):
        services.bill_cancel_request(actor=lead, bill=bill, reason="Duplicate", rebill=False)
