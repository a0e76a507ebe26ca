"""A field technician on a phone: today's turn-on, complete it with the read, and the account is active."""

import json

import pytest

pytestmark = pytest.mark.browser

ACCOUNT_STATUS = (
    "from cistern.customers.models import Account; print(Account.objects.get(number='{number}').status)"
)


def test_technician_completes_a_turn_on_from_the_phone(server, browser):
    url = server["url"]
    demo = json.loads(
        server["manage"]("fieldwork_demo_order", "--technician", "tech").strip().splitlines()[-1]
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(f"{url}/login/")
        page.fill("input[name=username]", "tech")
        page.fill("input[name=password]", "tech-demo-pass")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{url}/")
        assert page.locator("nav.menu a", has_text="Start service").count() == 0
        page.locator("nav.menu a", has_text="My orders").click()
        page.wait_for_url(f"{url}/field/today/")
        job = page.locator("a.job", has_text=demo["address"])
        assert "Turn-on" in job.inner_text()
        # Nothing on the page is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        job.click()
        page.wait_for_url(f"{url}/field/today/?order={demo['order']}")
        card = page.locator(".job-card").inner_text()
        assert demo["meter"] in card and "(760) 555-0142" in card
        assert page.locator("button.big").bounding_box()["height"] >= 44  # a thumb-sized control
        page.fill("input[name=read_value]", "112")
        page.fill("textarea[name=field_notes]", "Curb valve opened, no leak at meter")
        page.locator("button.big").click()
        page.wait_for_url(f"{url}/field/today/")
        assert f"SO-{demo['order']} completed." in page.locator(".messages").inner_text()
        assert page.locator("a.job.done", has_text=demo["address"]).count() == 1
        status = server["manage"]("shell", "-c", ACCOUNT_STATUS.format(number=demo["account"])).strip()
        assert status.splitlines()[-1] == "active"
        assert errors == []
        # Technicians never see an account page (balances, payments).
        assert page.goto(f"{url}/accounts/{demo['account']}/").status == 403
    finally:
        context.close()
