"""The parallel-bills pages: the runs so far and the form that compares an uploaded bills.csv with Cistern's
trial, a run's page (match rate, counts per reason, the differences largest first) and its workbook."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import parallel
from .forms_parallel import BillsRefused, ParallelForm, bills_lines
from .models import ParallelRun
from .parallel_run import ParallelRefused, parallel_run_compare
from .parallel_xlsx import parallel_workbook

RUNS_LISTED = 200
PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission_required("conversion.view_parallelrun", raise_exception=True)
def index(request):
    may_run = request.user.has_perm("conversion.run_parallel_bills")
    if request.method == "POST" and not may_run:
        raise PermissionDenied
    form = ParallelForm(request.POST or None, request.FILES or None) if may_run else None
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            run, problems = _compare(request, form)
            if run is not None:
                return redirect("parallel:run", run.pk)
        else:
            problems = form.problems()
    context = {
        "runs": ParallelRun.objects.select_related("by")[:RUNS_LISTED],
        "form": form,
        "problems": problems,
        "max_megabytes": settings.CISTERN_UPLOAD_MAX_BYTES // 2**20,
    }
    return render(request, "conversion/parallel_index.html", context, status=400 if problems else 200)


def _compare(request, form):
    """(the run, []) or (None, problems naming the field or bills.csv's line and column)."""
    upload = form.cleaned_data["bills"]
    try:
        lines = bills_lines(upload, max_inflated=settings.CISTERN_XLSX_MAX_INFLATED)
    except BillsRefused as refused:
        return None, [f"bills: {refused}"]
    legacy = parallel.read_bills(lines, period_end=form.cleaned_data["period_end"])
    if legacy.problem_count:
        listed = [str(p) for p in legacy.problems]
        more = legacy.problem_count - len(listed)
        return None, [f"bills: {legacy.problem_count} error(s), nothing was compared.", *listed] + (
            [f"… and {more} more."] if more else []
        )
    try:
        run = parallel_run_compare(
            actor=request.user, legacy=legacy, period_end=form.cleaned_data["period_end"],
            cycle_code=form.cleaned_data["cycle"], folder=upload.name,
        )  # fmt: skip
    except ParallelRefused as refused:
        return None, [f"cycle: {refused}"]
    return run, []


@permission_required("conversion.view_parallelrun", raise_exception=True)
def run(request, run_id):
    found = get_object_or_404(ParallelRun.objects.select_related("by"), pk=run_id)
    result = found.result
    reason = request.GET.get("reason", "")
    if reason and reason not in parallel.REASONS:
        return render(
            request, "conversion/parallel_run.html",
            {"run": found, "problems": [f"reason: {reason[:40]!r} is not a reason."]}, status=400,
        )  # fmt: skip
    differences = [
        {**d, "reason_words": parallel.REASONS.get(d["reason"], d["reason"])}
        for d in result.get("differences", [])
        if not reason or d["reason"] == reason
    ]
    page = Paginator(differences, PER_PAGE).get_page(request.GET.get("page"))
    counts = [
        {"reason": key, "words": words, "count": result.get("counts", {}).get(key, 0)}
        for key, words in parallel.REASONS.items()
    ]
    context = {
        "run": found, "result": result, "counts": counts, "page": page, "reason": reason,
        "reason_words": parallel.REASONS.get(reason, ""), "last_line": parallel.last_line(found.matched, found.compared),
    }  # fmt: skip
    return render(request, "conversion/parallel_run.html", context)


@permission_required("conversion.view_parallelrun", raise_exception=True)
def workbook(request, run_id):
    found = get_object_or_404(ParallelRun, pk=run_id)
    response = HttpResponse(parallel_workbook(found), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="parallel-bills-{found.period_end}-{found.pk}.xlsx"'
    )
    return response
