"""The lead's team page (each member's queues and owned work, handing an item on), the dashboard and the help pages
in the accessibility table (test_accessibility.py)."""

from tests.browser.page_row import Page

PAGES = [
    Page("team", "css2", "/team/"),
    Page("team", "supervisor", "/team/"),
    Page("reports:dashboard", "css2", "/reports/dashboard/"),
    Page("reports:dashboard", "auditor", "/reports/dashboard/"),
    Page("help_index", "css1", "/help/"),
    Page("help_topic", "css1", "/help/counter-payments/"),
]

NOT_PAGES = {
    "home_queues": "an htmx fragment of the home page (audited there)",
    "help_for": "the help topic of the page named (the same page as help_topic, audited there)",
}
