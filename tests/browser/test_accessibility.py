"""A public agency's pages meet WCAG 2.1 AA: axe-core runs on every main page, signed in as the role that
works there, and any WCAG 2.1 A or AA violation fails the page.

Problems seen (axe-core 4.14, eight main pages signed in as a lead): the search results broke ARIA (options
outside their listbox, 20 nodes) and contrast (19 nodes); the dispatcher board had one contrast failure;
signed in as a superuser, the header failed contrast on every page (its menu pushed Sign out off the dark bar,
white on the light page).

axe-core is vendored (tests/browser/axe/axe.min.js, axe-core 4.14.1 from its npm package, MPL-2.0) and put into
each page with page.evaluate, so the tests need no network and the page's own Content-Security-Policy
stays as it is in production.
"""

import importlib
import json
from pathlib import Path

import pytest

from tests.browser.page_row import Page

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "axe" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# Every main page, as the role that works there. A page added to the product joins this table: one row
# (and its URL name joins tests/matrix/ as always; test_every_page_of_the_matrix_is_audited holds the two
# together). Pages that are not HTML for people to read are in NOT_PAGES with the reason.
PAGES = [
    Page("login", None, "/login/"),
    Page("not found", "css2", "/no-such-page/", status=404),
    Page("not allowed", "css1", "/district/", status=403),
    # The counter: a lead (CSS II) and a CSS I.
    Page("home", "css2", "/"),
    Page("home", "css1", "/"),
    Page("search", "css2", "/search/?q={street}"),
    Page(
        "search as you type", "css1", "/", fill="#global-search", text="{street}", appears="#search-results a"
    ),
    Page("customers:account", "css2", "/accounts/{account}/"),
    Page("customers:account", "css1", "/accounts/{flag_account}/"),
    Page("customers:customer_edit", "css2", "/accounts/{account}/customer/"),
    Page("customers:start", "css2", "/accounts/start/"),
    Page(
        "customers:premise_lookup",
        "css2",
        "/accounts/start/",
        fill="[name=premise_q]",
        text="{street}",
        appears="#premise-choices > *",
    ),
    Page("customers:stop", "css2", "/accounts/{account}/stop/"),
    Page("customers:transfer", "css2", "/accounts/{account}/transfer/"),
    Page("customers:relationship_correct", "css2", "/accounts/{account}/relationship/"),
    Page("customers:flag_add", "css2", "/accounts/{account}/flags/"),
    Page("customers:flag_end", "css2", "/accounts/{flag_account}/flags/{flag}/end/"),
    # Reads.
    Page("metering:exceptions", "css2", "/meters/exceptions/"),
    Page("metering:exception", "css2", "/meters/exceptions/{exception}/"),
    Page("metering:meter", "css2", "/meters/meter/{meter}/"),
    Page("metering:import_reads", "css2", "/meters/imports/"),
    Page("metering:import_detail", "css2", "/meters/imports/{read_import}/"),
    # Billing and the books.
    Page("billing:run_list", "css2", "/billing/runs/"),
    Page("billing:run", "css2", "/billing/runs/{posted_run}/"),
    Page("billing:run", "billing", "/billing/runs/{trial_run}/"),
    Page("billing:bill", "css2", "/billing/bills/{bill}/"),
    Page("billing:accounts_not_billed", "css2", "/billing/not-billed/"),
    Page("billing:high_usage", "css1", "/billing/high-usage/"),
    Page("ledger:adjustments_pending", "css2", "/ledger/adjustments/"),
    Page("ledger:adjust", "css2", "/ledger/accounts/{account}/adjust/"),
    Page("ledger:gl_summary", "supervisor", "/ledger/gl/"),
    # Leak relief: the application form from the account page, an application, the queue of those to decide.
    Page("assistance:apply", "css1", "/assistance/accounts/{account}/apply/"),
    Page("assistance:application", "css2", "/assistance/applications/{leak_application}/"),
    Page("assistance:queue", "css2", "/assistance/"),
    Page("rates:tables", "css2", "/rates/"),
    Page(
        "rates:estimate",
        "css2",
        "/rates/estimate/?meter_size=3%2F4&rate_class=residential&units=12&days=30&on=2026-11-01",
    ),
    # Field work: the office, the dispatcher, the technician's phone.
    Page("fieldwork:order_list", "css2", "/field/orders/"),
    Page("fieldwork:board", "supervisor", "/field/board/?date={board_day}"),
    Page("fieldwork:order_detail", "css2", "/field/orders/{order}/"),
    Page("fieldwork:order_new", "css2", "/field/orders/new/?account={account}"),
    Page("fieldwork:follow_ups", "css2", "/field/follow-ups/"),
    Page("fieldwork:programs", "supervisor", "/field/programs/?program=reread"),
    Page("fieldwork:connections", "css2", "/field/connections/"),
    Page("home", "tech", "/"),
    Page("fieldwork:tech_today", "tech", "/field/today/"),
    Page("technician's order", "tech", "/field/today/?order={tech_order}"),
    # A cashier, billing admin and auditor's day.
    Page("home", "cashier", "/"),
    Page("customers:account", "cashier", "/accounts/{account}/"),
    Page("home", "billing", "/"),
    Page("home", "auditor", "/"),
    Page("customers:account", "auditor", "/accounts/{account}/"),
    # The superuser (every menu) and the supervisor's own pages.
    Page("home", "root", "/"),
    Page("customers:account", "root", "/accounts/{account}/"),
    Page("fieldwork:board", "root", "/field/board/?date={board_day}"),
    Page("user_audit_index", "supervisor", "/audit/users/"),
    Page("user_audit", "supervisor", "/audit/users/{user}/"),
    Page("district_settings", "root", "/district/"),
]

