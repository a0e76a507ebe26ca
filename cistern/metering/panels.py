"""The account page's reads panel: the meters at the premise, recent reads and a usage chart (see core/panels.py)."""

from datetime import timedelta

from django.utils.safestring import mark_safe

from cistern.core import clock, panels

from . import chart, selectors

RECENT_READS = 15
CHART_MONTHS = 36


def _reads(account, request):
    today = clock.today()
    since = chart.add_months(chart.month_start(today), -(CHART_MONTHS - 1))
    reads = selectors.account_reads(account, since - timedelta(days=1))
    last_month = chart.month_start(
        account.end_date if account.end_date and account.end_date < today else today
    )
    bars = selectors.usage_bars(reads, last_month=last_month, months=CHART_MONTHS)
    svg = chart.usage_chart(bars, title="Water use by month", chart_id=f"acct{account.pk}")
    return {
        "installations": selectors.premise_installations(account.premise_id),
        "recent_reads": reads[:RECENT_READS],
        "usage_chart": mark_safe(svg),  # noqa: S308 (built by chart.usage_chart, which escapes its text)
        "chart_months": len(bars),
    }


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="reads", title="Meters and reads", template="metering/_reads_panel.html",
            permission="metering.view_read", context=_reads,
        )
    )  # fmt: skip
