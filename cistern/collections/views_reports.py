"""The annual report of shutoffs for nonpayment (count by month), for the website and the State Water Board."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render

from cistern.core import clock, csvsafe

from . import selectors


def _year(value) -> int:
    """The year asked for; this year when it is missing or not a year (the report is a page, not a form)."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return clock.today().year
    return year if 2000 <= year <= 2099 else clock.today().year


@permission_required("collections.view_lockofflist", raise_exception=True)
def shutoff_report(request):
    year = _year(request.GET.get("year"))
    months = selectors.shutoffs_by_month(year)
    total = sum(count for _, count in months)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="shutoffs-for-nonpayment-{year}.csv"'
        out = csvsafe.writer(response)
        out.writerow(["month", "shutoffs_for_nonpayment"])
        for month, count in months:
            out.writerow([month.strftime("%Y-%m"), count])
        out.writerow(["total", total])
        return response
    return render(
        request, "collections/shutoff_report.html",
        {"year": year, "months": months, "total": total, "prior": year - 1, "next": year + 1},
    )  # fmt: skip
