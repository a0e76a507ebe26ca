"""At the counter, in a real browser: the account page opens with its summary (the balance above the fold at
1280x800) and fits a 390 px phone without sideways scrolling; start service goes through its review step."""

import json

import pytest

from .test_clerk_desk import sign_in

pytestmark = pytest.mark.browser

# An active account with the most history (bills, reads, ledger lines): the widest page the demo has.
BUSY_ACCOUNT = (
    "import json; from django.db.models import Count; from cistern.customers.models import Account; "
    "a = Account.objects.filter(status='active').annotate(n=Count('journal_lines')).order_by('-n', 'number')[0]; "
    "print(json.dumps({'number': a.number}))"
)
# A vacant rental address to start service at (made for the test when the demo has none).
VACANT_RENTAL = (
    "import json; from cistern.customers.models import Premise; "
    "p = Premise.objects.filter(occupancy_type='rental').exclude(accounts__status__in=['pending', 'active']).first() "
    "or Premise.objects.create(street='77 Counter Test Rd', city='Joshua Tree', zip_code='92252', "
    "occupancy_type='rental'); print(json.dumps({'pk': p.pk, 'street': p.street}))"
)


def _shell(server, code):
    return json.loads(server["manage"]("shell", "-c", code).strip().splitlines()[-1])


def test_the_account_page_fits_a_phone(server, browser):
    """Seen: on a 390 px phone the account page scrolled sideways (tables and the header's actions)."""
    number = _shell(server, BUSY_ACCOUNT)["number"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, server["url"], "css2", "css2-demo-pass")
        page.goto(f"{server['url']}/accounts/{number}/")
        page.wait_for_selector("#account-summary")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide at 390"
        assert page.locator("#summary-balance").is_visible()
    finally:
        context.close()


def test_the_balance_is_above_the_fold(server, browser):
    """Seen: the balance was three screens down the account page at 1280x800."""
    number = _shell(server, BUSY_ACCOUNT)["number"]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, server["url"], "css1", "css1-demo-pass")
        page.goto(f"{server['url']}/accounts/{number}/")
        box = page.locator("#summary-balance").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800
        assert page.inner_text("#summary-balance").lstrip("-").startswith("$")
        for figure in ("#summary-past-due", "#summary-due-date", "#summary-deposit", "#summary-held"):
            figure_box = page.locator(figure).bounding_box()
            assert figure_box is not None and figure_box["y"] + figure_box["height"] <= 800, figure
    finally:
        context.close()


def test_start_service_goes_through_the_review(server, page):
    """Seen: a rental address opened as "owner", on a Saturday, with no look at the charges before it opened."""
    premise = _shell(server, VACANT_RENTAL)
    url = server["url"]
    sign_in(page, url, "css1", "css1-demo-pass")
    page.goto(f"{url}/accounts/start/?premise={premise['pk']}")
    assert "defaults to tenant" in page.inner_text("#default-relationship")
    page.fill("input[name=name]", "Counter Test Customer")
    page.fill("input[name=phone]", "(760) 555-0142")
    page.fill("input[name=start_date]", "2027-01-09")  # a Saturday
    page.click("button:has-text('Review')")
    page.wait_for_selector("#start-review")
    assert page.inner_text("#review-relationship").startswith("Tenant")
    assert "Rental" in page.inner_text("#review-occupancy")
    assert "Saturday" in page.inner_text("#closed-day-warning")
    assert page.inner_text("#review-charges").startswith("$")
    page.click("#confirm-start")  # the warning not yet accepted: the review again
    page.wait_for_selector("#accept-error")
    page.check("#accept-closed-day")
    page.click("#confirm-start")
    page.wait_for_url(f"{url}/accounts/*/")
    assert page.locator("h1").inner_text() == "Counter Test Customer"
    assert page.inner_text("#account-status") == "Pending"
    assert "Tenant, rental (tenant)" in page.inner_text(".acct-no")
    assert page.errors == []
