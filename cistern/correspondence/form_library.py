"""The forms library: the blank forms the counter hands out (start-service application, leak-relief application,
payment arrangement request, medical certificate...), each in English or Spanish, each PDF uploaded as a new
version (append-only: the highest number is the one printed, the earlier stay listed).

Writes check the actor's permission, run in one transaction and are audited. A file is accepted only when it is a
PDF (its first bytes are %PDF-) of at most 10 MB; it is stored under MEDIA_ROOT by the default storage, named by
the form's code, language and version (never by the name it was uploaded with)."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch

from cistern.core.audit import audit_record
from cistern.core.permissions import require

from .models import FormDocument, FormVersion, TemplateLanguage
from .services import CorrespondenceError

__all__ = [
    "MAX_PDF_BYTES", "CorrespondenceError", "current_version", "form_add", "library", "pdf_problem", "version_upload",
    "versions_of",
]  # fmt: skip

VIEW = "correspondence.view_correspondence"  # every role that reads letters opens and prints the forms
ADD_FORM = "correspondence.add_formdocument"
UPLOAD = "correspondence.add_formversion"

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def pdf_problem(upload) -> str:
    """Why `upload` (an uploaded file, or any Django File) is not a form's PDF, or ""."""
    if upload is None:
        return "Choose the form's PDF file."
    size = getattr(upload, "size", None) or 0
    if size > MAX_PDF_BYTES:
        return f"The PDF file is {size / 1024 / 1024:.1f} MB; at most 10 MB."
    if size == 0:
        return "The PDF file is empty."
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        return "The PDF file is not a PDF (a PDF starts with %PDF-): save the form as PDF and upload that."
    return ""


def form_add(
    *, actor, code: str, title: str, language: str, description: str = "", active: bool = True
) -> FormDocument:
    """A new blank form in one language (its PDF comes with its first version)."""
    require(actor, ADD_FORM)
    code, title, description = (
        (code or "").strip().lower(),
        (title or "").strip(),
        (description or "").strip(),
    )
    try:
        validate_slug(code)
    except ValidationError:
        raise CorrespondenceError(
            "Give a short code of letters, digits, - and _ (e.g. start-service).", "code"
        ) from None
    if len(code) > 40:
        raise CorrespondenceError("Keep the code to 40 characters.", "code")
    if not title:
        raise CorrespondenceError("Give the form's title.", "title")
    if len(title) > 120:
        raise CorrespondenceError("Keep the title to 120 characters.", "title")
    if language not in TemplateLanguage.values:
        raise CorrespondenceError("Pick English or Spanish.", "language")
    duplicate = (
        f"There is already a form {code!r} in {TemplateLanguage(language).label}: upload a new version of it."
    )
    if FormDocument.objects.filter(code=code, language=language).exists():
        raise CorrespondenceError(duplicate, "code")
    try:
        with transaction.atomic():
            form = FormDocument.objects.create(
                code=code, title=title, language=language, description=description, active=active,
                created_by=actor,
            )  # fmt: skip
            audit_record(
                actor=actor, action="form.add", obj=form,
                after={"code": code, "title": title, "language": language, "active": active},
            )  # fmt: skip
    except IntegrityError:
        raise CorrespondenceError(duplicate, "code") from None
    return form


def version_upload(*, actor, form: FormDocument, file, note: str = "") -> FormVersion:
    """The form's new PDF, as its next version: printed from now on; the earlier versions stay listed."""
    require(actor, UPLOAD)
    problem = pdf_problem(file)
    if problem:
        raise CorrespondenceError(problem, "file")
    note = (note or "").strip()
    if len(note) > 200:
        raise CorrespondenceError("Keep the note to 200 characters.", "note")
    file.seek(0)
    content = file.read()
    stored = ""
    try:
        with transaction.atomic():
            form = FormDocument.objects.select_for_update().get(pk=form.pk)
            top = form.versions.aggregate(top=Max("number"))["top"] or 0
            version = FormVersion(
                form=form, number=top + 1, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                note=note, uploaded_by=actor,
            )  # fmt: skip
            version.file.save(version.filename, ContentFile(content), save=False)
            stored = version.file.name
            version.save(force_insert=True)
            audit_record(
                actor=actor, action="form.version_upload", obj=version, reason=note,
                after={"form": form.code, "language": form.language, "number": version.number,
                       "size": version.size, "sha256": version.sha256},
            )  # fmt: skip
    except BaseException:
        if stored:
            version.file.storage.delete(stored)
        raise
    return version


# --- reads -----------------------------------------------------------------------------------------------


def library(*, include_inactive: bool = False):
    """The forms, each with its versions newest first (`form.versions.all()`; the first is current)."""
    forms = FormDocument.objects.all() if include_inactive else FormDocument.objects.filter(active=True)
    return forms.order_by("title", "language").prefetch_related(
        Prefetch("versions", queryset=FormVersion.objects.select_related("uploaded_by").order_by("-number"))
    )


def versions_of(form: FormDocument):
    return form.versions.select_related("uploaded_by").order_by("-number")


def current_version(form: FormDocument) -> FormVersion | None:
    return form.versions.order_by("-number").first()
