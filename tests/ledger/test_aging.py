"""Open items and aging: a reversal closes what it reverses; the other credits go to the oldest charges first;
buckets by days past the due date: not yet due, 1-30, 31-60, 61-90, over 90."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.core import roles
from cistern.demo.rates import load_rates
from cistern.ledger import selectors
from cistern.ledger.aging import BUCKETS, LABELS, Movement, aging, bucket, open_items
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import Posting, assess_late_fees, journal_post, journal_reverse

AS_OF = date(2026, 11, 26)


def test_buckets_by_days_past_due():
    assert [bucket(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 400)] == [
        "not_due", "not_due", "1_30", "1_30", "31_60", "31_60", "61_90", "61_90", "over_90", "over_90",
    ]  # fmt: skip
    assert [LABELS[b] for b in BUCKETS] == [
        "Not yet due", "1-30 days", "31-60 days", "61-90 days", "Over 90 days",
    ]  # fmt: skip


def test_a_payment_pays_the_oldest_bill_first():
    moves = [
        Movement(date(2026, 7, 5), D("80.00"), due=date(2026, 7, 25)),  # 124 days past due
        Movement(date(2026, 9, 5), D("90.00"), due=date(2026, 9, 25)),  # 62
        Movement(date(2026, 10, 5), D("100.00"), due=date(2026, 10, 25)),  # 32
        Movement(date(2026, 11, 5), D("110.00"), due=date(2026, 11, 25)),  # 1
        Movement(date(2026, 11, 20), D("30.00"), due=date(2026, 12, 10)),  # not yet due
        Movement(date(2026, 11, 10), D("-120.00")),  # pays July's 80 and 40 of September's
    ]
    items, credit = open_items(moves)
    assert [(i.due, i.open) for i in items] == [
        (date(2026, 9, 25), D("50.00")), (date(2026, 10, 25), D("100.00")), (date(2026, 11, 25), D("110.00")),
        (date(2026, 12, 10), D("30.00")),
    ]  # fmt: skip
    assert credit == 0
    assert aging(moves, AS_OF) == {
        "not_due": D("30.00"), "1_30": D("110.00"), "31_60": D("100.00"), "61_90": D("50.00"),
        "over_90": D("0.00"),
    }  # fmt: skip


def test_a_credit_balance_is_negative_not_yet_due_and_the_buckets_sum_to_the_balance():
    moves = [Movement(date(2026, 10, 5), D("45.55")), Movement(date(2026, 10, 20), D("-100.00"))]
    result = aging(moves, AS_OF)
    assert result["not_due"] == D("-54.45") and sum(result.values()) == D("-54.45")
    assert open_items(moves) == ([], D("54.45"))


def test_a_charge_without_a_due_date_ages_from_its_date():
    result = aging([Movement(date(2026, 6, 1), D("10.00"))], AS_OF)  # 178 days
    assert result["over_90"] == D("10.00")


def test_a_reversal_closes_the_charge_it_reverses_not_the_oldest():
    """Seen in the code: bill A $50 unpaid, bill B cancelled, rebill B': aging showed cancelled B open and
    A gone (the reversal's credit paid A, the oldest)."""
    a = Movement(date(2026, 9, 5), D("50.00"), due=date(2026, 9, 25), line_id=1, kind="bill")
    b = Movement(date(2026, 10, 5), D("80.00"), due=date(2026, 10, 25), line_id=2, kind="bill")
    b_reversed = Movement(date(2026, 10, 5), D("-80.00"), due=date(2026, 10, 25), line_id=3, reverses=2)
    rebill = Movement(date(2026, 11, 2), D("72.00"), due=date(2026, 11, 22), line_id=4, kind="bill")
    items, credit = open_items([a, b, b_reversed, rebill])
    assert [(i.line_id, i.open) for i in items] == [(1, D("50.00")), (4, D("72.00"))] and credit == 0
    assert aging([a, b, b_reversed, rebill], AS_OF) == {
        "not_due": D("0.00"), "1_30": D("72.00"), "31_60": D("0.00"), "61_90": D("50.00"), "over_90": D("0.00"),
    }  # fmt: skip


def test_a_returned_payment_reopens_what_it_paid():
    bill = Movement(date(2026, 10, 5), D("60.00"), due=date(2026, 10, 25), line_id=1)
    paid = Movement(date(2026, 10, 20), D("-60.00"), line_id=2)
    returned = Movement(date(2026, 11, 2), D("60.00"), line_id=3, reverses=2)
    assert aging([bill, paid, returned], AS_OF)["31_60"] == D("60.00")


# --- property: cancel + rebill ages exactly as the rebill alone ---------------------------------------------

START = date(2026, 1, 1)
cents = st.integers(1, 50_000).map(lambda c: D(c) / 100)
days = st.integers(0, 330)
event = st.one_of(
    st.tuples(st.just("charge"), days, cents, st.integers(0, 40)),  # on, amount, days to due
    st.tuples(st.just("payment"), days, cents, st.just(0)),
    st.tuples(st.just("cancel_rebill"), days, cents, st.integers(0, 120), cents),  # ... later, rebill amount
)


def _worlds(events):
    """(every movement, the same without the cancelled charges and their reversals)."""
    ids = iter(range(1, 10_000))
    full, cancelled = [], set()
    for kind, day, amount, *rest in events:
        on = START + timedelta(days=day)
        if kind == "charge":
            full.append(Movement(on, amount, due=on + timedelta(days=rest[0]), line_id=next(ids)))
        elif kind == "payment":
            full.append(Movement(on, -amount, line_id=next(ids)))
        else:
            later, rebill = rest
            due = on + timedelta(days=20)
            charge = Movement(on, amount, due=due, line_id=next(ids))
            reversal = Movement(on, -amount, due=due, line_id=next(ids), reverses=charge.line_id)
            cancelled_on = on + timedelta(days=later)
            full += [charge, reversal, Movement(cancelled_on, rebill, due=cancelled_on + timedelta(days=20),
                                                line_id=next(ids))]  # fmt: skip
            cancelled |= {charge.line_id, reversal.line_id}
    return full, [m for m in full if m.line_id not in cancelled]


@settings(max_examples=200, deadline=None)
@given(events=st.lists(event, max_size=12), order=st.randoms(use_true_random=False))
def test_cancel_and_rebill_ages_exactly_as_the_rebill_alone(events, order):
    full, alone = _worlds(events)
    order.shuffle(full)  # the order lines arrive in does not matter
    alone = [m for m in full if m in alone]
    balance = sum((m.amount for m in alone), D("0.00"))
    for day in range(-10, 520):  # every as-of date, before the first line to long after the last
        as_of = START + timedelta(days=day)
        result = aging(full, as_of)
        assert result == aging(alone, as_of)
        assert sum(result.values()) == balance


# --- the same through the books ----------------------------------------------------------------------------


def _bill(actor, account, amount, on, due):
    return journal_post(
        actor=actor, entry_date=on, memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=due), Posting("4110", -D(amount))],
    )  # fmt: skip