# GET endpoints of the permission matrix that are not pages for people (files, fragments, images).
NOT_PAGES = {
    "billing:run_progress": "an htmx fragment of the run page (audited there)",
    "billing:run_print_export": "the print vendor's CSV",
    "billing:bill_pdf": "a PDF",
    "fieldwork:order_photo": "an image",
    "assistance:proof": "the proof of repair as uploaded (a PDF or an image)",
    "fieldwork:route_sheet": "a PDF",
}

# Each area of the payments app keeps its rows in a module of its own (tests/browser/pages_*.py: PAGES,
# NOT_PAGES, and FACTS, a script printing the JSON of its placeholders, run with the table's own).
_AREAS = [
    importlib.import_module(f"tests.browser.{path.stem}")
    for path in sorted(Path(__file__).parent.glob("pages_*.py"))
]
for _area in _AREAS:
    PAGES += _area.PAGES
    NOT_PAGES.update(getattr(_area, "NOT_PAGES", {}))


FACTS = """
import json
from django.contrib.auth import get_user_model
from cistern.billing.models import Bill, BillRun
from cistern.core import clock
from cistern.customers.models import Account, AccountFlag
from cistern.fieldwork.models import ServiceOrder
from cistern.metering.models import Read, ReadImport
users = get_user_model().objects
account = Account.objects.filter(status="active", bills__isnull=False).order_by("number").first()
today = clock.today()
flag = AccountFlag.objects.filter(starts_on__lte=today, expires_on__gt=today).order_by("id").first()
order = ServiceOrder.objects.exclude(technician=None).exclude(scheduled_on=None).order_by("-scheduled_on", "number").first()
from django.core.files.base import ContentFile
from cistern.assistance import services as assistance
from cistern.assistance.models import LeakReliefApplication
leak = LeakReliefApplication.objects.order_by("id").first() or assistance.application_apply(
    actor=users.get(username="css1"), account=account, bills=[Bill.objects.filter(account=account).order_by("-id").first()],
    repaired_on=today, repair_proof=ContentFile(b"%PDF-1.4 receipt", name="receipt.pdf"))
print(json.dumps({
    "account": account.number,
    "street": account.premise.street.split()[1],
    "flag_account": flag.account.number,
    "flag": flag.pk,
    "posted_run": BillRun.objects.filter(status="posted").order_by("-id").first().pk,
    "trial_run": BillRun.objects.exclude(status="posted").order_by("-id").first().pk,
    "bill": Bill.objects.filter(account=account).order_by("-id").first().pk,
    "order": order.number,
    "board_day": str(order.scheduled_on),
    "exception": Read.objects.filter(status="exception").order_by("id").first().pk,
    "read_import": ReadImport.objects.order_by("-id").first().pk,
    "meter": Read.objects.filter(account=account).order_by("-read_on").first().meter.serial,
    "user": users.get(username="css1").pk,
    "leak_application": leak.pk,
}))
"""


