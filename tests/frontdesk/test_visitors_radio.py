"""Visitors signed in with a badge no one else in the building holds, signed out, the day's log; the radio log."""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cistern.core import clock
from cistern.fieldwork import services as fieldwork
from cistern.frontdesk import selectors, services
from cistern.frontdesk.models import RadioEntry, Visit

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def _in(actor, badge="7", name="Pat Quinn"):
    with clock.on(DAY):
        return services.visitor_sign_in(
            actor=actor, name=name, organisation="Hi-Desert Paving", purpose="Trench permit", host="Engineering",
            badge=badge,
        )  # fmt: skip


def test_sign_in_and_out_with_a_badge_unique_in_the_building(cashier):
    first = _in(cashier, badge="v7")
    assert (first.badge, first.signed_in_on) == ("V7", DAY)
    with pytest.raises(services.FrontDeskError, match="Badge V7 is already"):
        _in(cashier, badge="V7", name="Sam Ortiz")
    assert selectors.in_building() == [first]
    with clock.on(DAY):
        services.visitor_sign_out(actor=cashier, visit=first)
        with pytest.raises(services.FrontDeskError, match="already signed out"):
            services.visitor_sign_out(actor=cashier, visit=first)
    assert selectors.in_building() == []
    second = _in(cashier, badge="V7", name="Sam Ortiz")  # the badge is free again
    assert [v.name for v in selectors.visits_on(DAY)] == ["Pat Quinn", "Sam Ortiz"]
    assert selectors.visits_on(date(2026, 12, 2)) == []
    assert second.signed_out_at is None


def test_the_database_refuses_a_second_badge_in_the_building(cashier):
    visit = _in(cashier, badge="12")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(name="X", purpose="Y", host="Z", badge="12", signed_in_on=DAY,
                             signed_in_at=visit.signed_in_at, signed_in_by=cashier)  # fmt: skip


def test_a_visitor_needs_a_name_purpose_host_and_badge(cashier, auditor):
    with pytest.raises(services.FrontDeskError, match="badge"):
        _in(cashier, badge=" ")
    with pytest.raises(PermissionDenied):
        _in(auditor)


def test_the_radio_log_of_a_day_with_its_orders(css1, css2, start_account):
    account = start_account()
    order = fieldwork.order_create(
        actor=css2, order_type=fieldwork.order_type_get("leak_check"), premise=account.premise, account=account,
        requested_on=DAY,
    )  # fmt: skip
    with clock.on(DAY):
        services.radio_log(actor=css1, unit="u12", message="On site, meter box flooded", heard_at=time(9, 5),
                           order=order)  # fmt: skip
        services.radio_log(actor=css1, unit="U3", message="Back at the yard", heard_at=time(8, 40))
        with pytest.raises(services.FrontDeskError, match="unit"):
            services.radio_log(actor=css1, unit="", message="x")
    log = selectors.radio_on(DAY)
    assert [(e.heard_at, e.unit, e.order) for e in log] == [
        (time(8, 40), "U3", None),
        (time(9, 5), "U12", order),
    ]
    assert selectors.radio_on(date(2026, 12, 2)) == []
    assert RadioEntry.objects.count() == 2
