"""Autopay's pages in the accessibility table (test_accessibility.py): a CSS I at an account's autopay page
(the enrolment form, as the demo district has no autopay yet), a lead at an enrolled account where there is
one, and the lead's hand entry of an ACH return. The account page's autopay panel is audited with the
account page's own rows."""

from tests.browser.page_row import Page

PAGES = [
    Page("payments:autopay", "css1", "/payments/accounts/{autopay_account}/autopay/"),
    Page("payments:autopay", "css2", "/payments/accounts/{autopay_enrolled_account}/autopay/"),
    Page("payments:autopay_return", "css2", "/payments/autopay/returns/new/"),
]

FACTS = """
import json
from cistern.customers.models import Account
from cistern.payments.models import AutopayEnrolment
account = Account.objects.filter(status="active").order_by("number").first()
enrolled = AutopayEnrolment.objects.exclude(status="ended").select_related("account").order_by("id").first()
print(json.dumps({
    "autopay_account": account.number,
    "autopay_enrolled_account": enrolled.account.number if enrolled else account.number,
}))
"""
