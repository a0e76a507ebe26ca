"""The reports page (the reports the user may open, grouped) and each report: its parameters as a GET form, its
rows sortable (?sort=) and paginated on screen, or as a file (?format=csv|xlsx|pdf)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from cistern.core import clock

from . import registry, renderers
from .base import ReportParamError, form_data, row_count, rows_window
from .catalog import GROUP_ORDER

PAGE_SIZE = 100
SHUTOFF_REPORT = (
    "collections:shutoff_report",
    "collections.view_lockofflist",
    "Shutoffs for nonpayment (annual)",
)
COLLECTIONS_GROUP = "Collections"


@permission_required("reports.view_reports", raise_exception=True)
def index(request):
    user = request.user
    groups: dict[str, list] = {name: [] for name in GROUP_ORDER}
    for report in registry.all_reports():
        if user.has_perm(report.permission):
            groups.setdefault(report.group, []).append(
                {"url": f"/reports/{report.key}/", "title": report.title, "description": report.description}
            )
    name, permission, title = SHUTOFF_REPORT
    if user.has_perm(permission):
        groups[COLLECTIONS_GROUP].append({
            "url": "/collections/shutoffs/", "title": title,
            "description": "Lock-offs for nonpayment by month, as the Water Shutoff Protection Act asks a district "
            "to publish (kept with collections).",
        })  # fmt: skip
    return render(
        request, "reports/index.html", {"groups": [(g, items) for g, items in groups.items() if items]}
    )


def _display(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "decimal":
        return f"{value:,.2f}" if not isinstance(value, int) else f"{value:,}"
    if kind == "int":
        return f"{value:,}"
    if kind == "date":
        return value.strftime("%m/%d/%Y")
    if kind == "datetime":
        return value.strftime("%m/%d/%Y %H:%M")
    return str(value)


def _page_number(value) -> int | None:
    if value in (None, ""):
        return 1
    if not (value.isdigit() and len(value) <= 7) or int(value) < 1:
        return None
    return int(value)


def report_view(request, key):
    report = registry.get(key)
    fmt = request.GET.get("format", "") or "html"
    query = {k: v for k, v in request.GET.items() if k in report.form.base_fields}
    data = {**form_data(report.example_params(clock.today())), **query}
    form = report.form(data=data)
    page = _page_number(request.GET.get("page"))
    problems = []
    if fmt not in ("html", *renderers.FORMATS):
        problems.append("format: choose csv, xlsx or pdf.")
    if page is None:
        problems.append("page: a page number from 1.")
    if not problems and not query and not form.is_valid():
        # Opened afresh and the report has no default for something (a bill run when none is posted yet): the form
        # asks for it.
        form = report.form(initial=data)
        return render(request, "reports/report.html", {"report": report, "form": form, "bad": True})
    if problems or not form.is_valid():
        context = {"report": report, "form": form, "problems": problems, "bad": True}
        return render(request, "reports/report.html", context, status=400)
    params = form.cleaned_data
    try:
        result = report.run(data)
    except ReportParamError as error:  # the form says the same: kept for the contract's callers
        return render(request, "reports/report.html", {"report": report, "form": form, "problems": [str(error)],
                                                        "bad": True}, status=400)  # fmt: skip
    name = renderers.filename(report, params, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            renderers.csv_chunks(report, result, params), content_type=renderers.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if fmt in ("xlsx", "pdf"):
        try:
            body = renderers.render(fmt, report, result, params)
        except renderers.TooManyRows as refused:
            return render(request, "reports/too_many.html", {
                "report": report, "refused": refused, "csv_url": _url(query, format="csv"),
                "xlsx_url": _url(query, format="xlsx") if refused.fmt == "pdf" and refused.rows <=
                renderers.XLSX_MAX_ROWS else "", "back_url": _url(query),
            }, status=413)  # fmt: skip
        response = HttpResponse(body, content_type=renderers.CONTENT_TYPES[fmt])
        disposition = "inline" if fmt == "pdf" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
        return response
    return _screen(request, report, form, query, params, result, page)


def _url(query: dict, **more) -> str:
    merged = {k: v for k, v in {**query, **more}.items() if v not in (None, "")}
    return "?" + urlencode(merged)


def _screen(request, report, form, query, params, result, page):
    total_rows = row_count(result)
    pages = max(1, -(-total_rows // PAGE_SIZE))
    page = min(page, pages)
    rows = rows_window(result, (page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    kinds = [c.kind for c in result.columns]
    numeric = [k in ("money", "int", "decimal") for k in kinds]
    sort = params.get("sort") or ""
    base = {k: v for k, v in query.items() if k != "sort"}
    headers = []
    for column, is_num in zip(result.columns, numeric, strict=True):
        state = "ascending" if sort == column.key else "descending" if sort == f"-{column.key}" else ""
        next_sort = f"-{column.key}" if state == "ascending" else column.key
        headers.append({"title": column.title, "url": _url(base, sort=next_sort), "aria_sort": state,
                        "num": is_num})  # fmt: skip
    body = [[(_display(v, k), n) for v, k, n in zip(row, kinds, numeric, strict=True)] for row in rows]
    totals = None
    if result.totals:
        totals = [(_display(result.totals.get(c.key), c.kind) if c.key in result.totals else "", n)
                  for c, n in zip(result.columns, numeric, strict=True)]  # fmt: skip
        if totals and not totals[0][0]:
            totals[0] = ("Total", False)
    paged = dict(query)
    context = {
        "report": report, "form": form, "headers": headers, "rows": body, "totals": totals,
        "row_count": total_rows, "page": page, "pages": pages,
        "prev_url": _url(paged, page=page - 1) if page > 1 else "",
        "next_url": _url(paged, page=page + 1) if page < pages else "",
        "csv_url": _url(query, format="csv"), "xlsx_url": _url(query, format="xlsx"),
        "pdf_url": _url(query, format="pdf"),
        "xlsx_cap": renderers.XLSX_MAX_ROWS, "pdf_cap": renderers.PDF_MAX_ROWS,
        "too_many_for_xlsx": total_rows > renderers.XLSX_MAX_ROWS,
        "too_many_for_pdf": total_rows > renderers.PDF_MAX_ROWS,
    }  # fmt: skip
    return render(request, "reports/report.html", context)
