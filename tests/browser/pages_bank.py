"""The bank's pages in the accessibility table (test_accessibility.py): a lead (CSS II) deposits drawers, records
returned checks and decides refunds; the supervisor sends refunds to accounts payable; a CSS I asks for a
refund. FACTS finds a deposit, a returned payment and an account in credit in the demo district; when the demo
has none yet, the row opens the list page instead (the detail's path part is empty)."""

from tests.browser.page_row import Page

PAGES = [
    Page("payments:deposits", "css2", "/payments/deposits/"),
    Page("payments:deposits", "billing", "/payments/deposits/"),
    Page("payments:deposit", "css2", "/payments/deposits/{bank_deposit_path}"),
    Page("payments:returns", "css2", "/payments/returns/"),
    Page("payments:return_new", "css2", "/payments/returns/new/"),
    Page("payments:return_new", "css2", "/payments/returns/new/?account={account}"),
    Page("payments:return", "css2", "/payments/returns/{bank_return_path}"),
    Page("payments:refunds", "css2", "/payments/refunds/"),
    Page("payments:refund_new", "css1", "/payments/refunds/new/{bank_credit_account}/"),
    Page("payments:refund_exports", "supervisor", "/payments/refunds/export/"),
    Page("payments:refund_exports", "billing", "/payments/refunds/export/"),
]

NOT_PAGES = {
    "payments:deposit_slip": "a PDF",
    "payments:return_letter": "a PDF",
    "payments:refund_export_file": "the accounts-payable CSV",
}

FACTS = """
import json
from django.db.models import Sum
from cistern.customers.models import Account
from cistern.ledger.models import JournalLine
from cistern.payments.models import BankDeposit, PaymentReturn
deposit = BankDeposit.objects.order_by("-id").first()
returned = PaymentReturn.objects.order_by("-id").first()
credit = (JournalLine.objects.filter(gl_account__receivable=True).values("account_id").annotate(b=Sum("amount"))
          .filter(b__lt=0).order_by("account_id").first())
account = Account.objects.get(pk=credit["account_id"]) if credit else Account.objects.order_by("number").first()
print(json.dumps({
    "bank_deposit_path": f"{deposit.pk}/" if deposit else "",
    "bank_return_path": f"{returned.pk}/" if returned else "",
    "bank_credit_account": account.number,
}))
"""
