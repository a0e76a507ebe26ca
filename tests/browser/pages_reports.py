"""The reports in the accessibility table (test_accessibility.py): the reports page (a lead's, a clerk's), and each
report on screen as a lead or the billing administrator opens it (its parameters' form, the sortable table, the
pager). The files (?format=csv|xlsx|pdf) are the same URLs: not pages."""

from tests.browser.page_row import Page

PAGES = [
    Page("reports:index", "css2", "/reports/"),
    Page("reports:index", "css1", "/reports/"),
    Page("reports:daily_cash", "css1", "/reports/daily_cash/"),
    Page("reports:deposits", "css2", "/reports/deposits/"),
    Page("reports:nsf_returns", "css2", "/reports/nsf_returns/"),
    Page("reports:aging", "billing", "/reports/aging/"),
    Page("reports:adjustments", "css2", "/reports/adjustments/"),
    Page("reports:write_offs", "css2", "/reports/write_offs/"),
    Page("reports:billing_register", "billing", "/reports/billing_register/"),
    Page("reports:billing_register_lines", "billing", "/reports/billing_register_lines/"),
    Page("reports:consumption_revenue", "billing", "/reports/consumption_revenue/"),
    Page("reports:service_orders", "css1", "/reports/service_orders/"),
    Page("reports:delinquency", "css2", "/reports/delinquency/"),
    Page("reports:assistance", "auditor", "/reports/assistance/"),
    Page("reports:audit_trail", "auditor", "/reports/audit_trail/?sort=-at"),
    Page("reports:audit_trail", "auditor", "/reports/audit_trail/?date_from=2000-01-01", status=400),
]

NOT_PAGES = {}
