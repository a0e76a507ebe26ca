from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cistern.core import roles
from cistern.correspondence import form_library, merge, services
from cistern.correspondence.models import LetterTemplate

PAGES = {
    "correspondence:template_list": "correspondence.view_lettertemplate",
    "correspondence:template_detail": "correspondence.view_lettertemplate",
    "correspondence:template_version_new": "correspondence.add_templateversion",
    "correspondence:letter_detail": "correspondence.view_correspondence",
    "correspondence:letter_pdf": "correspondence.view_correspondence",
    "correspondence:returned": "correspondence.resolve_returned",
    "correspondence:print_batches": "correspondence.add_printbatch",
    "correspondence:print_batch_pdf": "correspondence.add_printbatch",
    "correspondence:adhoc_new": "correspondence.add_correspondence",
    "correspondence:form_list": "correspondence.view_correspondence",
    "correspondence:form_blank": "correspondence.view_correspondence",
    "correspondence:form_version_pdf": "correspondence.view_correspondence",
    "correspondence:form_new": "correspondence.add_formdocument",
    "correspondence:form_upload": "correspondence.add_formversion",
}


class _Pdf:
    """A tiny PDF the test client can send for every role (it reads the file each time)."""

    name = "matrix-form.pdf"
    content_type = "application/pdf"

    def read(self):
        return b"%PDF-1.4\n% matrix\n%%EOF\n"


POSTS = {
    "correspondence:letter_returned": (
        "correspondence.mark_returned",
        {"returned_on": timezone.localdate().isoformat(), "reason": "Attempted, not known"},
    ),
    "correspondence:letter_resolve": ("correspondence.resolve_returned", {"note": "Called the customer"}),
    "correspondence:letter_retry": ("correspondence.add_correspondence", {}),
    "correspondence:print_batch_create": (
        "correspondence.add_printbatch",
        {"day": timezone.localdate().isoformat()},
    ),
    "correspondence:template_version_new": (
        "correspondence.add_templateversion",
        {
            "subject": "A note",
            "body": "Dear {{ customer.name }},\n\n{{ memo_body }}",
            "note": "Matrix",
            "action": "save",
        },
    ),
    "correspondence:adhoc_new": (
        "correspondence.add_correspondence",
        {
            "template": "memo",
            "channel": "letter",
            "language": "en",
            "subject": "Matrix",
            "paragraph": "A note.",
            "key": "matrix-adhoc",
            "action": "issue",
        },
    ),  # fmt: skip
    "correspondence:form_new": (
        "correspondence.add_formdocument",
        {"title": "Matrix form", "code": "matrix-form", "language": "es", "description": ""},
    ),
    "correspondence:form_upload": ("correspondence.add_formversion", {"file": _Pdf(), "note": "Matrix"}),
}


def build(world):
    account, user = world["account"], world["user"]

    def issue(key):
        request = services.LetterRequest(
            template_code="memo", context=merge.account_context(account, timezone.localdate()) | {"memo_body": key},
            recipient=merge.recipient_for_customer(account), account_id=account.pk, key=key,
        )  # fmt: skip
        return services.letter_issue(actor=user, request=request)

    printed, returned = issue("matrix-printed"), issue("matrix-returned")
    batch = services.print_batch_create(actor=user, on=timezone.localdate())
    services.mark_returned(actor=user, correspondence=returned, on=timezone.localdate(), reason="Vacant")
    template = LetterTemplate.objects.get(code="memo", language="en", channel="letter")
    admin = type(user).objects.create_user("matrix_forms_admin")
    admin.groups.add(Group.objects.get(name=roles.BILLING_ADMIN))
    admin = type(user).objects.get(pk=admin.pk)
    blank = form_library.form_add(actor=admin, code="matrix-form", title="Matrix form", language="en")
    version = form_library.version_upload(
        actor=admin, form=blank, file=SimpleUploadedFile("f.pdf", _Pdf().read(), "application/pdf")
    )
    return {
        "letter": printed, "returned_letter": returned, "batch": batch, "template": template,
        "form_document": blank, "form_version": version,
    }  # fmt: skip


def url(name, world):
    letter, returned = world["letter"].pk, world["returned_letter"].pk
    return {
        "correspondence:template_list": "/letters/templates/",
        "correspondence:template_detail": f"/letters/templates/{world['template'].pk}/",
        "correspondence:template_version_new": f"/letters/templates/{world['template'].pk}/new/",
        "correspondence:letter_detail": f"/letters/{letter}/",
        "correspondence:letter_pdf": f"/letters/{letter}/letter.pdf",
        "correspondence:letter_returned": f"/letters/{letter}/returned/",
        "correspondence:letter_resolve": f"/letters/{returned}/resolve/",
        "correspondence:letter_retry": f"/letters/{letter}/retry/",
        "correspondence:returned": "/letters/returned/",
        "correspondence:print_batches": "/letters/print/",
        "correspondence:print_batch_create": "/letters/print/create/",
        "correspondence:print_batch_pdf": f"/letters/print/{world['batch'].pk}/batch.pdf",
        "correspondence:adhoc_new": f"/letters/account/{world['account'].number}/new",
        "correspondence:form_list": "/letters/forms/",
        "correspondence:form_blank": f"/letters/forms/{world['form_document'].pk}/blank.pdf",
        "correspondence:form_version_pdf": f"/letters/forms/versions/{world['form_version'].pk}/form.pdf",
        "correspondence:form_new": "/letters/forms/new",
        "correspondence:form_upload": f"/letters/forms/{world['form_document'].pk}/upload",
    }[name]
