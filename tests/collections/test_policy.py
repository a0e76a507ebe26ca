"""The shutoff policy (SB 998) with plain values and the district's real 2026-27 holidays: dated scenarios, one
table per story, and a property over random facts. No database."""

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.collections import policy
from cistern.collections.policy import (
    Arrangement,
    Charge,
    Facts,
    Hold,
    NoticeSent,
    PhoneContact,
    Settings,
    Suspension,
    decide,
    shutoff_date_for_notice,
)
from cistern.core.calendar import BusinessCalendar

# The district's observed holidays (as core.Holiday rows would give them).
HOLIDAYS = {
    date(2026, 9, 7): "Labor Day",
    date(2026, 11, 11): "Veterans Day",
    date(2026, 11, 26): "Thanksgiving Day",
    date(2026, 11, 27): "Day After Thanksgiving",
    date(2026, 12, 25): "Christmas Day",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 1, 18): "Martin Luther King Jr. Day",
    date(2027, 2, 15): "Presidents' Day",
    date(2027, 3, 31): "Cesar Chavez Day",
}
CAL = BusinessCalendar(holidays=HOLIDAYS)
LAW = Settings()

# The account of most stories: the September bill, $182.40, due Thursday 09/24/2026, never paid.
# Delinquent from 09/25; 60 days reached Tuesday 11/24/2026.
DUE = date(2026, 9, 24)
SINCE = date(2026, 9, 25)
BILL = Charge(DUE, D("182.40"))
REMINDER = NoticeSent("reminder", date(2026, 10, 4), SINCE)
# Mailed Monday 10/26: 7 business days is 11/04 and 10 days 11/05, but the 60 days bind: 11/24.
NOTICE = NoticeSent("shutoff", date(2026, 10, 26), SINCE, shutoff_on=date(2026, 11, 24))
RETURNED = replace(NOTICE, returned=True)
NOTIFIED = Facts(charges=(BILL,), notices=(REMINDER, NOTICE))


def refused(decision):
    return [check.rule for check in decision.refusals]


def detail(decision, rule):
    (check,) = [check for check in decision.trace if check.rule == rule]
    return check.detail


def facts(*notices, **kwargs):
    return Facts(charges=kwargs.pop("charges", (BILL,)), notices=(REMINDER, *notices), **kwargs)


# ---------------------------------------------------------------------------------------------------------
# Settings: floors


def test_settings_looser_than_the_law_are_raised_to_the_floors():
    loose = Settings(
        reminder_days=-5,
        notice_days=-10,
        delinquent_days=45,
        notice_business_days=3,
        notice_calendar_days=5,
        occupant_notice_days=5,
        door_hanger_hours=24,
        final_notice_business_days=2,
        arrangement_default_days=30,
        minimum_amount=D("25.00"),
    )
    lawful, lines = loose.lawful()
    assert (
        lawful.delinquent_days,
        lawful.notice_business_days,
        lawful.notice_calendar_days,
        lawful.occupant_notice_days,
        lawful.door_hanger_hours,
        lawful.final_notice_business_days,
        lawful.arrangement_default_days,
        lawful.reminder_days,
        lawful.notice_days,
    ) == (60, 7, 10, 10, 48, 5, 60, 0, 0)
    assert lawful.minimum_amount == D("25.00")  # a policy figure: left as set
    assert lines == (
        "Delinquent days 45 is below the law's 60; 60 used.",
        "Notice business days 3 is below the law's 7; 7 used.",
        "Notice calendar days 5 is below the law's 10; 10 used.",
        "Occupant notice days 5 is below the law's 10; 10 used.",
        "Door-hanger hours 24 is below the law's 48; 48 used.",
        "Final notice business days 2 is below the law's 5; 5 used.",
        "Arrangement default days 30 is below the law's 60; 60 used.",
        "Reminder days -5 is below 0; 0 used.",
        "Notice days -10 is before the reminder's 0; 0 used.",
    )


def test_stricter_settings_stand_and_the_law_says_nothing():
    strict = Settings(delinquent_days=75, notice_business_days=10, reminder_days=20, notice_days=35)
    assert strict.lawful() == (strict, ())
    assert LAW.lawful() == (LAW, ())
    assert "settings" not in [c.rule for c in decide(NOTIFIED, LAW, CAL, date(2026, 11, 24)).trace]


def test_notice_days_before_the_reminder_are_raised_to_it():
    lawful, lines = Settings(reminder_days=15, notice_days=12).lawful()
    assert lawful.notice_days == 15
    assert lines == ("Notice days 12 is before the reminder's 15; 15 used.",)