# The district's own 403 and 404 pages as its handlers render them for a user (the test server runs with
# DEBUG on, which answers with Django's debug page instead).
ERROR_PAGE = """
import json
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.views import defaults
request = RequestFactory().get("{path}")
request.user = get_user_model().objects.get(username="{user}")
if {status} == 404:
    response = defaults.page_not_found(request, Http404())
else:
    response = defaults.permission_denied(request, PermissionDenied())
assert response.status_code == {status}
print(json.dumps(response.content.decode()))
"""


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def facts(server, superuser):
    """The demo district's ids for the table's placeholders, and a turn-on on the technician's phone."""
    found = _last_json(server["manage"]("shell", "-c", FACTS))
    demo = _last_json(server["manage"]("fieldwork_demo_order", "--technician", "tech"))
    for area in _AREAS:
        if getattr(area, "FACTS", ""):
            found.update(_last_json(server["manage"]("shell", "-c", area.FACTS)))
    return {**found, "tech_order": demo["order"]}


@pytest.fixture(scope="module")
def signed_in(server, browser, superuser):
    """Each user's signed-in browser state, made once: user name -> storage state."""
    states = {}
    passwords = dict([superuser])  # the demo users' are "<name>-demo-pass" (README)

    def state(user):
        if user not in states:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{server['url']}/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", passwords.get(user, f"{user}-demo-pass"))
            page.keyboard.press("Enter")
            page.wait_for_url(f"{server['url']}/")
            states[user] = context.storage_state()
            context.close()
        return states[user]

    return state


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands (WCAG 2.1 A and AA rules only); its violations."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    assert page.evaluate("axe.version").startswith("4.14"), "the vendored axe-core is 4.14"
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return results["violations"]


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes] {v['helpUrl']}")
        for node in v["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(node['target'])}  {summary[:240]}")
    return "\n".join(lines)


@pytest.mark.parametrize("row", PAGES, ids=[f"{p.user or 'signed-out'}:{p.name}" for p in PAGES])
def test_page_meets_wcag_21_aa(server, browser, facts, signed_in, row):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        storage_state=signed_in(row.user) if row.user else None,
    )
    page = context.new_page()
    try:
        response = page.goto(server["url"] + row.path.format(**facts))
        assert response.status == row.status, f"{row.path} answered {response.status}"
        if row.status in (403, 404):
            script = ERROR_PAGE.format(path=row.path, user=row.user, status=row.status)
            page.set_content(_last_json(server["manage"]("shell", "-c", script)))
            assert page.locator("#error-page").is_visible()
        if row.fill:
            page.fill(row.fill, row.text.format(**facts))
            page.locator(row.appears).first.wait_for()
        violations = axe_violations(page)
        assert violations == [], f"{page.url} as {row.user}:\n{report(violations)}"
    finally:
        context.close()


def test_every_page_of_the_matrix_is_audited():
    """A page added to the permission matrix without a row in PAGES (or a reason in NOT_PAGES) fails here."""
    from tests.matrix import modules

    audited = {p.name for p in PAGES}
    missing = [
        name for module in modules() for name in module.PAGES if name not in audited and name not in NOT_PAGES
    ]
    assert missing == [], f"pages not in the accessibility table: {missing}"
