"""The dashboard (/reports/dashboard/): the day at a glance for the leads and the supervisor, read by the billing
administrator and the auditor (core.view_dashboard). Read-only: no form, no query-string key."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cistern.core import clock

from . import charts, dashboard


@require_GET
@permission_required("core.view_dashboard", raise_exception=True)
def dashboard_page(request):
    today = clock.today()
    payments = dashboard.payments_today(today)
    orders = dashboard.open_orders(today)
    bills = dashboard.monthly_bills(today)
    trend = dashboard.delinquency_trend(today)
    first, last = bills[0].month, bills[-1].month
    span = f"{first:%B %Y} to {last:%B %Y}"
    revenue_chart = charts.bar_chart(
        chart_id="revenue-chart",
        title=f"Billed revenue by month, {span}",
        desc="Current charges of the bills issued each month (cancelled bills left out): "
        + "; ".join(f"{m.month:%b %Y} {charts.dollars(m.revenue)}" for m in bills)
        + ".",
        bars=[charts.Bar(f"{m.month:%b}", m.revenue) for m in bills],
        fmt=charts.dollars,
    )
    consumption_chart = charts.bar_chart(
        chart_id="consumption-chart",
        title=f"Consumption billed by month, {span}",
        desc="Water billed each month in hundred cubic feet (HCF): "
        + "; ".join(f"{m.month:%b %Y} {charts.units(m.units)}" for m in bills)
        + ".",
        bars=[charts.Bar(f"{m.month:%b}", m.units) for m in bills],
        fmt=charts.units,
    )
    past_due_chart = charts.bar_chart(
        chart_id="past-due-chart",
        title=f"Past due at each month end, {trend[0].day:%B %Y} to {trend[-1].day:%B %Y}",
        desc="Amount owing past its due date over all accounts on the last day of each month: "
        + "; ".join(
            f"{m.day:%b %d, %Y} {charts.dollars(m.past_due)} on {m.accounts:,} accounts" for m in trend
        )
        + ".",
        bars=[charts.Bar(f"{m.day:%b}", m.past_due) for m in trend],
        fmt=charts.dollars,
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "today": today,
            "payments": payments,
            "payments_count": sum(p.count for p in payments),
            "payments_total": sum((p.amount for p in payments), dashboard.ZERO),
            "orders": orders,
            "orders_open": sum(o.open for o in orders),
            "orders_overdue": sum(o.overdue for o in orders),
            "unscheduled_days": dashboard.UNSCHEDULED_DAYS,
            "waiting": dashboard.exceptions_waiting(request.user),
            "bills": bills,
            "trend": trend,
            "revenue_chart": revenue_chart,
            "consumption_chart": consumption_chart,
            "past_due_chart": past_due_chart,
        },
    )
