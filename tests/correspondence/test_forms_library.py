"""The forms library: blank forms (start service, payment arrangement...) in English and Spanish, each PDF
uploaded as a new version (append-only; the highest is printed), "Print blank" serving the current PDF inline,
files that are not PDFs or are over 10 MB refused on the form's file field, and who may do what: every role that
reads letters opens and prints (CSS I, CSS II, Supervisor, Billing Admin, Auditor); the billing administrator and
the supervisor add forms and upload. A cashier does not read letters, so a cashier is refused the library too
(the forms are handed out by the customer service desk); a field technician is refused."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.correspondence import demo_forms, form_library
from cistern.correspondence.models import FormDocument, FormVersion
from cistern.correspondence.services import CorrespondenceError

from .conftest import page_text

pytestmark = pytest.mark.django_db

LIMIT = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(text: str) -> bytes:
    """A small PDF whose bytes say which upload they are."""
    return f"%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".encode()


def upload(content: bytes, name: str = "form.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def served(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def start_form(billing_admin):
    return form_library.form_add(
        actor=billing_admin, code="start-service", title="Start service application", language="en",
        description="New customers starting service.",
    )  # fmt: skip


def test_each_upload_is_a_new_version_and_the_highest_is_current(billing_admin, start_form, media, client):
    first = form_library.version_upload(
        actor=billing_admin, form=start_form, file=upload(pdf("v1")), note="2025"
    )
    second = form_library.version_upload(
        actor=billing_admin, form=start_form, file=upload(pdf("v2")), note="New deposit amount"
    )
    assert (first.number, second.number) == (1, 2)
    assert form_library.current_version(start_form) == second
    assert [v.number for v in form_library.versions_of(start_form)] == [2, 1]
    first.refresh_from_db()  # the first upload is kept as it was
    assert first.note == "2025" and first.file.read() == pdf("v1")
    assert second.size == len(pdf("v2")) and second.sha256 == hashlib.sha256(pdf("v2")).hexdigest()
    assert second.uploaded_by == billing_admin
    # stored under MEDIA_ROOT, named by the form, never by the name it was uploaded with
    assert second.file.name.startswith("correspondence/forms/") and second.file.name.endswith(".pdf")
    assert (media / second.file.name).read_bytes() == pdf("v2")
    events = AuditEvent.objects.filter(action="form.version_upload").order_by("id")
    assert [e.changes["number"][1] for e in events] == [1, 2]
    assert events[1].changes["sha256"][1] == second.sha256 and events[1].reason == "New deposit amount"
    assert AuditEvent.objects.filter(action="form.add").count() == 1

    client.force_login(billing_admin)
    page = client.get("/letters/forms/").content.decode()
    assert "Start service application" in page and "New customers starting service." in page
    assert f'href="/letters/forms/{start_form.pk}/blank.pdf"' in page
    assert f'href="/letters/forms/versions/{first.pk}/form.pdf"' in page  # the earlier version, listed
    assert f'href="/letters/forms/versions/{second.pk}/form.pdf"' not in page  # the current is "Print blank"
    history = client.get(f"/letters/forms/{start_form.pk}/upload").content.decode()
    assert "Upload as version 3" in history and "New deposit amount" in history and "2025" in history


def test_print_blank_serves_the_current_version_inline(billing_admin, css1, start_form, client):
    form_library.version_upload(actor=billing_admin, form=start_form, file=upload(pdf("v1")))
    form_library.version_upload(
        actor=billing_admin, form=start_form, file=upload(pdf("v2"), name='../../etc/"evil name".pdf')
    )
    client.force_login(css1)
    response = client.get(f"/letters/forms/{start_form.pk}/blank.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="start-service-en-v2.pdf"'
    assert served(response) == pdf("v2")
    first = start_form.versions.get(number=1)
    response = client.get(f"/letters/forms/versions/{first.pk}/form.pdf")
    assert response["Content-Disposition"] == 'inline; filename="start-service-en-v1.pdf"'
    assert served(response) == pdf("v1")


def test_a_form_with_no_pdf_yet_and_a_missing_id_answer_404(css1, start_form, client):
    client.force_login(css1)
    assert client.get(f"/letters/forms/{start_form.pk}/blank.pdf").status_code == 404
    assert client.get("/letters/forms/999999/blank.pdf").status_code == 404
    assert client.get("/letters/forms/versions/999999/form.pdf").status_code == 404
    assert "No PDF yet" in client.get("/letters/forms/").content.decode()


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "form.pdf", "is not a PDF (a PDF starts with %PDF-)"),
        (b"PK\x03\x04 a word document", "form.docx", "is not a PDF"),
        (b"%PDF" + b"-" * 0 + b"1.4 no dash", "form.pdf", "is not a PDF"),
        (b"%PDF-1.7\n" + b"0" * (LIMIT - 9 + 1), "big.pdf", "The PDF file is 10.0 MB; at most 10 MB."),
    ],
    ids=["png", "docx", "no-dash", "over-10-MB"],
)
def test_a_file_that_is_not_a_pdf_or_too_big_is_a_form_error_on_the_file(
    billing_admin, start_form, client, content, name, expected
):
    client.force_login(billing_admin)
    response = client.post(
        f"/letters/forms/{start_form.pk}/upload", {"file": upload(content, name), "note": "wrong file"}
    )
    assert response.status_code == 200
    assert expected in " ".join(response.context["form"].errors["file"])
    page = response.content.decode()
    assert "PDF file (at most 10 MB)" in page and expected in page
    assert not FormVersion.objects.exists() and not AuditEvent.objects.filter(action="form.version_upload")
    # the service refuses the same, naming the field, whoever calls it
    with pytest.raises(CorrespondenceError) as refused:
        form_library.version_upload(actor=billing_admin, form=start_form, file=upload(content, name))
    assert refused.value.field == "file" and expected in str(refused.value)


def test_exactly_10_mb_is_accepted(billing_admin, start_form):
    content = b"%PDF-1.7\n" + b"0" * (LIMIT - 9)
    version = form_library.version_upload(actor=billing_admin, form=start_form, file=upload(content))
    assert version.size == LIMIT and version.number == 1


def test_an_upload_with_no_file_names_the_field(billing_admin, start_form, client):
    client.force_login(billing_admin)
    response = client.post(f"/letters/forms/{start_form.pk}/upload", {"note": "forgot the file"})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    response = client.post(f"/letters/forms/{start_form.pk}/upload", {"file": upload(b""), "note": ""})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not FormVersion.objects.exists()


def test_a_form_is_added_then_its_pdf_uploaded_in_english_and_spanish(supervisor, client):
    client.force_login(supervisor)
    data = {"title": "Payment arrangement request", "code": "payment-arrangement", "language": "en",
            "description": "Pay a past-due balance over time."}  # fmt: skip
    response = client.post("/letters/forms/new", data)
    english = FormDocument.objects.get(code="payment-arrangement", language="en")
    assert response.status_code == 302 and response.url == f"/letters/forms/{english.pk}/upload"
    assert (
        english.title == "Payment arrangement request" and english.active and english.created_by == supervisor
    )
    response = client.post(
        "/letters/forms/new", data
    )  # the same code and language again: refused on the code
    assert response.status_code == 200 and "There is already a form" in " ".join(
        response.context["form"].errors["code"]
    )
    client.post("/letters/forms/new", data | {"language": "es", "title": "Solicitud de arreglo de pago"})
    spanish = FormDocument.objects.get(code="payment-arrangement", language="es")
    response = client.post(
        f"/letters/forms/{spanish.pk}/upload", {"file": upload(pdf("es")), "note": "Primera"}
    )
    assert response.status_code == 302 and response.url == "/letters/forms/"
    assert served(client.get(f"/letters/forms/{spanish.pk}/blank.pdf")) == pdf("es")
    page = client.get("/letters/forms/").content.decode()
    assert "Solicitud de arreglo de pago" in page and "Spanish" in page
    response = client.post("/letters/forms/new", data | {"code": "not a slug!"})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert FormDocument.objects.count() == 2


def test_who_may_open_print_add_and_upload(
    client, make_user, css1, css2, supervisor, billing_admin, auditor, cashier, start_form
):
    technician = make_user(roles.FIELD_TECHNICIAN)
    version = form_library.version_upload(actor=billing_admin, form=start_form, file=upload(pdf("v1")))
    readers = {css1, css2, supervisor, billing_admin, auditor}
    managers = {supervisor, billing_admin}
    pages = {
        "/letters/forms/": readers,
        f"/letters/forms/{start_form.pk}/blank.pdf": readers,
        f"/letters/forms/versions/{version.pk}/form.pdf": readers,
        "/letters/forms/new": managers,
        f"/letters/forms/{start_form.pk}/upload": managers,
    }
    for user in (css1, css2, supervisor, billing_admin, auditor, cashier, technician):
        client.force_login(user)
        for url, allowed in pages.items():
            expected = 200 if user in allowed else 403
            assert client.get(url).status_code == expected, (user.username, url)
        library = client.get("/letters/forms/").content.decode()
        if user in readers:  # the upload links only for who may upload
            assert (f'href="/letters/forms/{start_form.pk}/upload"' in library) == (user in managers), (
                user.username
            )
    for user in (css1, css2, auditor, cashier, technician):
        client.force_login(user)
        assert (
            client.post("/letters/forms/new", {"title": "X", "code": "x", "language": "en"}).status_code
            == 403
        )
        response = client.post(f"/letters/forms/{start_form.pk}/upload", {"file": upload(pdf("no"))})
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            form_library.version_upload(actor=user, form=start_form, file=upload(pdf("no")))
        with pytest.raises(PermissionDenied):
            form_library.form_add(actor=user, code="x", title="X", language="en")
    assert FormVersion.objects.count() == 1 and FormDocument.objects.count() == 1


def test_a_version_cannot_be_changed_or_removed_in_the_database(billing_admin, start_form):
    version = form_library.version_upload(actor=billing_admin, form=start_form, file=upload(pdf("v1")))
    for sql in (
        "UPDATE correspondence_formversion SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM correspondence_formversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
    version.refresh_from_db()
    assert version.note == ""


def test_the_library_page_reads_the_same_number_of_queries_for_any_number_of_forms(billing_admin, client):
    def add(code, language, uploads):
        form = form_library.form_add(actor=billing_admin, code=code, title=code.title(), language=language)
        for n in range(uploads):
            form_library.version_upload(actor=billing_admin, form=form, file=upload(pdf(f"{code}{n}")))

    client.force_login(billing_admin)
    add("start-service", "en", 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/letters/forms/").status_code == 200
    for code in ("payment-arrangement", "medical-certificate", "autopay", "bill-dispute"):
        add(code, "en", 3)
        add(code, "es", 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/letters/forms/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("Print blank</a>") == 9


def test_the_demo_forms_are_uploaded_through_the_library(billing_admin, client, css1):
    uploaded = demo_forms.demo_forms_load(actor=billing_admin, district_name="Joshua Basin Water District")
    assert sorted((v.form.code, v.form.language, v.number) for v in uploaded) == [
        ("payment-arrangement", "en", 1), ("payment-arrangement", "es", 1),
        ("start-service", "en", 1), ("start-service", "es", 1),
    ]  # fmt: skip
    assert demo_forms.demo_forms_load(actor=billing_admin) == []  # loaded once
    spanish = FormDocument.objects.get(code="start-service", language="es")
    client.force_login(css1)
    content = served(client.get(f"/letters/forms/{spanish.pk}/blank.pdf"))
    assert content.startswith(b"%PDF-")
    text = page_text(content)
    assert "Solicitud de inicio de servicio" in text and "Joshua Basin Water District" in text
