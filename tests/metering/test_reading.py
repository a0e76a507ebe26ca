"""Consumption, validation and estimates with plain values: no database."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.metering import reading
from cistern.metering.reading import ChangeOut, PriorRead, ReadFacts, Register

SIX = Register(dials=6, multiplier=D("1"))
FOUR = Register(dials=4, multiplier=D("1"))


def facts(**kwargs):
    values = {
        "read_on": date(2026, 3, 2), "value": D("1010"), "meter_known": True, "register": SIX,
        "previous": PriorRead(date(2026, 2, 2), D("1000")), "account_active": True,
        "recent_usage": (D("10"), D("9"), D("11")),
    }  # fmt: skip
    values.update(kwargs)
    return ReadFacts(**values)


def codes(f):
    return [p.code for p in reading.validate(f).problems]


# --- consumption ------------------------------------------------------------------------------------------


def test_consumption_is_the_difference_times_the_multiplier():
    assert reading.consumption(D("100"), D("112"), SIX) == D("12")
    assert reading.consumption(D("100"), D("112"), Register(dials=6, multiplier=D("10"))) == D("120")
    assert reading.consumption(D("100"), D("100"), SIX) == D("0")


def test_rollover_near_the_register_end_counts_through_zero():
    assert reading.consumption(D("9995"), D("7"), FOUR) == D("12")
    assert reading.consumption(D("999990"), D("5"), Register(6, D("10"))) == D("150")
    assert reading.is_plausible_rollover(D("9995"), D("7"), FOUR, 20)


def test_a_lower_read_far_from_the_end_is_not_a_rollover():
    assert reading.consumption(D("5000"), D("4990"), FOUR) is None
    assert not reading.is_plausible_rollover(D("5000"), D("4990"), FOUR, 20)
    # The window decides: 9,000 is within 20 % of the end of a 4-dial register, not within 5 %.
    assert reading.consumption(D("9000"), D("10"), FOUR, 20) == D("1010")
    assert reading.consumption(D("9000"), D("10"), FOUR, 5) is None


def test_consumption_across_a_change_out_adds_old_to_final_and_new_from_initial():
    change = ChangeOut(old_register=FOUR, old_final=D("9990"), new_register=SIX, new_initial=D("0"))
    assert reading.consumption_across_change_out(D("9980"), D("7"), change) == D("17")
    rolled = ChangeOut(
        old_register=FOUR, old_final=D("3"), new_register=Register(6, D("10")), new_initial=D("2")
    )
    assert reading.consumption_across_change_out(D("9995"), D("4"), rolled) == D("8") + D("20")
    backwards = ChangeOut(old_register=FOUR, old_final=D("5000"), new_register=SIX, new_initial=D("0"))
    assert reading.consumption_across_change_out(D("6000"), D("7"), backwards) is None
    new_backwards = ChangeOut(old_register=FOUR, old_final=D("10"), new_register=SIX, new_initial=D("50"))
    assert reading.consumption_across_change_out(D("5"), D("40"), new_backwards) is None


# --- every check, firing and not firing ------------------------------------------------------------------


def test_a_normal_read_is_accepted_with_its_usage():
    verdict = reading.validate(facts())
    assert (verdict.status, verdict.consumption, verdict.problems) == ("accepted", D("10"), ())


def test_unknown_meter_rejects():
    verdict = reading.validate(ReadFacts(read_on=date(2026, 3, 2), value=D("5"), meter_known=False))
    assert verdict.status == "rejected" and [p.code for p in verdict.problems] == ["unknown_meter"]
    assert "unknown_meter" not in codes(facts())


def test_older_than_last():
    assert "older_than_last" in codes(facts(read_on=date(2026, 1, 30)))
    assert "older_than_last" not in codes(facts(read_on=date(2026, 2, 2), value=D("1000")))
    assert "older_than_last" not in codes(facts())


def test_duplicate():
    f = facts(same_day_values=(D("1009"),))
    assert "duplicate" in codes(f) and "1009" in reading.check_duplicate(f)[0].message
    assert "duplicate" not in codes(facts())


def test_negative():
    f = facts(value=D("990"))
    assert codes(f) == ["negative"]
    assert reading.validate(f).consumption is None
    assert "negative" not in codes(facts(previous=PriorRead(date(2026, 2, 2), D("999995")), value=D("3")))
    assert "negative" not in codes(facts())


def test_zero_on_an_active_account():
    assert codes(facts(value=D("1000"))) == ["zero_usage"]
    assert "zero_usage" not in codes(facts(value=D("1000"), account_active=False))
    assert "zero_usage" not in codes(facts())


def test_usage_with_no_active_account():
    assert "usage_inactive" in codes(facts(account_active=False))
    assert "usage_inactive" in codes(facts(account_active=None))  # no account at the premise at all
    assert "usage_inactive" not in codes(facts(account_active=False, value=D("1000")))
    assert "usage_inactive" not in codes(facts())


def test_high_against_the_larger_of_recent_average_and_last_year():
    assert "high" in codes(facts(value=D("1021")))  # 21 > 10 x 2
    assert "high" not in codes(facts(value=D("1020")))
    # Summer: last year's 30 is the yardstick, so 40 is not high.
    assert "high" not in codes(facts(value=D("1040"), usage_last_year=D("30")))
    # Tiny typical usage is not judged.
    assert "high" not in codes(facts(value=D("1020"), recent_usage=(D("1"), D("2"), D("1"))))
    assert "high" not in codes(facts(value=D("1021"), recent_usage=()))


def test_low():
    assert "low" in codes(facts(value=D("1002")))  # 2 < 10 x 0.3
    assert "low" not in codes(facts(value=D("1003")))
    assert "low" not in codes(facts(value=D("1000")))  # zero is its own problem
    assert "low" not in codes(facts(value=D("1001"), recent_usage=(D("2"),)))


def test_all_problems_are_reported_at_once():
    f = facts(value=D("1040"), account_active=False, same_day_values=(D("1039"),))
    assert codes(f) == ["duplicate", "usage_inactive", "high"]
    assert reading.validate(f).status == "exception"


def test_thresholds_are_data():
    f = facts(value=D("1016"))
    assert "high" not in codes(f)
    assert "high" in codes(replace(f, high_percent=50))


# --- estimates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_year", "recent", "days", "expected"),
    [
        (D("12"), (D("8"), D("9")), 30, D("12")),  # the same period last year first
        (None, (D("8"), D("9"), D("10")), 30, D("9")),  # else the recent average
        (None, (D("9"),), 60, D("18")),  # scaled by days
        (D("10"), (), 33, D("11")),
        (None, (), 30, None),  # nothing to go on
    ],
)
def test_estimate_usage(last_year, recent, days, expected):
    assert reading.estimate_usage(usage_last_year=last_year, recent_usage=recent, days=days) == expected


def test_a_turn_on_or_final_read_with_no_usage_is_not_a_zero_usage_exception():
    base = {
        "read_on": date(2026, 11, 2), "value": D("120"), "meter_known": True,
        "register": Register(dials=6, multiplier=D("1")), "previous": PriorRead(date(2026, 10, 2), D("120")),
        "account_active": True,
    }  # fmt: skip
    assert [p.code for p in reading.validate(ReadFacts(**base)).problems] == ["zero_usage"]
    for kind in ("initial", "final"):
        assert reading.validate(ReadFacts(kind=kind, **base)).status == "accepted"


def test_consumption_is_rounded_half_up_to_hundredths():
    register = Register(dials=6, multiplier=D("1.005"))
    # 5 units x 1.005 = 5.025: half up gives 5.03 where half-even would give 5.02.
    assert reading.consumption(D("0"), D("5"), register) == D("5.03")


# --- clean_usage: the short way through the rules must never accept what validate() would not ------------

units = st.decimals(min_value=0, max_value=99999, places=2)
RULES = {
    "high_percent": 100,
    "low_percent": 70,
    "minimum_typical_units": D("3"),
    "rollover_window_percent": 20,
}


@settings(max_examples=600, deadline=None)
@given(
    previous_value=units,
    used=st.one_of(st.just(D(0)), st.decimals(min_value=-50, max_value=200, places=2)),
    days=st.integers(min_value=-40, max_value=40),
    dials=st.integers(min_value=4, max_value=6),
    multiplier=st.sampled_from([D(1), D(10), D("0.1")]),
    recent=st.lists(st.decimals(min_value=0, max_value=80, places=2), max_size=3),
    last_year=st.one_of(st.none(), st.decimals(min_value=0, max_value=80, places=2)),
)
def test_clean_usage_accepts_exactly_what_validate_accepts(
    previous_value, used, days, dials, multiplier, recent, last_year
):
    register = Register(dials=dials, multiplier=multiplier)
    previous = PriorRead(date(2026, 9, 5), previous_value)
    read_on = previous.read_on + timedelta(days=days)
    value = (previous_value + used) % register.capacity
    facts = ReadFacts(
        read_on=read_on, value=value, meter_known=True, register=register, previous=previous,
        account_active=True, recent_usage=tuple(recent), usage_last_year=last_year, **RULES,
    )  # fmt: skip
    verdict = reading.validate(facts)
    short = reading.clean_usage(read_on, value, register, previous, tuple(recent), last_year, **RULES)
    if verdict.status == "accepted":
        assert short == verdict.consumption  # the short way takes every clean read, with the same usage
    else:
        assert short is None


def test_clean_usage_of_a_plain_monthly_read():
    register = Register(dials=6, multiplier=D(1))
    previous = PriorRead(date(2026, 9, 5), D("1200.00"))
    used = reading.clean_usage(
        date(2026, 10, 5), D("1212.40"), register, previous, (D(11), D(13)), None, **RULES
    )
    assert used == D("12.40")
    # 30 units against a typical 12: high, so not clean; validate() says why.
    assert (
        reading.clean_usage(date(2026, 10, 5), D("1230"), register, previous, (D(12),), None, **RULES) is None
    )
