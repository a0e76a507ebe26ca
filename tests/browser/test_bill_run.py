"""A lead approves the trial run the demo district left waiting, posts it, and opens a posted bill's PDF."""

import re

import pytest

from .test_clerk_desk import sign_in

pytestmark = pytest.mark.browser


def test_a_lead_approves_a_trial_run_and_opens_a_posted_bill(server, page):
    sign_in(page, server["url"], "css2", "css2-demo-pass")
    page.click("text=Bill runs")
    trial = page.locator("#runs tr", has=page.locator("td[data-status=calculated]")).first
    run_link = trial.locator("a.key")
    run_id = run_link.inner_text()
    run_link.click()
    page.wait_for_selector("#run-status")
    assert page.inner_text("#run-status") == "Calculated (trial)"
    bills = int(page.inner_text("#run-billable"))
    assert bills > 0

    page.fill("#approve-run input[name=note]", "Exceptions checked")
    page.click("#approve-run button")
    assert "approved" in page.inner_text(".messages")
    assert page.inner_text("#run-status") == "Approved"
    page.click("#post-run button")
    page.wait_for_function("document.querySelector('#run-status').textContent === 'Posted'", timeout=60_000)
    assert page.inner_text("#run-posted") == str(bills)

    # A posted bill of this run (from the print vendor's file): its arithmetic, then its PDF.
    csv_text = page.request.get(f"{server['url']}/billing/runs/{run_id}/print.csv").text()
    first_bill = csv_text.splitlines()[1].split(",")[0]
    page.goto(f"{server['url']}/billing/bills/{first_bill}/")
    assert "Explain this bill" in page.inner_text("h2 >> nth=1")
    assert re.search(r"Basic fee", page.inner_text("#bill-lines"))
    total = page.inner_text("#bill-total")
    assert total.startswith("$") or total.startswith("-$")
    pdf = page.get_attribute("#bill-pdf", "href")
    response = page.request.get(f"{server['url']}{pdf}")  # the link's PDF, with the lead's session
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert page.errors == []