def test_decide_uses_the_lawful_settings_and_says_so_in_the_trace():
    # Under a 45-day setting the notice mailed 10/26 could state 11/09; the law's 60 days say 11/24.
    loose = Settings(delinquent_days=45)
    early = NoticeSent("shutoff", date(2026, 10, 26), SINCE, shutoff_on=date(2026, 11, 9))
    decision = decide(facts(early), loose, CAL, date(2026, 11, 9))
    assert decision.trace[0] == policy.Check(
        "settings", True, "Delinquent days 45 is below the law's 60; 60 used."
    )
    assert not decision.shutoff_allowed
    assert refused(decision) == [
        "delinquent_60_days",
        "shutoff_notice",
        "contact",
    ]  # the notice does not count
    assert (
        detail(decision, "delinquent_60_days")
        == "Delinquent since 09/25/2026: 60 days are reached on 11/24/2026."
    )
    assert "before 60 days of delinquency from 09/25/2026" in detail(decision, "shutoff_notice")
    assert decision.next_step == policy.SHUTOFF_NOTICE  # the unlawful notice does not count: a new one
    # A new notice mailed 11/09: 7 business days (11/11 Veterans Day) is 11/19; 60 days bind: 11/24.
    assert decision.earliest_shutoff == date(2026, 11, 24)
    assert shutoff_date_for_notice(date(2026, 10, 26), SINCE, loose, CAL) == date(2026, 11, 24)


# ---------------------------------------------------------------------------------------------------------
# The shutoff date a notice states: which rule binds


@pytest.mark.parametrize(
    "mailed, due, expected, binding",
    [
        # Due Mon 03/02: delinquent from 03/03, 60 days on Sat 05/02 -> Mon 05/04. Mailed 04/01: 7 bd 04/10.
        (date(2026, 4, 1), date(2026, 3, 2), date(2026, 5, 4), "60 days"),
        # Mailed Mon 06/01: 7 business days is Wed 06/10, 10 days Thu 06/11 (60 days long past: 05/16).
        (date(2026, 6, 1), date(2026, 3, 16), date(2026, 6, 11), "10 days"),
        # Mailed Thu 06/04: 10 days is Sun 06/14, 7 business days Mon 06/15.
        (date(2026, 6, 4), date(2026, 3, 16), date(2026, 6, 15), "7 business days"),
        # Mailed Wed 11/25, the day before Thanksgiving: 11/26-27 holidays, 11/28-29 weekend; 7 business days
        # are 11/30, 12/01, 12/02, 12/03, 12/04, 12/07, 12/08. 10 days would be Sat 12/05.
        (date(2026, 11, 25), DUE, date(2026, 12, 8), "7 business days across Thanksgiving"),
        # Mailed Fri 11/06: 11/11 Veterans Day; 7 bd is 11/18, 10 days 11/16; the 60 days bind: Tue 11/24.
        (date(2026, 11, 6), DUE, date(2026, 11, 24), "60 days"),
        # Mailed Tue 12/15: 10 days is Christmas (Fri 12/25) -> Mon 12/28; 7 bd is 12/24.
        (date(2026, 12, 15), DUE, date(2026, 12, 28), "10 days onto Christmas"),
    ],
)
def test_shutoff_date_for_notice(mailed, due, expected, binding):
    assert shutoff_date_for_notice(mailed, due + timedelta(days=1), LAW, CAL) == expected


def test_shutoff_date_for_notice_moves_past_a_suspension_to_a_business_day():
    suspended = Settings(suspensions=(Suspension(date(2026, 11, 16), date(2026, 12, 4)),))
    # 11/24 falls inside; the day after is Sat 12/05 -> Mon 12/07.
    assert shutoff_date_for_notice(date(2026, 11, 6), SINCE, suspended, CAL) == date(2026, 12, 7)
    late_fees_only = Settings(
        suspensions=(Suspension(date(2026, 11, 16), date(2026, 12, 4), shutoffs=False),)
    )
    assert shutoff_date_for_notice(date(2026, 11, 6), SINCE, late_fees_only, CAL) == date(2026, 11, 24)


def test_shutoff_date_for_notice_never_looser_than_the_law():
    loose = Settings(notice_business_days=2, notice_calendar_days=3, delinquent_days=10)
    assert shutoff_date_for_notice(date(2026, 11, 25), SINCE, loose, CAL) == date(2026, 12, 8)


# ---------------------------------------------------------------------------------------------------------
# Dated scenarios: (facts, settings, calendar, on, at) -> next step, shutoff allowed, earliest shutoff, refusals


