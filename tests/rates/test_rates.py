"""Rates in the database: which schedule is billed when, the quote (selector, API, estimator page)."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from cistern.core import roles
from cistern.demo.rates import load_rates
from cistern.rates import engine, selectors
from cistern.rates.models import (
    BasicFee,
    BilledSchedule,
    RateSchedule,
    RateScheduleVersion,
    ScheduleKind,
    UsageBlock,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_rates():
    load_rates()


def _quote(units, days=30, on=date(2026, 11, 1), size="3/4", rate_class="residential"):
    return selectors.quote(rate_class=rate_class, meter_size=size, units=D(units), days=days, on=on)


def test_the_demo_district_bills_the_published_rates(district_rates):
    assert _quote("12").total == D("156.40")
    assert _quote("0", size="1").total == D("45.55")
    assert _quote("10", size="1 1/2").total == D("151.83") + D("96.50")
    assert BasicFee.objects.get(rate_class="residential", meter_size="2").assumed
    assert selectors.fee("late_penalty", date(2026, 11, 1)).after_days == 30
    assert {f.code for f in selectors.fee_catalog(date(2026, 11, 1))} >= {"account_setup", "deposit", "nsf"}


def test_fire_lines_pay_another_districts_monthly_charge_by_line_size(district_rates):
    """JBWD publishes no fire-line charge: the demo bills San Juan WD's (2017) daily charge x 30, marked
    assumed, with no usage charge."""
    assert [(size, _quote("5", rate_class="fire_line", size=size).total) for size in ("3/4", "4", "6", "8", "10")] == [
        ("3/4", D("17.40")), ("4", D("17.40")), ("6", D("26.10")), ("8", D("36.90")), ("10", D("44.10"))
    ]  # fmt: skip
    assert _quote("0", rate_class="fire_line", size="6", days=15).total == D("13.05")  # prorated by days
    assert BasicFee.objects.get(rate_class="fire_line", meter_size="8").assumed
    with pytest.raises(engine.RatingError, match='has no residential rates for a 6" meter'):
        _quote("5", size="6")


def _version(schedule, on, fee):
    version = RateScheduleVersion.objects.create(schedule=schedule, effective_from=on)
    BasicFee.objects.create(
        version=version, rate_class="residential", meter_size="3/4", monthly_amount=D(fee)
    )
    UsageBlock.objects.create(
        version=version,
        rate_class="residential",
        meter_size="3/4",
        tier=1,
        after_units=0,
        price_per_unit=D("10"),
    )
    return version


def test_the_billed_schedule_is_data_and_a_switch_splits_a_period():
    maximum = RateSchedule.objects.create(code="a", name="Scenario A", kind=ScheduleKind.MAXIMUM)
    lower = RateSchedule.objects.create(code="c", name="Scenario C", kind=ScheduleKind.BILLED)
    _version(maximum, date(2026, 1, 1), "60.00")
    _version(lower, date(2026, 1, 1), "40.00")
    BilledSchedule.objects.create(effective_from=date(2026, 1, 1), schedule=lower)
    # Both are kept; the lower one is billed...
    assert _quote("0", on=date(2026, 10, 1)).total == D("40.00")
    # ...until the board bills the maximum from 10/16: a period across the switch splits by days.
    BilledSchedule.objects.create(effective_from=date(2026, 10, 16), schedule=maximum)
    quote = _quote("0", on=date(2026, 10, 31))  # 10/01-10/31: 15 days of each
    assert [line.amount for line in quote.lines] == [D("20.00"), D("30.00")]
    assert [begins for begins, _ in selectors.billed_versions()] == [date(2026, 1, 1), date(2026, 10, 16)]


def test_a_period_before_any_billed_rates_is_refused(district_rates):
    with pytest.raises(engine.RatingError, match="No rates in force on 12/02/2023"):
        _quote("5", on=date(2024, 1, 1))


@pytest.fixture
def token(token_for):
    return token_for(roles.CSS_I)


def _post(client, token, body):
    return client.post(
        "/api/v1/rates/quote", data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_api_quote_gives_the_lines_and_the_total(client, token, district_rates):
    body = {"meter_size": "3/4", "units": "12", "days": 30, "on": "2026-11-01", "rate_class": "residential"}
    response = _post(client, token, body)
    assert response.status_code == 200
    assert response.json() == {
        "lines": [
            {"description": 'Basic fee 3/4"', "quantity": "1", "unit_price": "45.55", "amount": "45.55"},
            {"description": "Tier 1: units 1-5", "quantity": "5", "unit_price": "8.00", "amount": "40.00"},
            {"description": "Tier 2: units 6-10", "quantity": "5", "unit_price": "9.65", "amount": "48.25"},
            {"description": "Tier 3: units 11-20", "quantity": "2", "unit_price": "11.30", "amount": "22.60"},
        ],
        "total": "156.40",
    }


@pytest.mark.parametrize(
    "change,detail",
    [
        ({"meter_size": "7/8"}, "meter_size: '7/8' is not a meter size"),
        ({"units": "twelve"}, "units: 'twelve' is not a number"),
        ({"units": "-1"}, "units: 0 or more, at most 2 decimal places"),
        ({"units": "1.005"}, "units: 0 or more, at most 2 decimal places"),
        ({"days": 0}, "days: a period is 1 to 400 days"),
        ({"rate_class": "industrial"}, "rate_class: 'industrial' is not a rate class"),
        ({"on": "2023-06-01"}, "No rates in force on 05/02/2023."),
    ],
)
def test_api_quote_refuses_bad_input(client, token, district_rates, change, detail):
    body = {"meter_size": "3/4", "units": "12", "days": 30, "on": "2026-11-01", "rate_class": "residential"}
    response = _post(client, token, {**body, **change})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_api_quote_needs_the_permission(client, token_for, district_rates):
    token = token_for(roles.FIELD_TECHNICIAN)
    response = _post(client, token, {"meter_size": "3/4", "units": "1", "on": "2026-11-01"})
    assert response.status_code == 403


def test_the_estimator_page_shows_each_line_and_its_arithmetic(client, make_user, district_rates):
    client.force_login(make_user(roles.CSS_I, username="estimator"))
    response = client.get(
        "/rates/estimate/", {"meter_size": "3/4", "rate_class": "residential", "units": "6", "days": "15",
                             "on": "2026-11-01"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert '<th class="num" id="estimate-total">$78.21</th>' in page  # a move-in half month
    assert "monthly basic fee 3/4&quot; $45.55 x 15 days / 30" in page
    assert "units 5-10: 1 x $11.30" in page
    bad = client.get("/rates/estimate/", {"meter_size": "3/4", "rate_class": "residential", "units": "-2",
                                          "days": "30", "on": "2026-11-01"})  # fmt: skip
    assert "Ensure this value is greater than or equal to 0" in bad.content.decode()
    assert "estimate-total" not in bad.content.decode()


def test_the_rate_tables_page_lists_schedules_and_fees(client, make_user, district_rates):
    client.force_login(make_user(roles.CASHIER, username="tables"))
    page = client.get("/rates/").content.decode()
    assert "Scenario C from 01/01/2024 (in force)" in page
    assert "$242.93 (assumed)" in page
    assert "greater of $10.00 or 10% of the past-due amount, after 30 days" in page
