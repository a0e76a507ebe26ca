"""The lockbox pages in the accessibility table (test_accessibility.py): the billing admin imports the bank's
files; a lead (CSS II) works the suspense queue and reads the BAI2 report (empty: the demo district has no BAI2
day). FACTS imports a two-item file through the service (one posted, one in suspense) for the file and item
pages, unless a suspense item is there already."""

from tests.browser.page_row import Page

PAGES = [
    Page("payments:lockbox_suspense", "css2", "/payments/lockbox/suspense/"),
    Page("payments:lockbox_reconciliations", "css2", "/payments/lockbox/bai2/"),
    Page("payments:lockbox_reconciliations", "billing", "/payments/lockbox/bai2/"),
    Page("payments:lockbox", "billing", "/payments/lockbox/"),
    Page("payments:lockbox_file", "css2", "/payments/lockbox/files/{lockbox_file}/"),
    Page("payments:lockbox_item", "css2", "/payments/lockbox/items/{lockbox_item}/"),
]

FACTS = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from cistern.billing.scanline import scanline
from cistern.core import clock
from cistern.customers.models import Account
from cistern.payments import lockbox_services
from cistern.payments.models import LockboxItem
item = LockboxItem.objects.filter(status="suspense").order_by("id").first()
if item is None:
    account = Account.objects.filter(status="active").order_by("number").first()
    day = clock.today().isoformat()
    raw = ("scanline,amount,check_number,deposit_date\\n"
           f"{scanline(account.number, Decimal('45.56'))},45.56,90001,{day}\\n,9.99,90002,{day}\\n")
    billing = get_user_model().objects.get(username="billing")
    lockbox_services.lockbox_import(actor=billing, file_name="a11y-lockbox.csv", content=raw.encode())
    item = LockboxItem.objects.filter(status="suspense").order_by("id").first()
print(json.dumps({"lockbox_file": item.file_id, "lockbox_item": item.pk}))
"""
