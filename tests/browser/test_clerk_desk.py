"""A CSS I at the counter: sign in, find an account by part of its address with the keyboard only,
log the conversation, and see it on the account page."""

import json

import pytest

pytestmark = pytest.mark.browser

FIND_ACCOUNT = (
    "import json; from cistern.customers.models import Account; "
    "a = Account.objects.filter(status='active').select_related('premise', 'customer').order_by('number')[7]; "
    "print(json.dumps({'number': a.number, 'street': a.premise.street, 'name': a.customer.name}))"
)


def sign_in(page, url, username, password):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/")


def test_css1_finds_an_account_by_address_and_logs_a_call(server, page):
    url = server["url"]
    target = json.loads(server["manage"]("shell", "-c", FIND_ACCOUNT).strip().splitlines()[-1])
    house_number, street_word = target["street"].split()[:2]
    fragment = f"{house_number} {street_word[:4]}"

    sign_in(page, url, "css1", "css1-demo-pass")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type(fragment, delay=20)
    first_hit = page.locator("#search-results a.hit").first
    first_hit.wait_for()
    assert target["number"] in first_hit.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('hit')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/accounts/{target['number']}/")
    assert page.locator("h1").inner_text() == target["name"]

    page.keyboard.press("c")
    assert page.evaluate("document.activeElement.name") == "subject"
    page.keyboard.type("Asked why the bill went up")
    page.keyboard.press("Tab")
    page.keyboard.type("Explained tier 3 pricing over 10 units")
    page.locator("#contact-form button[type=submit]").click()
    row = page.locator("#contact-panel table.contacts tbody tr").first
    row.wait_for()
    assert "Asked why the bill went up" in row.inner_text()
    assert "css1" in row.inner_text()
    # It is really stored: a fresh load shows it too.
    page.reload()
    assert "Explained tier 3 pricing over 10 units" in page.locator("#panel-contacts").inner_text()
    assert page.errors == []


def test_field_technician_sees_no_account_menu(server, page):
    sign_in(page, server["url"], "tech", "tech-demo-pass")
    assert page.locator("nav.menu a", has_text="Start service").count() == 0
    response = page.goto(f"{server['url']}/accounts/start/")
    assert response.status == 403
