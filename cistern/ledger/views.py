from datetime import date

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import export, selectors


@permission_required("ledger.view_glaccount", raise_exception=True)
def gl_summary(request):
    """Debits and credits by GL account for one day; CSV or XLSX for the accounting software."""
    try:
        on = date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    summary = selectors.gl_summary(on)
    kind = request.GET.get("format")
    if kind in ("csv", "xlsx"):
        content = export.gl_csv(on, summary) if kind == "csv" else export.gl_xlsx(on, summary)
        response = HttpResponse(
            content,
            content_type="text/csv" if kind == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="gl-{on:%Y-%m-%d}.{kind}"'
        return response
    return render(request, "ledger/gl_summary.html", {"on": on, "summary": summary})
