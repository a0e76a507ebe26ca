"""The home page is a start on the clerk's day: what waits for this user, counted, each linking to its queue,
by the user's permissions (core/queues.py; each app registers its own queues, core imports none of them)."""

# ruff: noqa: F811 (the billing tests' district fixtures, imported for use as fixtures)
import re
from datetime import date
from decimal import Decimal as D

import pytest

from cistern.billing import services as billing
from cistern.billing.models import BillRun
from cistern.core import clock, queues, roles
from cistern.ledger.services import adjustment_request
from cistern.metering import services as metering
from cistern.metering.models import Read, ReadStatus
from tests.billing.conftest import biller, district, lead, metered_account, supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)


def _counts(page: str) -> dict[str, tuple[int, str]]:
    """{queue key: (count, link)} as the page shows them."""
    found = re.findall(r'data-queue="(\w+)"><a href="([^"]+)"><span class="count">(\d+)</span>', page)
    return {key: (int(count), href) for key, href, count in found}


def test_core_imports_no_app_above_it():
    with open(queues.__file__) as f:
        source = f.read()
    assert not re.search(r"cistern\.(customers|ledger|billing|metering|fieldwork)", source)


def test_each_role_sees_its_own_queues(client, make_user):
    """Seen: the home page was a calendar and a search hint; the clerk's waiting work was behind five menus."""
    expected = {
        roles.CSS_I: {"cases", "follow_ups", "returned_mail", "high_usage", "callbacks"},
        roles.CSS_II: {"cases", "callbacks", "adjustments", "bill_cancellations", "drawers_to_audit", "drawers_to_deposit",
                       "refunds_to_approve", "lockbox_suspense", "bill_runs", "read_exceptions", "accounts_not_billed",
                       "follow_ups", "lockoff_lists", "returned_mail", "high_usage", "write_offs", "leak_relief"},
        roles.FIELD_TECHNICIAN: {"my_orders"},
        roles.AUDITOR: {"accounts_not_billed"},
        roles.CASHIER: {"callbacks"},
    }  # fmt: skip
    for role, keys in expected.items():
        client.force_login(make_user(role, username=f"home_{role}".replace(" ", "_")))
        page = client.get("/").content.decode()
        assert set(_counts(page)) == keys, role


def test_counts_and_links_follow_the_work(
    client, district, biller, lead, supervisor, css1, metered_account, make_user
):
    """The counts are what waits for this user: a lead never counts their own requests (someone else
    approves them) nor one over their limit, and a run waits for someone other than who calculated it."""
    billed = metered_account([(JUL, "220")])  # a bill of $1,541.80
    metered_account()  # unread: held from billing
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    with clock.on(date(2026, 8, 3)):
        adjustment_request(actor=css1, account=billed, reason_code="leak_adjustment", amount=D("180.00"),
                           memo="Leak repaired")  # fmt: skip
        adjustment_request(actor=css1, account=billed, reason_code="leak_adjustment", amount=D("700.00"),
                           memo="Over a lead's limit")  # fmt: skip
        billing.bill_cancel_request(
            actor=lead, bill=billed.bills.get(), reason="Read looks wrong", rebill=False
        )
    # A second run, calculated by the lead: waits for someone else.
    again = billing.bill_run_create(actor=lead, cycle=district, period_end=date(2026, 8, 25))
    billing.bill_run_calculate(actor=lead, run=again)
    assert BillRun.objects.get(pk=again.pk).status == "calculated"
    # Lower than July's 220: held for review.
    metering.read_record(
        actor=supervisor, meter=billed.meter, read_on=date(2026, 8, 6), value=D("50"), source="handheld"
    )
    assert Read.objects.filter(status=ReadStatus.EXCEPTION).count() == 1

    client.force_login(lead)
    with clock.on(date(2026, 8, 10)):
        counts = _counts(client.get("/").content.decode())
    assert counts["adjustments"] == (1, "/ledger/adjustments/")  # the $180; the $700 is over a lead's $500
    assert counts["bill_cancellations"] == (0, "/ledger/adjustments/")  # the lead's own
    assert counts["bill_runs"] == (0, "/billing/runs/")  # the lead calculated it
    assert counts["read_exceptions"] == (1, "/meters/exceptions/")
    assert counts["accounts_not_billed"][0] == 1
    assert counts["follow_ups"] == (0, "/field/follow-ups/")

    other = make_user(roles.CSS_II, username="lead_two")
    client.force_login(other)
    with clock.on(date(2026, 8, 10)):
        counts = _counts(client.get("/").content.decode())
    # Another lead approves the run; the $1,541.80 cancellation is over a lead's $500 limit too.
    assert (counts["bill_runs"][0], counts["bill_cancellations"][0], counts["adjustments"][0]) == (1, 0, 1)
    client.force_login(supervisor)
    with clock.on(date(2026, 8, 10)):
        counts = _counts(client.get("/").content.decode())
    assert (counts["bill_cancellations"][0], counts["adjustments"][0]) == (1, 2)  # within $5,000
    for _, href in counts.values():
        assert client.get(href).status_code == 200, href
