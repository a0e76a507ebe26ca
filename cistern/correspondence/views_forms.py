"""The forms library's pages: the library (each form's current PDF to print blank, its earlier versions), a new
form, and a form's new version (its PDF uploaded)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from . import form_library
from .forms import FormDocumentForm, FormVersionForm
from .models import FormDocument, FormVersion
from .views import _get


def _field_error(form, exc) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _serve(version: FormVersion) -> FileResponse:
    try:
        handle = version.file.open("rb")
    except OSError:
        raise Http404("The form's PDF is missing from the file store: upload it again.") from None
    return FileResponse(handle, content_type="application/pdf", filename=version.filename)


@permission_required(form_library.VIEW, raise_exception=True)
def form_list(request):
    manager = request.user.has_perm(form_library.UPLOAD)
    rows = []
    for form in form_library.library(include_inactive=manager):
        versions = list(form.versions.all())
        rows.append({"form": form, "current": versions[0] if versions else None, "older": versions[1:]})
    return render(request, "correspondence/form_list.html", {"rows": rows})


@permission_required(form_library.ADD_FORM, raise_exception=True)
def form_new(request):
    form = FormDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = form_library.form_add(
                actor=request.user, code=data["code"], title=data["title"], language=data["language"],
                description=data["description"],
            )  # fmt: skip
        except form_library.CorrespondenceError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, f"{document.title} added: upload its PDF.")
            return redirect("correspondence:form_upload", document.pk)
    return render(request, "correspondence/form_new.html", {"form": form})


@permission_required(form_library.UPLOAD, raise_exception=True)
def form_upload(request, pk):
    document = _get(FormDocument.objects.all(), pk)
    form = FormVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = form_library.version_upload(
                actor=request.user,
                form=document,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except form_library.CorrespondenceError as exc:
            _field_error(form, exc)
        else:
            messages.success(
                request, f"Version {version.number} of {document.title} uploaded: it is printed from now on."
            )
            return redirect("correspondence:form_list")
    versions = list(form_library.versions_of(document))
    return render(
        request, "correspondence/form_upload.html", {"document": document, "form": form, "versions": versions}
    )


@permission_required(form_library.VIEW, raise_exception=True)
def form_blank(request, pk):
    """The form's current PDF, inline (the browser's print dialog prints it blank)."""
    document = _get(FormDocument.objects.all(), pk)
    version = form_library.current_version(document)
    if version is None:
        raise Http404("No PDF has been uploaded for this form yet.")
    return _serve(version)


@permission_required(form_library.VIEW, raise_exception=True)
def form_version_pdf(request, pk):
    return _serve(_get(FormVersion.objects.select_related("form"), pk))
