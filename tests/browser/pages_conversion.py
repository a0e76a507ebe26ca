"""The conversion pages in the accessibility table (test_accessibility.py): the runs and the form as the billing
administrator sees them (the demo district holds accounts, so the form says a conversion is refused here), the
runs as the auditor sees them (no form), and a refused run's page: its errors, warnings and the reconciliation's
tables with a difference. FACTS writes that run's row unless one is there."""

from tests.browser.page_row import Page

PAGES = [
    Page("conversion:index", "billing", "/conversion/"),
    Page("conversion:index", "auditor", "/conversion/"),
    Page("conversion:run", "billing", "/conversion/{conversion_run}/"),
    Page("conversion:run", "auditor", "/conversion/{conversion_run}/"),
]

NOT_PAGES = {"conversion:run_xlsx": "the run's report as a workbook (XLSX)"}

FACTS = """
import json
from datetime import date
from django.contrib.auth import get_user_model
from cistern.conversion.models import ConversionRun
run = ConversionRun.objects.filter(folder="a11y-district.zip").first() or ConversionRun.objects.create(
    by=get_user_model().objects.get(username="billing"), folder="a11y-district.zip", as_of=date(2026, 11, 30),
    dry_run=True, outcome="refused", error_count=2,
    errors=["meters.csv:4:size: 7/8 is not a meter size", "reads.csv:12:value: abc is not a number"],
    warnings=["meters.csv:10:legacy_premise_id: meter BD-1040009 has no active account"],
    report={"as_of": "2026-11-30",
            "files": [{"file": "accounts.csv", "read": 13, "loaded": 0, "refused": 0, "ignored_columns": []},
                      {"file": "meters.csv", "read": 13, "loaded": 0, "refused": 1, "ignored_columns": ["notes"]}],
            "totals": [{"figure": "meters", "label": "Meters", "legacy": "14", "in_files": "13", "loaded": "0",
                        "difference": "-1"},
                       {"figure": "deposits_held", "label": "Deposits held", "legacy": None, "in_files": "600.00",
                        "loaded": "0.00", "difference": None}],
            "differences": ["Meters: the legacy trial balance says 14, the files hold 13."]})
print(json.dumps({"conversion_run": run.pk}))
"""
