"""The front desk: a CSS I logs a call from a customer's known number (the account is matched as the number is
typed), turns the call into a case without retyping, escalates it, and the lead (CSS II) finds it waiting in the
"Cases" queue on their home page."""

import json
import re

import pytest

from tests.browser.test_clerk_desk import sign_in

pytestmark = pytest.mark.browser

# An active account whose customer's phone belongs to it alone (the call links its single match).
KNOWN_CALLER = (
    "import json; from cistern.customers.models import Account; from cistern.frontdesk import selectors; "
    "found = next(a for a in Account.objects.filter(status='active').exclude(customer__phone='')"
    ".select_related('customer').order_by('number')[5:] "
    "if [m.pk for m in selectors.accounts_for_phone(a.customer.phone)] == [a.pk]); "
    "print(json.dumps({'number': found.number, 'phone': found.customer.phone, 'name': found.customer.name}))"
)


def test_a_call_from_a_known_number_becomes_a_case_escalated_to_the_lead(server, page):
    url = server["url"]
    caller = json.loads(server["manage"]("shell", "-c", KNOWN_CALLER).strip().splitlines()[-1])
    reason = "Browser test: says the meter was read wrong"

    sign_in(page, url, "css1", "css1-demo-pass")
    page.goto(f"{url}/frontdesk/")
    assert page.evaluate("document.activeElement.name") == "caller_phone"
    page.keyboard.type(caller["phone"], delay=15)
    match = page.locator("#phone-matches a.match")
    match.first.wait_for()
    assert match.count() == 1 and match.first.inner_text() == caller["number"]
    page.fill("input[name=caller_name]", caller["name"])
    page.fill("input[name=reason]", reason)
    page.select_option("select[name=outcome]", "resolved")
    page.locator("#call-form button[type=submit]").click()
    page.wait_for_url(f"{url}/frontdesk/")
    assert f"on account {caller['number']}" in page.locator("ul.messages").inner_text()

    page.locator("#todays-calls tr", has_text=reason).locator("a", has_text="Call").first.click()
    assert caller["number"] in page.locator("#call-account").inner_text()
    page.locator("#make-case").click()
    assert page.input_value("input[name=account]") == caller["number"]
    assert page.input_value("textarea[name=description]") == reason
    page.select_option("select[name=category]", label="Meter or read dispute")
    page.locator("#case-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/frontdesk/cases/\d+/$"))
    number = re.search(r"C-\d{4}-\d{5}", page.locator("h1").inner_text()).group(0)

    page.fill("#escalate-reason", "The customer asks for a lead")
    page.locator("#escalate-form button[type=submit]").click()
    page.locator("#case-status", has_text="Escalated to CSS II").wait_for()
    assert "Escalated" in page.locator("#case-history").inner_text()
    page.locator("form[action='/logout/'] button").click()

    sign_in(page, url, "css2", "css2-demo-pass")
    queue = page.locator("li[data-queue=cases]")
    assert int(queue.locator(".count").inner_text()) >= 1
    queue.locator("a").click()
    page.wait_for_url(f"{url}/frontdesk/cases/queue/")
    row = page.locator("#case-queue tr", has_text=number)
    assert "not yet taken" in row.inner_text() and caller["number"] in row.inner_text()
    assert page.errors == []
