"""The accessibility table's rows for the counter (tests/browser/test_accessibility.py): a cashier with no drawer
open, a CSS I's drawer (open, with a payment, and one closed), a lead's audit pages."""

from tests.browser.page_row import Page

PAGES = [
    Page("payments:counter", "cashier", "/payments/counter/"),
    Page("payments:counter", "css1", "/payments/counter/?account={counter_account}&amount=411.72"),
    Page("payments:x_report", "css1", "/payments/drawers/{counter_open_drawer}/x-report/"),
    Page("payments:drawer_close", "css1", "/payments/drawers/{counter_open_drawer}/close/"),
    Page("payments:drawer", "css1", "/payments/drawers/{counter_closed_drawer}/"),
    Page("payments:drawer", "css2", "/payments/drawers/{counter_closed_drawer}/"),
    Page("payments:drawers", "css2", "/payments/drawers/"),
    Page("payments:payment", "css2", "/payments/payments/{counter_payment}/"),
    Page("customers:account", "css1", "/accounts/{counter_account}/"),
]

NOT_PAGES = {"payments:receipt_pdf": "a PDF"}

# The demo district may have no drawer of a demo user: CSS I gets one closed (a $12.34 cash payment, counted
# short) and one open with a payment, made through the services the counter uses.
FACTS = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from cistern.customers.models import Account
from cistern.payments import drawer, services
from cistern.payments.models import DrawerSession, Payment
css1 = get_user_model().objects.get(username="css1")
account = Account.objects.filter(status="active").order_by("number").first()
def pay(session):
    request = services.PaymentRequest(channel="counter", parts=[(account, Decimal("12.34"))],
                                      tenders=[services.Tender("cash", Decimal("12.34"))], cash_tendered=Decimal("20.00"))
    return services.payment_post(actor=css1, session=session, request=request)[0]
closed = DrawerSession.objects.filter(cashier=css1, status="closed").order_by("-id").first()
if closed is None:
    session = services.open_session_of(css1) or services.drawer_open(
        actor=css1, drawer_name="Counter 2", opening_float=Decimal("100.00"))
    pay(session)
    closed = services.drawer_close(actor=css1, session=session, count=drawer.BlindCount(bills={100: 1, 10: 1}))
session = services.open_session_of(css1)
if session is None:
    session = services.drawer_open(actor=css1, drawer_name="Counter 2", opening_float=Decimal("100.00"))
    pay(session)
print(json.dumps({
    "counter_account": account.number,
    "counter_open_drawer": session.pk,
    "counter_closed_drawer": closed.pk,
    "counter_payment": Payment.objects.filter(session=closed).order_by("id").first().pk,
}))
"""
