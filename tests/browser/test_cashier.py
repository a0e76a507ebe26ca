"""A cashier's shift in a real browser: open a drawer, post a cash payment with the keyboard only (account, Tab,
amount, Enter), print its receipt, close the drawer with a blind count; then the lead audits it."""

import json
import re

import pytest

from tests.payments.test_receipts import pdf_text

from .test_clerk_desk import sign_in

pytestmark = pytest.mark.browser

ACCOUNT = (
    "import json; from cistern.customers.models import Account; "
    "a = Account.objects.filter(status='active').order_by('-number').first(); print(json.dumps({'number': a.number}))"
)


def test_cashier_posts_cash_by_keyboard_closes_and_the_lead_audits(server, browser, page):
    url = server["url"]
    number = json.loads(server["manage"]("shell", "-c", ACCOUNT).strip().splitlines()[-1])["number"]
    sign_in(page, url, "cashier", "cashier-demo-pass")
    page.click("nav.menu >> text=Counter")
    page.wait_for_selector("#open-drawer-form")
    assert page.input_value("[name=opening_float]") == "150.00"  # the district's standard float
    page.fill("[name=drawer]", "Counter 3")
    page.click("#open-drawer-form button[type=submit]")
    page.wait_for_selector("#payment-form")

    # One pass of typing, no mouse: the cursor starts in the account field.
    assert page.evaluate("document.activeElement.name") == "account"
    page.keyboard.type(number, delay=10)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "amount"
    page.keyboard.type("2500", delay=10)  # digits alone are cents: $25.00
    page.keyboard.press("Enter")
    page.wait_for_selector("#posted")
    posted = page.inner_text("#posted")
    assert re.search(rf"Payment R\d{{8}} posted: \$25\.00 to account {number}, balance now", posted), posted
    assert page.evaluate("document.activeElement.name") == "account"  # ready for the next customer

    receipt = page.locator("#receipt-80mm").get_attribute("href")
    response = page.request.get(url + receipt)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF") and b"COPY" not in pdf_text(response.body())
    again = page.request.get(url + receipt)
    assert b"*** COPY ***" in pdf_text(again.body())

    page.click("#close-drawer-link")
    page.wait_for_selector("#blind-count-form")
    assert "$25.00" not in page.inner_text("main") and "175" not in page.inner_text("main")  # a blind count
    for field, pieces in {"bill_100": "1", "bill_50": "1", "bill_20": "1", "bill_5": "1"}.items():  # $175.00
        page.fill(f"[name={field}]", pieces)
    page.click("#close-drawer")
    page.wait_for_url(re.compile(r".*/payments/drawers/\d+/$"))
    drawer_url = page.url
    assert "Balanced: no variance." in page.inner_text("#drawer-variance")
    assert "$25.00" in page.inner_text("#drawer-balance")
    assert page.errors == []

    lead = browser.new_context(viewport={"width": 1280, "height": 900})
    lead_page = lead.new_page()
    try:
        sign_in(lead_page, url, "css2", "css2-demo-pass")
        assert "Drawers to audit" in lead_page.inner_text("#work-queues")
        lead_page.goto(drawer_url)
        lead_page.fill("#audit-form [name=note]", "Counted with the cashier")
        lead_page.click("#audit-form button[type=submit]")
        lead_page.wait_for_url(f"{url}/payments/drawers/")
        lead_page.goto(drawer_url)
        assert lead_page.inner_text("#drawer-status") == "Audited"
    finally:
        lead.close()
