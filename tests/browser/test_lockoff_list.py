"""A lead reviews the day's lock-off list in a real browser: sees the account the policy excludes and why (a
bill dispute), opens an account's rule trace, confirms, and the lock-off orders are there to open. The list page
meets WCAG 2.1 AA before and after."""

import json
import re

import pytest

from .pages_collections import SCENARIO
from .test_accessibility import axe_violations, report
from .test_clerk_desk import sign_in

pytestmark = pytest.mark.browser

ORDERS = (
    "import json; from cistern.fieldwork.models import ServiceOrder; "
    "print(json.dumps([[o.account.number, o.origin, str(o.requested_on), o.status] for o in "
    "ServiceOrder.objects.filter(order_type__code='lock_off', account__number__in={numbers!r}).order_by('number')]))"
)


def _shell(server, code):
    return json.loads(server["manage"]("shell", "-c", code).strip().splitlines()[-1])


def test_a_lead_reviews_the_lockoff_list_sees_an_exclusion_and_confirms(server, page):
    facts = _shell(server, SCENARIO)
    day, included, disputed = facts["lockoff_day"], facts["lockoff_included"], facts["lockoff_disputed"]
    assert facts["lockoff_reason"].startswith("A bill dispute hold is in force from ")
    url = server["url"]
    sign_in(page, url, "css2", "css2-demo-pass")

    # From the lists to the day's list.
    page.goto(f"{url}/collections/lockoffs/")
    page.click(f'tr[data-day="{day}"] a')
    page.wait_for_url(f"{url}/collections/lockoffs/{day}/")
    assert page.inner_text("#list-status") == "Proposed"
    violations = axe_violations(page)
    assert violations == [], report(violations)

    # The excluded account and its reason, in plain sight (not folded away).
    excluded = page.locator(f'#excluded-table tr[data-account="{disputed}"]')
    reason = excluded.locator("td.reason")
    assert reason.is_visible()
    assert reason.inner_text() == facts["lockoff_reason"]
    assert "Dana Dispute" in excluded.inner_text()

    # The included account: its trace opens on a click, every rule passed.
    row = page.locator(f'#included-table tr[data-account="{included}"]')
    assert facts["lockoff_amount"] in row.inner_text()
    row.locator("details.trace summary").click()
    trace = row.locator("details.trace table")
    assert trace.is_visible()
    assert "Failed" not in trace.inner_text() and "delinquent_60_days" in trace.inner_text()
    checkbox = page.get_by_label(f"Lock off account {included}, Lena Lockoff")
    assert checkbox.is_checked()

    page.click("#confirm-lockoffs")
    page.wait_for_selector(".messages li.success")
    message = page.inner_text(".messages li.success")
    assert re.match(
        rf"Lock-off list for {day[5:7]}/{day[8:10]}/{day[:4]} confirmed: \d+ lock-off orders? created: ",
        message,
    )
    assert page.inner_text("#list-status") == "Confirmed"
    orders = _shell(server, ORDERS.format(numbers=[included, disputed]))
    assert orders == [[included, "collections", day, "open"]]
    order_link = page.locator(f'#included-table tr[data-account="{included}"] a[href^="/field/orders/"]')
    label = order_link.inner_text()
    assert label.startswith("SO-") and label in message
    assert page.locator("#confirm-lockoffs").count() == 0
    violations = axe_violations(page)
    assert violations == [], report(violations)

    order_link.click()
    page.wait_for_url(f"{url}/field/orders/*/")
    assert f"Lock-off for nonpayment: {facts['lockoff_amount']} delinquent since" in page.inner_text("main")
    assert page.errors == []
