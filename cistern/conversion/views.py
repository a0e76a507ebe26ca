"""The conversion pages: the runs so far and the form that converts an uploaded folder (a ZIP), each run's page
(its errors, warnings and reconciliation against the legacy trial balance) and its workbook."""

import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cistern.customers.models import Account

from . import xlsx
from .errors import ConversionError
from .forms import ConversionForm, FolderRefused, extract_folder
from .loadformat import MAX_LISTED
from .models import ConversionRun
from .services import ALREADY_CONVERTED, convert

RUNS_LISTED = 200


@permission_required("conversion.view_conversionrun", raise_exception=True)
def index(request):
    may_run = request.user.has_perm("conversion.run_conversion")
    if request.method == "POST" and not may_run:
        raise PermissionDenied
    has_accounts = Account.objects.exists()
    form = ConversionForm(request.POST or None, request.FILES or None) if may_run else None
    problems = []
    if request.method == "POST":
        if has_accounts:
            problems = [ALREADY_CONVERTED]
        elif form.is_valid():
            run, problems = _convert(request, form)
            if run is not None:
                return redirect("conversion:run", run.pk)
        else:
            problems = form.problems()
    context = {
        "runs": ConversionRun.objects.select_related("by")[:RUNS_LISTED],
        "form": form,
        "problems": problems,
        "has_accounts": has_accounts,
        "already_converted": ALREADY_CONVERTED,
        "max_megabytes": settings.CISTERN_UPLOAD_MAX_BYTES // 2**20,
    }
    return render(request, "conversion/index.html", context, status=400 if problems else 200)


def _convert(request, form):
    """The upload unpacked into a folder of its own and converted: (the run, []) or (None, problems). A folder
    with errors is a refused run (its page lists them); a refusal with no run kept is a problem of the form."""
    upload = form.cleaned_data["folder"]
    with tempfile.TemporaryDirectory(prefix="cistern-conversion-") as tmp:
        try:
            extracted = extract_folder(upload, Path(tmp), max_inflated=settings.CISTERN_XLSX_MAX_INFLATED)
        except FolderRefused as refused:
            return None, [f"folder: {refused}"]
        try:
            run = convert(
                actor=request.user, folder=Path(tmp), as_of=form.cleaned_data["as_of"],
                dry_run=form.cleaned_data["dry_run"], legacy_totals=form.legacy_totals() or None,
                label=upload.name[:255],
            )  # fmt: skip
        except ConversionError as error:
            if error.run is None:
                return None, [str(error)]
            run = error.run
    if extracted.ignored:
        messages.info(
            request, "Left out of the ZIP (not CSV files of the folder): " + ", ".join(extracted.ignored)
        )
    return run, []


def _differs(value) -> bool:
    if value in (None, ""):
        return False
    try:
        return Decimal(str(value)) != 0
    except InvalidOperation:
        return True


@permission_required("conversion.view_conversionrun", raise_exception=True)
def run_detail(request, run_id):
    run = get_object_or_404(ConversionRun.objects.select_related("by"), pk=run_id)
    report = run.report or {}
    errors = list(run.errors or [])[:MAX_LISTED]
    totals = [{**row, "differs": _differs(row.get("difference"))} for row in report.get("totals", [])]
    context = {
        "run": run,
        "errors": errors,
        "more_errors": max(0, run.error_count - len(errors)),
        "warnings": run.warnings or [],
        "files": report.get("files", []),
        "totals": totals,
        "differences": report.get("differences", []),
        "may_run": request.user.has_perm("conversion.run_conversion"),
    }
    return render(request, "conversion/run.html", context)


@permission_required("conversion.view_conversionrun", raise_exception=True)
def run_xlsx(request, run_id):
    run = get_object_or_404(ConversionRun, pk=run_id)
    errors = list(run.errors or [])[:MAX_LISTED]
    body = xlsx.workbook(
        title=f"Conversion {run.pk}: {run.folder} ({run.get_outcome_display()})", as_of=run.as_of,
        report=run.report or {}, errors=errors, error_count=run.error_count, warnings=list(run.warnings or []),
    )  # fmt: skip
    response = HttpResponse(body, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="conversion-{run.pk}-{run.as_of:%Y-%m-%d}.xlsx"'
    return response
