from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from cistern.core import roles
from cistern.metering import services
from cistern.metering.models import Meter, Route, ServicePoint

_serials = count(1)


@pytest.fixture
def supervisor(db, make_user):
    return make_user(roles.SUPERVISOR)


@pytest.fixture
def route(db):
    return Route.objects.create(code="R07", name="Sunburst area")


@pytest.fixture
def meter_factory(db):
    def make(serial=None, size="3/4", dials=6, multiplier="1", make="Badger"):
        return Meter.objects.create(
            serial=serial or f"BA26{next(_serials):07d}", size=size, dials=dials,
            multiplier=Decimal(multiplier), make=make, model="Recordall",
        )  # fmt: skip

    return make


@pytest.fixture
def install(supervisor, meter_factory, start_account, route):
    """An account (service from 01/01/2025) with a meter installed at its premise on 01/02/2025."""

    def make(account=None, installed_on=date(2025, 1, 2), initial="0", **meter):
        account = account or start_account(start_date=date(2025, 1, 1))
        point = ServicePoint.objects.create(premise=account.premise, route=route, read_sequence=10)
        installation = services.meter_install(
            actor=supervisor, meter=meter_factory(**meter), service_point=point, installed_on=installed_on,
            initial_value=initial,
        )  # fmt: skip
        return account, installation

    return make


def month(n: int) -> date:
    """The 2nd of the n-th month after January 2025 (0: 02/02/2025)."""
    index = 2025 * 12 + 1 + n
    return date(index // 12, index % 12 + 1, 2)


@pytest.fixture
def history(supervisor):
    """Record accepted monthly reads of `usages` units from the installation's initial value."""

    def record(installation, usages, start=0):
        value = installation.initial_value
        reads = []
        for i, units in enumerate(usages):
            value += Decimal(units)
            read = services.read_record(
                actor=supervisor, meter=installation.meter, read_on=month(start + i), value=value,
                source="handheld",
            )  # fmt: skip
            assert read.status == "accepted", read.problems
            reads.append(read)
        return reads

    return record