CLOSED_DEC_1 = BusinessCalendar.with_closures([date(2026, 12, 1)], holidays=HOLIDAYS)
SUSPENDED = Settings(suspensions=(Suspension(date(2026, 11, 16), date(2026, 12, 4)),))
ARRANGED = Arrangement(date(2026, 11, 20), date(2027, 5, 20))
BROKEN = replace(ARRANGED, defaulted_on=date(2027, 1, 15))  # 60 days later: Tue 03/16/2027
FINAL = NoticeSent("final", date(2027, 3, 16), SINCE, shutoff_on=date(2027, 3, 23))
# The customer paid September; October's bill, $95.10 due Sat 10/24, is unpaid: a new delinquency from 10/25.
OCTOBER = Charge(date(2026, 10, 24), D("95.10"))
SINCE_OCT = date(2026, 10, 25)

SCENARIOS = {
    # -- the plain path
    "not yet past due on the due date": (
        Facts(charges=(BILL,)), LAW, CAL, DUE, None, None, False, None, ["delinquent", "delinquent_60_days", "shutoff_notice", "contact"],
    ),
    "reminder ten days after the due date": (
        Facts(charges=(BILL,)), LAW, CAL, date(2026, 10, 4), None, policy.REMINDER, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice", "contact", "business_day"],
    ),
    "shutoff notice thirty days after the due date": (
        facts(), LAW, CAL, DUE + timedelta(days=30), None, policy.SHUTOFF_NOTICE, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice", "contact", "business_day"],
    ),
    "between the notice and the date it states": (
        NOTIFIED, LAW, CAL, date(2026, 11, 10), None, None, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice"],
    ),
    "the 60th day: the lock-off list": (
        NOTIFIED, LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "the day before the 60th": (
        NOTIFIED, LAW, CAL, date(2026, 11, 23), None, None, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice"],
    ),
    # -- days and hours the office is closed
    "Thanksgiving": (
        NOTIFIED, LAW, CAL, date(2026, 11, 26), None, None, False, date(2026, 11, 30), ["business_day"],
    ),
    "the day after Thanksgiving": (
        NOTIFIED, LAW, CAL, date(2026, 11, 27), None, None, False, date(2026, 11, 30), ["business_day"],
    ),
    "a Saturday": (
        NOTIFIED, LAW, CAL, date(2026, 11, 28), None, None, False, date(2026, 11, 30), ["business_day"],
    ),
    "a district closure day": (
        NOTIFIED, LAW, CLOSED_DEC_1, date(2026, 12, 1), None, None, False, date(2026, 12, 2), ["business_day"],
    ),
    "at 08:00 the office is open": (
        NOTIFIED, LAW, CAL, date(2026, 11, 24), time(8, 0), policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "at 07:59 the office is not open yet": (
        NOTIFIED, LAW, CAL, date(2026, 11, 24), time(7, 59), policy.LOCK_OFF, False, date(2026, 11, 24), ["office_hours"],
    ),
    "at 17:00 the office has closed": (
        NOTIFIED, LAW, CAL, date(2026, 11, 24), time(17, 0), policy.LOCK_OFF, False, date(2026, 11, 24), ["office_hours"],
    ),
    # -- the amount
    "below the minimum: a reminder but no notice": (
        Facts(charges=(Charge(DUE, D("40.00")),)), LAW, CAL, date(2026, 10, 4), None, policy.REMINDER, False, None, ["delinquent", "delinquent_60_days", "shutoff_notice", "contact", "business_day"],
    ),
    "below the minimum: nothing after the reminder": (
        facts(charges=(Charge(DUE, D("40.00")),)), LAW, CAL, date(2026, 10, 24), None, None, False, None, ["delinquent", "delinquent_60_days", "shutoff_notice", "contact", "business_day"],
    ),
    "a partial payment after the notice leaves less than the minimum": (
        facts(NOTICE, charges=(Charge(DUE, D("49.99")),)), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["delinquent"],
    ),
    "a credit brings the amount below the minimum": (
        facts(NOTICE, charges=(BILL, Charge(date(2026, 10, 30), D("-140.00")))), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["delinquent"],
    ),
    "a credit covers it all: not delinquent": (
        facts(NOTICE, charges=(BILL, Charge(date(2026, 10, 30), D("-182.40")))), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["delinquent", "delinquent_60_days", "shutoff_notice", "contact"],
    ),
    # -- a new delinquency needs its own notice
    "new delinquency: its own reminder": (
        Facts(charges=(OCTOBER,), notices=(REMINDER, NOTICE)), LAW, CAL, date(2026, 11, 24), None, policy.REMINDER, False, date(2026, 12, 24), ["delinquent_60_days", "shutoff_notice", "contact"],
    ),
    "new delinquency: its own notice": (
        Facts(charges=(OCTOBER,), notices=(REMINDER, NOTICE, NoticeSent("reminder", date(2026, 11, 3), SINCE_OCT))), LAW, CAL, date(2026, 11, 24), None, policy.SHUTOFF_NOTICE, False, date(2026, 12, 24), ["delinquent_60_days", "shutoff_notice", "contact"],
    ),
    "new delinquency: the 60 days count from 10/25": (
        Facts(charges=(OCTOBER,), notices=(NoticeSent("reminder", date(2026, 11, 3), SINCE_OCT), NoticeSent("shutoff", date(2026, 11, 23), SINCE_OCT, date(2026, 12, 24)))), LAW, CAL, date(2026, 12, 24), None, policy.LOCK_OFF, True, date(2026, 12, 24), [],
    ),
    # -- the letter came back
    "letter returned: a door hanger": (
        facts(RETURNED), LAW, CAL, date(2026, 10, 30), None, policy.DOOR_HANGER, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice", "contact"],
    ),
    "letter returned, found on the 60th day: door hanger, 48 hours, Thanksgiving": (
        facts(RETURNED), LAW, CAL, date(2026, 11, 24), None, policy.DOOR_HANGER, False, date(2026, 11, 30), ["contact"],
    ),
    "letter returned, door hanger left 11/25: not 48 hours on the 26th": (
        facts(RETURNED, NoticeSent("door_hanger", date(2026, 11, 24), SINCE, date(2026, 11, 30))), LAW, CAL, date(2026, 11, 25), None, None, False, date(2026, 11, 30), ["contact"],
    ),
    "letter returned, door hanger 48 hours before": (
        facts(RETURNED, NoticeSent("door_hanger", date(2026, 11, 20), SINCE, date(2026, 11, 24))), LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "letter returned, reached by phone and offered the policy": (
        facts(RETURNED, phone_contacts=(PhoneContact(date(2026, 10, 29), policy_offered=True),)), LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "letter returned, a call without the policy does not count": (
        facts(RETURNED, phone_contacts=(PhoneContact(date(2026, 10, 29), policy_offered=False),)), LAW, CAL, date(2026, 11, 24), None, policy.DOOR_HANGER, False, date(2026, 11, 30), ["contact"],
    ),
    "letter returned, a call before the notice does not count": (
        facts(RETURNED, phone_contacts=(PhoneContact(date(2026, 10, 20), policy_offered=True),)), LAW, CAL, date(2026, 11, 24), None, policy.DOOR_HANGER, False, date(2026, 11, 30), ["contact"],
    ),
    # -- a landlord's premises: occupants get 10 days
    "landlord: the notice goes with the occupant copy": (
        facts(needs_occupant_notice=True), LAW, CAL, date(2026, 10, 24), None, policy.SHUTOFF_NOTICE, False, date(2026, 11, 24), ["delinquent_60_days", "shutoff_notice", "occupant_notice", "contact", "business_day"],
    ),
    "landlord: occupant notice mailed with the customer's": (
        facts(NOTICE, NoticeSent("occupant", date(2026, 10, 26), SINCE, date(2026, 11, 24)), needs_occupant_notice=True), LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "landlord: occupant notice mailed 11/16, 10 days on 11/26 (Thanksgiving)": (
        facts(NOTICE, NoticeSent("occupant", date(2026, 11, 16), SINCE, date(2026, 11, 30)), needs_occupant_notice=True), LAW, CAL, date(2026, 11, 24), None, None, False, date(2026, 11, 30), ["occupant_notice"],
    ),
    "landlord: no occupant notice yet": (
        facts(NOTICE, needs_occupant_notice=True), LAW, CAL, date(2026, 11, 24), None, None, False, date(2026, 12, 4), ["occupant_notice"],
    ),
    # -- a district suspension of shutoffs, 11/16-12/04
    "suspension: no shutoff inside it": (
        NOTIFIED, SUSPENDED, CAL, date(2026, 11, 24), None, None, False, date(2026, 12, 7), ["no_suspension"],
    ),
    "suspension: the first business day after it": (
        NOTIFIED, SUSPENDED, CAL, date(2026, 12, 7), None, policy.LOCK_OFF, True, date(2026, 12, 7), [],
    ),
    "suspension: no notice mailed inside it": (
        facts(), SUSPENDED, CAL, date(2026, 11, 20), None, None, False, date(2026, 12, 15), ["delinquent_60_days", "shutoff_notice", "contact", "no_suspension"],
    ),
    # -- a bill dispute opened after the notice
    "dispute open, no end: refused, no earliest": (
        facts(NOTICE, holds=(Hold("dispute", date(2026, 11, 2)),)), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["no_hold"],
    ),
    "dispute until 12/10: earliest the day after": (
        facts(NOTICE, holds=(Hold("dispute", date(2026, 11, 2), date(2026, 12, 10)),)), LAW, CAL, date(2026, 11, 24), None, None, False, date(2026, 12, 11), ["no_hold"],
    ),
    "dispute closed 12/10: shutoff on the 11th": (
        facts(NOTICE, holds=(Hold("dispute", date(2026, 11, 2), date(2026, 12, 10)),)), LAW, CAL, date(2026, 12, 11), None, policy.LOCK_OFF, True, date(2026, 12, 11), [],
    ),
    "an extension before the notice: notice mailed the day before Thanksgiving": (
        facts(holds=(Hold("extension", date(2026, 10, 20), date(2026, 11, 24)),)), LAW, CAL, date(2026, 10, 24), None, None, False, date(2026, 12, 8), ["delinquent_60_days", "shutoff_notice", "contact", "business_day", "no_hold"],
    ),
    "the notice mailed 11/25 states 12/08: not on 12/07": (
        facts(NoticeSent("shutoff", date(2026, 11, 25), SINCE, date(2026, 12, 8))), LAW, CAL, date(2026, 12, 7), None, None, False, date(2026, 12, 8), ["shutoff_notice"],
    ),
    "the notice mailed 11/25 states 12/08: on 12/08": (
        facts(NoticeSent("shutoff", date(2026, 11, 25), SINCE, date(2026, 12, 8))), LAW, CAL, date(2026, 12, 8), None, policy.LOCK_OFF, True, date(2026, 12, 8), [],
    ),
    "a notice stating too early a date: a new notice": (
        facts(NoticeSent("shutoff", date(2026, 11, 20), SINCE, date(2026, 11, 30))), LAW, CAL, date(2026, 11, 30), None, policy.SHUTOFF_NOTICE, False, date(2026, 12, 10), ["shutoff_notice", "contact"],
    ),
    # -- a payment arrangement kept, then broken
    "arrangement being kept: no shutoff, no earliest": (
        facts(NOTICE, arrangements=(ARRANGED,)), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["arrangement"],
    ),
    "arrangement broken 01/15/2027: 60 days first": (
        facts(NOTICE, arrangements=(BROKEN,)), LAW, CAL, date(2027, 2, 1), None, None, False, date(2027, 3, 23), ["arrangement"],
    ),
    "arrangement broken 60 days ago: the final notice": (
        facts(NOTICE, arrangements=(BROKEN,)), LAW, CAL, date(2027, 3, 16), None, policy.FINAL_NOTICE, False, date(2027, 3, 23), ["arrangement"],
    ),
    "final notice posted 03/16: 4 business days on 03/22": (
        facts(NOTICE, FINAL, arrangements=(BROKEN,)), LAW, CAL, date(2027, 3, 22), None, None, False, date(2027, 3, 23), ["arrangement"],
    ),
    "final notice posted 03/16: 5 business days on 03/23": (
        facts(NOTICE, FINAL, arrangements=(BROKEN,)), LAW, CAL, date(2027, 3, 23), None, policy.LOCK_OFF, True, date(2027, 3, 23), [],
    ),
    "arrangement paid off (cancelled, kept): the old notice counts again": (
        facts(NOTICE, arrangements=(replace(ARRANGED, cancelled_on=date(2026, 12, 1)),)), LAW, CAL, date(2026, 12, 2), None, policy.LOCK_OFF, True, date(2026, 12, 2), [],
    ),
    "arrangement agreed to start 12/01: it protects already": (
        facts(NOTICE, arrangements=(Arrangement(date(2026, 12, 1), date(2027, 5, 31)),)), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["arrangement"],
    ),
    # -- medical certificate
    "medical + hardship + willing: offer an arrangement": (
        facts(NOTICE, medical=True, hardship=True, willing_to_arrange=True), LAW, CAL, date(2026, 11, 24), None, policy.OFFER_ARRANGEMENT, False, None, ["medical"],
    ),
    "medical + hardship + willing before the notice: offer instead of the notice": (
        facts(medical=True, hardship=True, willing_to_arrange=True), LAW, CAL, date(2026, 10, 24), None, policy.OFFER_ARRANGEMENT, False, None, ["delinquent_60_days", "shutoff_notice", "contact", "business_day", "medical"],
    ),
    "medical + hardship + willing, waiting for the 60 days: nothing to do yet": (
        facts(NOTICE, medical=True, hardship=True, willing_to_arrange=True), LAW, CAL, date(2026, 11, 10), None, None, False, None, ["delinquent_60_days", "shutoff_notice", "medical"],
    ),
    "medical certificate only: allowed": (
        facts(NOTICE, medical=True), LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    "medical and hardship, not willing: allowed": (
        facts(NOTICE, medical=True, hardship=True), LAW, CAL, date(2026, 11, 24), None, policy.LOCK_OFF, True, date(2026, 11, 24), [],
    ),
    # -- the account
    "inactive account": (
        facts(NOTICE, active=False), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["active_account"],
    ),
    "already locked off": (
        facts(NOTICE, locked_off=True), LAW, CAL, date(2026, 11, 24), None, None, False, None, ["not_already_locked_off"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name):
    facts_, settings_, calendar, on, at, next_step, allowed, earliest, refusals = SCENARIOS[name]
    decision = decide(facts_, settings_, calendar, on, at)
    assert (decision.next_step, decision.shutoff_allowed, decision.earliest_shutoff, refused(decision)) == (
        next_step,
        allowed,
        earliest,
        refusals,
    )
    assert [check.rule for check in decision.trace] == list(policy.RULES)


# ---------------------------------------------------------------------------------------------------------
# What the clerk reads


def test_the_delinquency_amount_and_dates():
    older = Charge(date(2026, 8, 25), D("1210.05"))
    credit = Charge(date(2026, 10, 2), D("-20.00"))
    not_yet_due = Charge(date(2026, 11, 24), D("88.00"))
    decision = decide(Facts(charges=(BILL, older, credit, not_yet_due)), LAW, CAL, date(2026, 11, 24))
    assert decision.delinquent_since == date(2026, 8, 26)
    assert decision.amount_delinquent == D("1372.45")  # 182.40 + 1,210.05 - 20.00
    assert detail(decision, "delinquent") == "$1,372.45 past due since 08/26/2026 (minimum $50.00)."


def test_not_delinquent_says_so():
    decision = decide(Facts(charges=(Charge(DUE, D("0.00")),)), LAW, CAL, date(2026, 11, 24))
    assert decision.delinquent_since is None
    assert decision.amount_delinquent == D("0.00")
    assert "not delinquent" in detail(decision, "delinquent").lower()
    assert (decision.next_step, decision.earliest_shutoff) == (None, None)


def test_below_minimum_says_the_amounts():
    decision = decide(facts(NOTICE, charges=(Charge(DUE, D("49.99")),)), LAW, CAL, date(2026, 11, 24))
    assert (
        detail(decision, "delinquent") == "$49.99 past due since 09/25/2026 is below the minimum of $50.00."
    )


def test_refusals_name_the_day_the_hold_and_the_suspension():
    assert detail(decide(NOTIFIED, LAW, CAL, date(2026, 11, 26)), "business_day") == (
        "Thursday 11/26/2026 is Thanksgiving Day: the office is closed."
    )
    assert detail(decide(NOTIFIED, LAW, CAL, date(2026, 11, 28)), "business_day") == (
        "Saturday 11/28/2026 is a weekend day."
    )
    assert detail(decide(NOTIFIED, LAW, CLOSED_DEC_1, date(2026, 12, 1)), "business_day") == (
        "Tuesday 12/01/2026 is District closure: the office is closed."
    )
    held = decide(facts(NOTICE, holds=(Hold("dispute", date(2026, 11, 2)),)), LAW, CAL, date(2026, 11, 24))
    assert detail(held, "no_hold") == "A bill dispute hold is in force from 11/02/2026 until it is closed."
    assert detail(decide(NOTIFIED, SUSPENDED, CAL, date(2026, 11, 24)), "no_suspension") == (
        "Shutoffs are suspended from 11/16/2026 through 12/04/2026."
    )
    late = decide(NOTIFIED, LAW, CAL, date(2026, 11, 24), time(17, 30))
    assert detail(late, "office_hours") == "17:30 is outside office hours (08:00-17:00)."
    assert detail(decide(NOTIFIED, LAW, CAL, date(2026, 11, 24)), "office_hours") == "no time given"


def test_medical_refusal_offers_twelve_months():
    decision = decide(
        facts(NOTICE, medical=True, hardship=True, willing_to_arrange=True), LAW, CAL, date(2026, 11, 24)
    )
    assert "offer an arrangement repayable within 12 months" in detail(decision, "medical")


def test_broken_arrangement_details():
    decision = decide(facts(NOTICE, arrangements=(BROKEN,)), LAW, CAL, date(2027, 2, 1))
    assert detail(decision, "arrangement") == (
        "The payment arrangement 11/20/2026-05/20/2027 was broken on 01/15/2027: no shutoff before 60 days, "
        "on 03/16/2027."
    )
    assert decision.assumed_notices == (NoticeSent("final", date(2027, 3, 16), SINCE, date(2027, 3, 23)),)
    final = decide(facts(NOTICE, FINAL, arrangements=(BROKEN,)), LAW, CAL, date(2027, 3, 22))
    assert detail(final, "arrangement") == (
        "Final notice posted 03/16/2027: 5 business days are reached on 03/23/2027."
    )


def test_an_arrangement_broken_on_its_last_day_still_protects_60_days():
    last_missed = Arrangement(date(2026, 11, 20), date(2027, 1, 15), defaulted_on=date(2027, 1, 15))
    decision = decide(facts(NOTICE, arrangements=(last_missed,)), LAW, CAL, date(2027, 2, 1))
    assert "arrangement" in refused(decision)
    assert decision.earliest_shutoff == date(2027, 3, 23)


def test_an_old_broken_arrangement_does_not_reach_a_later_delinquency():
    # Broken in 2025, shut off and paid; the September 2026 bill is a delinquency of its own.
    old = Arrangement(date(2025, 3, 1), date(2025, 9, 1), defaulted_on=date(2025, 5, 1))
    decision = decide(facts(NOTICE, arrangements=(old,)), LAW, CAL, date(2026, 11, 24))
    assert decision.shutoff_allowed
    assert detail(decision, "arrangement") == "No payment arrangement in force."


def test_earliest_lists_the_notices_it_assumes():
    decision = decide(Facts(charges=(BILL,)), LAW, CAL, date(2026, 10, 4))
    assert decision.assumed_notices == (
        NoticeSent("reminder", date(2026, 10, 4), SINCE),
        NoticeSent("shutoff", date(2026, 10, 24), SINCE, date(2026, 11, 24)),
    )
    # No reminder sent by the day the notice is due: the reminder is moot, the notice goes that day.
    late = decide(Facts(charges=(BILL,)), LAW, CAL, date(2026, 10, 24))
    assert late.next_step == policy.REMINDER
    assert late.assumed_notices == (NoticeSent("shutoff", date(2026, 10, 24), SINCE, date(2026, 11, 24)),)
    landlord = decide(facts(NOTICE, needs_occupant_notice=True), LAW, CAL, date(2026, 11, 24))
    # The occupant copy mailed 11/24: 10 days is Fri 12/04.
    assert landlord.assumed_notices == (NoticeSent("occupant", date(2026, 11, 24), SINCE, date(2026, 12, 4)),)
    returned = decide(facts(RETURNED), LAW, CAL, date(2026, 11, 24))
    # Left the next business day, 11/25; 48 hours end on Thanksgiving; the next business day is 11/30.
    assert returned.assumed_notices == (
        NoticeSent("door_hanger", date(2026, 11, 25), SINCE, date(2026, 11, 30)),
    )


def test_the_lock_off_list_of_the_day_ignores_the_hour_the_decision_is_asked():
    early = decide(NOTIFIED, LAW, CAL, date(2026, 11, 24), time(6, 0))
    assert (early.next_step, early.shutoff_allowed, refused(early)) == (
        policy.LOCK_OFF,
        False,
        ["office_hours"],
    )


# ---------------------------------------------------------------------------------------------------------
# Property: no shutoff breaks the law; the earliest day really is one


START = date(2026, 8, 1)
OFFSETS = st.integers(min_value=-30, max_value=120)


def some(strategy, most=2):
    """Usually nothing, sometimes a few: holds, arrangements and suspensions are the exception."""
    return st.one_of(st.just(()), st.just(()), st.lists(strategy, min_size=1, max_size=most).map(tuple))


@st.composite
def random_case(draw):
    """An account's story: charges, the notices for its delinquency (mostly lawful, sometimes not, sometimes
    for another delinquency), calls, holds, arrangements, a suspension, and the day asked about (mostly near the
    date the notice states)."""
    settings_ = Settings(
        delinquent_days=draw(st.sampled_from([30, 60, 75])),
        notice_business_days=draw(st.sampled_from([3, 7, 7])),
        notice_calendar_days=draw(st.sampled_from([5, 10, 14])),
    )
    first_due = START + timedelta(days=draw(st.integers(0, 150)))
    amounts = st.integers(min_value=-5_000, max_value=40_000).map(lambda cents: D(cents) / 100)
    charges = (Charge(first_due, draw(st.integers(4_000, 40_000).map(lambda c: D(c) / 100))),) + tuple(
        Charge(first_due + timedelta(days=draw(st.integers(-40, 90))), draw(amounts))
        for _ in range(draw(st.integers(0, 2)))
    )
    since = min(c.due for c in charges if c.open > 0) + timedelta(days=1)
    around = st.integers(-30, 120).map(lambda n: since + timedelta(days=n))
    sinces = st.sampled_from([since, since, since, since + timedelta(days=draw(st.integers(1, 40)))])

    def notice(kind, sent, stated, usually=False):
        returned = kind == "shutoff" and draw(st.integers(0, 3)) == 0
        for_since = since if usually and draw(st.integers(0, 6)) else draw(sinces)
        return NoticeSent(kind, sent, for_since, stated, returned=returned)

    notices = []
    stated = None
    if draw(st.integers(0, 4)):  # most stories have a shutoff notice
        sent = since + timedelta(days=draw(st.integers(0, 90)))
        stated = shutoff_date_for_notice(sent, since, LAW, CAL)
        if not draw(st.integers(0, 5)):  # sometimes no date, or a date of its own (lawful or not)
            stated = draw(st.one_of(st.none(), st.integers(0, 80).map(lambda n: sent + timedelta(days=n))))
        notices.append(notice("shutoff", sent, stated, usually=True))
        if draw(st.integers(0, 3)):  # the occupant copy, usually mailed with it
            notices.append(NoticeSent("occupant", sent, since, stated))
    for kind in draw(st.lists(st.sampled_from(policy.NOTICE_KINDS), max_size=4)):
        notices.append(notice(kind, draw(around), draw(st.one_of(st.none(), around))))
    holds = draw(
        some(st.builds(Hold, st.sampled_from(policy.HOLD_KINDS), around, st.one_of(st.none(), around)))
    )
    arrangements = draw(
        some(
            st.builds(
                lambda start, length, default, cancel: Arrangement(
                    start,
                    start + timedelta(days=length),
                    None if default is None else start + timedelta(days=default),
                    None if cancel is None else start + timedelta(days=cancel),
                ),
                around,
                st.integers(30, 200),
                st.one_of(st.none(), st.integers(0, 100)),
                st.one_of(st.none(), st.none(), st.integers(0, 150)),
            ),
            most=1,
        )
    )
    suspensions = draw(
        some(st.builds(lambda s, n: Suspension(s, s + timedelta(days=n)), around, st.integers(0, 30)), most=1)
    )
    facts_ = Facts(
        charges=charges,
        notices=tuple(notices),
        phone_contacts=tuple(draw(st.lists(st.builds(PhoneContact, around, st.booleans()), max_size=2))),
        holds=holds,
        arrangements=arrangements,
        medical=draw(st.booleans()),
        hardship=draw(st.booleans()),
        willing_to_arrange=draw(st.booleans()),
        needs_occupant_notice=draw(st.booleans()),
    )
    anchor = stated if stated is not None else since + timedelta(days=60)
    on = draw(st.one_of(st.integers(-5, 40).map(lambda n: anchor + timedelta(days=n)), around))
    return facts_, replace(settings_, suspensions=suspensions), on


@settings(max_examples=250, deadline=None)
@given(case=random_case())
def test_no_shutoff_breaks_the_law_and_the_earliest_day_is_one(case):
    facts_, settings_, on = case
    decision = decide(facts_, settings_, CAL, on)
    if decision.shutoff_allowed:
        since = decision.delinquent_since
        assert CAL.is_business_day(on)
        assert on >= since + timedelta(days=60)
        assert any(
            n.kind == "shutoff"
            and n.delinquent_since == since
            and on - n.sent_on >= timedelta(days=10)
            and CAL.business_days_between(n.sent_on, on) >= 7
            for n in facts_.notices
        )
        assert decision.amount_delinquent >= D("50.00")
        assert not (facts_.medical and facts_.hardship and facts_.willing_to_arrange)
        assert decision.earliest_shutoff == on
        assert decision.next_step == policy.LOCK_OFF
    earliest = decision.earliest_shutoff
    if earliest is not None:
        assert earliest >= on
        planned = replace(facts_, notices=facts_.notices + decision.assumed_notices)
        assert decide(planned, settings_, CAL, earliest).shutoff_allowed
        if earliest > on:
            assert not decide(planned, settings_, CAL, earliest - timedelta(days=1)).shutoff_allowed