def _plus(before, **amounts):
    return {key: before[key] + D(amounts.get(key, "0.00")) for key in BUCKETS}


@pytest.mark.django_db
def test_a_cancelled_bill_is_closed_by_its_reversal_and_the_late_fee_lands_on_the_open_bill(
    make_user, css2, start_account, django_assert_num_queries
):
    """Seen in the code: bill A $50 unpaid, bill B cancelled, rebill B': aging then showed cancelled B open and
    A gone, and the late fee landed on B."""
    load_rates()
    billing = make_user(roles.BILLING_ADMIN, username="billing_aging")
    account = start_account()
    before = selectors.account_aging(account, AS_OF)  # whatever starting service charged (none is a bill)
    a = _bill(css2, account, "50.00", date(2026, 9, 5), date(2026, 9, 25))
    b = _bill(css2, account, "80.00", date(2026, 10, 5), date(2026, 10, 25))
    journal_reverse(actor=css2, entry=b, reason="Bill cancelled: misread")  # dated as B, as bill_cancel does
    _bill(css2, account, "72.00", date(2026, 11, 2), date(2026, 11, 22))  # the rebill B'

    with django_assert_num_queries(1):
        result = selectors.account_aging(account, AS_OF)
    assert result == _plus(before, **{"61_90": "50.00", "1_30": "72.00"})  # A 62 days past due, B' 4 days

    (fee,) = assess_late_fees(actor=billing, on=AS_OF)
    a_line = a.lines.get(account=account)
    assert fee.source_kind == "late_fee" and fee.source_id == a_line.pk  # on A, not on cancelled B
    assert fee.lines.get(account=account).amount == D("10.00")  # 10% of $50 is less than the $10 minimum
    assert not JournalEntry.objects.filter(source_kind="late_fee").exclude(pk=fee.pk).exists()
    assert selectors.account_aging(account, AS_OF) == _plus(
        before, **{"not_due": "10.00", "61_90": "50.00", "1_30": "72.00"}
    )
