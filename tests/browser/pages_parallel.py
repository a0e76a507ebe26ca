"""Parallel bills in the accessibility table (test_accessibility.py): the runs and the form as the billing
administrator, the list as the auditor (no form), and a run's page (counts per reason, the differences). The
workbook (parallel:xlsx) is a file, not a page. FACTS compares a small bills.csv of the demo district's accounts
with Cistern's trial, so the run page shows real differences."""

from tests.browser.page_row import Page

PAGES = [
    Page("parallel:index", "billing", "/conversion/parallel/"),
    Page("parallel:index", "auditor", "/conversion/parallel/"),
    Page("parallel:run", "billing", "/conversion/parallel/{parallel_run}/"),
]

NOT_PAGES = {"parallel:xlsx": "an XLSX workbook"}

FACTS = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from cistern.billing.models import BillRun
from cistern.conversion import parallel
from cistern.conversion.models import ParallelRun
from cistern.conversion.parallel_run import parallel_run_compare
run = ParallelRun.objects.order_by("id").first()
if run is None:
    latest = BillRun.objects.select_related("cycle").order_by("-period_end", "-id").first()
    end = latest.period_end
    lines = ["legacy_account_number,bill_date,period_start,period_end,units,current_charges,amount_due",
             f"A11Y-1,{end},{end - timedelta(days=30)},{end},8,50.00,50.00"]
    legacy = parallel.read_bills(lines, period_end=end)
    run = parallel_run_compare(actor=get_user_model().objects.get(username="billing"), legacy=legacy, period_end=end,
                               cycle_code=latest.cycle.code, folder="accessibility.csv")
print(json.dumps({"parallel_run": run.pk}))
"""
