"""The read-file upload page: a file in, every error (file:line:field) or the counts out."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render

from .batch import AlreadyImported, ImportRefused, reads_import
from .models import ReadImport, ReadStatus


class ReadFileForm(forms.Form):
    file = forms.FileField(
        label="Read file (CSV or XLSX)",
        help_text="Columns: meter_serial, read_date, value, source, and optionally reader_code and note.",
    )

    def clean_file(self):
        """The upload cap (settings.CISTERN_UPLOAD_MAX_BYTES); the import service checks it too, and rows."""
        upload = self.cleaned_data["file"]
        limit = settings.CISTERN_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read. "
                "Split it into smaller files."
            )
        return upload


def _recent_imports():
    return ReadImport.objects.select_related("imported_by").order_by("-imported_at", "-id")[:10]


@permission_required("metering.import_reads", raise_exception=True)
def import_reads(request):
    form = ReadFileForm(request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = reads_import(actor=request.user, file_name=upload.name, content=upload)
        except ImportRefused as exc:
            refused = exc
        except AlreadyImported as exc:
            messages.warning(request, str(exc))
            return redirect("metering:import_detail", exc.read_import.pk)
        else:
            messages.success(request, f"{result.read_import.file_name} imported.")
            return redirect("metering:import_detail", result.read_import.pk)
    return render(
        request,
        "metering/import.html",
        {
            "form": form,
            "refused": refused,
            "recent": _recent_imports(),
            "max_megabytes": settings.CISTERN_UPLOAD_MAX_BYTES // 2**20,
            "max_rows": settings.CISTERN_UPLOAD_MAX_ROWS,
        },  # fmt: skip
    )


@permission_required("metering.import_reads", raise_exception=True)
def import_detail(request, import_id):
    read_import = get_object_or_404(ReadImport.objects.select_related("imported_by"), pk=import_id)
    open_exceptions = read_import.reads.filter(status=ReadStatus.EXCEPTION).count()
    return render(
        request,
        "metering/import_detail.html",
        {
            "read_import": read_import,
            "skipped": read_import.rows - read_import.accepted - read_import.exceptions,
            "open_exceptions": open_exceptions,
        },
    )
