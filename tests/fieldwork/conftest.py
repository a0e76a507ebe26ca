from datetime import date

import pytest

from cistern.fieldwork.models import ServiceOrder

from . import helpers


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def boss(db):
    return helpers.supervisor()


@pytest.fixture
def tech(db):
    return helpers.technician()


@pytest.fixture
def pending(start_account, boss):
    """A pending account (started 11/02/2026 by a CSS I) at a premise with a meter reading 100 since 10/01."""
    account = start_account()
    point, meter = helpers.meter_at(account.premise, actor=boss, serial="M-1")
    return account, point, meter


@pytest.fixture
def turn_on(pending):
    account, _, _ = pending
    return ServiceOrder.objects.get(account=account, order_type__code="turn_on")


@pytest.fixture
def dispatched(boss, tech):
    """Schedule `order` for `tech` on a day and dispatch it."""
    from cistern.fieldwork import services

    def make(order, day=date(2026, 11, 2)):
        services.order_schedule(actor=boss, order=order, scheduled_on=day, technician=tech)
        return services.order_dispatch(actor=boss, order=order)

    return make
