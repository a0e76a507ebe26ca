"""A small district to bill: the demo rates, one route in cycle C01 read on the 25th, accounts with a 3/4"
meter read monthly, and the people who run bills (a billing admin calculates, a lead approves)."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.billing.models import BillCycle, CycleRoute
from cistern.core import roles
from cistern.customers import services as customers
from cistern.demo.rates import load_rates
from cistern.metering import services as metering
from cistern.metering.models import Meter, ReadStatus, Route, ServicePoint


@pytest.fixture
def district(db):
    load_rates()
    route = Route.objects.create(code="R01", name="Sunburst")
    cycle = BillCycle.objects.create(code="C01", name="Cycle 1", read_day=25, bill_day=28)
    CycleRoute.objects.create(cycle=cycle, route=route)
    return cycle


@pytest.fixture
def biller(make_user):
    return make_user(roles.BILLING_ADMIN, username="biller")


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="lead")


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISOR, username="billing_supervisor")


def read(actor, meter, on, value, kind="actual"):
    """A read as the route file brings it; an exception is accepted as a reviewer would."""
    made = metering.read_record(
        actor=actor, meter=meter, read_on=on, value=Decimal(value), source="handheld", kind=kind
    )
    if made.status == ReadStatus.EXCEPTION:
        made = metering.read_accept(actor=actor, read=made, reason="Checked: the read is right")
    return made


@pytest.fixture
def metered_account(district, supervisor, start_account, premise_factory):
    """An active account on route R01 with a 3/4" meter installed 06/25/2026 at `initial` and read on the
    given (date, value) pairs."""
    route = Route.objects.get(code="R01")
    serials = iter(range(1, 10_000))

    def make(reads=(), *, initial="100", start=date(2026, 6, 25), size="3/4", occupancy="owner", **account):
        premise = premise_factory(occupancy_type=occupancy)
        made = start_account(premise=premise, start_date=start, **account)
        customers.account_activate(actor=supervisor, account=made, on=start, reason="Water on")
        point = ServicePoint.objects.create(premise=premise, route=route)
        meter = Meter.objects.create(serial=f"BL{next(serials):06d}", size=size)
        metering.meter_install(
            actor=supervisor, meter=meter, service_point=point, installed_on=start, initial_value=initial
        )
        for on, value in reads:
            read(supervisor, meter, on, value)
        made.refresh_from_db()
        made.meter = meter
        return made

    return make
