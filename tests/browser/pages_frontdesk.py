"""The front desk's pages in the accessibility table (test_accessibility.py): the counter page with its call form
(and the accounts a number matches as it is typed), a day's calls, a call, the call-backs; cases (the list, the
queue, a new case from a call, a case); visitors and their log; the radio log. FACTS finds a call and a case of the
demo's last month (the demo's front desk makes some), or makes them."""

from tests.browser.page_row import Page

PAGES = [
    Page("frontdesk:desk", "css1", "/frontdesk/"),
    Page(
        "frontdesk:desk",
        "css1",
        "/frontdesk/",
        fill="input[name=caller_phone]",
        text="{frontdesk_phone}",
        appears="#phone-matches a",
    ),  # fmt: skip
    Page("frontdesk:desk", "cashier", "/frontdesk/"),
    Page("frontdesk:call_list", "css1", "/frontdesk/calls/?date={frontdesk_call_day}"),
    Page("frontdesk:call", "css1", "/frontdesk/calls/{frontdesk_call}/"),
    Page("frontdesk:callbacks", "css1", "/frontdesk/calls/callbacks/"),
    Page("frontdesk:case_list", "css2", "/frontdesk/cases/"),
    Page("frontdesk:case_queue", "css2", "/frontdesk/cases/queue/"),
    Page("frontdesk:case_new", "css1", "/frontdesk/cases/new/?call={frontdesk_call}"),
    Page("frontdesk:case", "css2", "/frontdesk/cases/{frontdesk_case}/"),
    Page("frontdesk:visitors", "css1", "/frontdesk/visitors/"),
    Page("frontdesk:visitor_log", "css1", "/frontdesk/visitors/log/?date={frontdesk_call_day}"),
    Page("frontdesk:radio", "css1", "/frontdesk/radio/?date={frontdesk_call_day}"),
]

NOT_PAGES = {
    "frontdesk:call_match": "an htmx fragment of the counter page (audited there, typed into)",
}

FACTS = """
import json
from django.contrib.auth import get_user_model
from cistern.customers.models import Account
from cistern.frontdesk import services
from cistern.frontdesk.models import Call, Case, CaseCategory
clerk = get_user_model().objects.get(username="css1")
account = Account.objects.filter(status="active").exclude(customer__phone="").order_by("number").first()
call = Call.objects.exclude(account=None).order_by("-id").first() or services.call_log(
    actor=clerk, reason="Asks about a bill", outcome="resolved", caller_phone=account.customer.phone)
case = Case.objects.order_by("-id").first() or services.case_open(
    actor=clerk, category=CaseCategory.objects.get(code="service_complaint"), description="Low pressure",
    account=account)
print(json.dumps({
    "frontdesk_call": call.pk,
    "frontdesk_call_day": str(call.taken_on),
    "frontdesk_case": case.pk,
    "frontdesk_phone": account.customer.phone,
}))
"""
