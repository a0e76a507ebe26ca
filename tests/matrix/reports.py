"""The reports: the reports page and each report (a GET page whose files are the same URL with ?format=), each behind
its own permission (cistern/reports/models.py). A report with nothing to show still answers 200 (an empty table, or
its form asking for what it has no default for, e.g. a bill run)."""

from cistern.reports import registry

PAGES = {
    "reports:index": "reports.view_reports",
    **{f"reports:{report.key}": report.permission for report in registry.all_reports()},
}
POSTS = {}


def build(world):
    return {}


def url(name, world):
    key = name.split(":", 1)[1]
    return "/reports/" if key == "index" else f"/reports/{key}/"
