"""Conversion: the runs and the upload form (conversion.view_conversionrun to see them; the form and its POST,
conversion.run_conversion, are tested in tests/conversion/test_pages.py: the matrix's world holds accounts, so
a permitted POST is refused there rather than redirected), a run's page and its workbook."""

from datetime import date

from cistern.conversion.models import ConversionRun

PAGES = {
    "conversion:index": "conversion.view_conversionrun",
    "conversion:run": "conversion.view_conversionrun",
    "conversion:run_xlsx": "conversion.view_conversionrun",
}
POSTS = {}


def build(world):
    run = ConversionRun.objects.create(
        by=world["user"], folder="matrix.zip", as_of=date(2026, 11, 30), dry_run=True, outcome="dry_run",
        report={"as_of": "2026-11-30", "files": [], "totals": [], "differences": []},
    )  # fmt: skip
    return {"conversion_run": run}


def url(name, world):
    run = world["conversion_run"].pk
    return {
        "conversion:index": "/conversion/",
        "conversion:run": f"/conversion/{run}/",
        "conversion:run_xlsx": f"/conversion/{run}/report.xlsx",
    }[name]
