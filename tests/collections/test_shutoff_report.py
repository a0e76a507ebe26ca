"""The annual report of shutoffs for nonpayment: lock-offs the collection steps sent, by the month they were
done, on the page and as CSV."""

from datetime import date

import pytest

from cistern.collections import services
from cistern.core import clock, roles
from cistern.fieldwork import services as fieldwork
from tests.billing.conftest import district, metered_account, supervisor  # noqa: F401

from .test_run import _bill, _run


@pytest.mark.django_db
def test_a_lock_off_done_in_november_counts_in_november(client, biller, css2, metered_account, make_user):  # noqa: F811
    technician = make_user(roles.FIELD_TECHNICIAN, "tech_report")
    account = metered_account()
    _bill(biller, account, "312.40")
    _run(biller, date(2026, 10, 26))
    listed = _run(biller, date(2026, 11, 25)).lockoff_list
    with clock.on(date(2026, 11, 25)):
        (order,) = services.lockoff_list_confirm(actor=css2, lockoff_list=listed).orders
    order = fieldwork.order_schedule(
        actor=css2, order=order, scheduled_on=date(2026, 11, 25), technician=technician
    )
    order = fieldwork.order_dispatch(actor=css2, order=order)
    fieldwork.order_complete(
        actor=technician,
        order=order,
        completion=fieldwork.Completion(on=date(2026, 11, 25), read_value="100"),
    )
    client.force_login(css2)
    page = client.get("/collections/shutoffs/?year=2026").content.decode()
    assert '<td>November 2026</td><td class="num">1</td>' in page
    assert '<td>October 2026</td><td class="num">0</td>' in page
    rows = client.get("/collections/shutoffs/?year=2026&format=csv").content.decode().splitlines()
    assert rows[0] == "month,shutoffs_for_nonpayment" and "2026-11,1" in rows and rows[-1] == "total,1"
    client.force_login(make_user(roles.CASHIER, "cash_report"))
    assert client.get("/collections/shutoffs/").status_code == 403
