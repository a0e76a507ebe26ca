"""A template's wording: versions appended (the database refuses an edit), text that does not compile refused
with a message, and the letters written with the version current when they were issued."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cistern.correspondence import letter_pdf, merge, rendering, seed, services
from cistern.correspondence.models import LetterTemplate, TemplateVersion

pytestmark = pytest.mark.django_db


def test_every_shipped_template_is_there_in_english_and_spanish():
    have = set(LetterTemplate.objects.values_list("code", "channel", "language"))
    for code in ["past_due_reminder", "shutoff_notice", "shutoff_notice_occupant", "door_hanger", "final_notice",
                 "high_usage", "memo", "returned_check", "returned_ach"]:  # fmt: skip
        assert {(code, "letter", "en"), (code, "letter", "es")} <= have, code
    assert {("past_due_reminder", "email", "en"), ("high_usage", "email", "es")} <= have
    assert TemplateVersion.objects.count() == len(seed.templates()) == LetterTemplate.objects.count()


def test_a_new_version_is_used_from_then_on_and_the_history_kept(
    district, billing_admin, css2, start_account
):
    template = LetterTemplate.objects.get(code="memo", language="en", channel="letter")
    account = start_account()
    request = services.LetterRequest(
        template_code="memo", context=merge.account_context(account, date(2026, 11, 16)) | {"memo_body": "Hello."},
        recipient=merge.recipient_for_customer(account), account_id=account.pk,
    )  # fmt: skip
    before = services.letter_issue(actor=css2, request=request)
    version = services.template_version_add(
        actor=billing_admin, template=template, subject="A note from {{ district.name }}",
        body="Hello {{ customer.name|upper }},\n\n{{ memo_body }}\n\nThe office", note="Shorter",
    )  # fmt: skip
    assert version.number == 2 and version.created_by == billing_admin
    after = services.letter_issue(actor=css2, request=request)
    assert after.subject == "A note from Joshua Basin Water District"
    assert after.body == "Hello MARIA LOPEZ,\n\nHello.\n\nThe office"
    assert before.template_version.number == 1 and after.template_version == version
    assert list(template.versions.values_list("number", flat=True)) == [2, 1]


def test_a_template_that_does_not_compile_is_refused_with_a_message(district, billing_admin):
    template = LetterTemplate.objects.get(code="memo", language="es", channel="letter")
    with pytest.raises(services.CorrespondenceError, match="Body: the template does not read: .*endif"):
        services.template_version_add(
            actor=billing_admin,
            template=template,
            subject="Hola",
            body="{% if memo_body %}sin cierre",
            note="",
        )
    with pytest.raises(services.CorrespondenceError, match="cannot be rendered"):
        services.template_version_add(
            actor=billing_admin, template=template, subject="Hola", body="{% include 'x.html' %}", note=""
        )
    with pytest.raises(services.CorrespondenceError, match="does not read"):
        services.template_version_add(
            actor=billing_admin, template=template, subject="Hola", body="{% load humanize %}x", note=""
        )
    assert template.versions.count() == 1


def test_changing_templates_needs_the_permission(district, css2):
    template = LetterTemplate.objects.get(code="memo", language="en", channel="letter")
    with pytest.raises(PermissionDenied):
        services.template_version_add(actor=css2, template=template, subject="x", body="y", note="")


def test_the_database_refuses_an_edit_of_a_version():
    version = TemplateVersion.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateVersion.objects.filter(pk=version.pk).update(body="changed")


def test_rendering_is_plain_text_without_escaping():
    subject, body = rendering.render(
        "{{ a }}", "{{ a }} & {{ b }}\n\n\n\n  \nend  ", {"a": "<O'Neil & Sons>", "b": 1}
    )
    assert subject == "<O'Neil & Sons>" and body == "<O'Neil & Sons> & 1\n\nend"


def test_a_letter_pdf_holds_accents_and_paragraphs():
    head = letter_pdf.Letterhead("Distrito", "1 Calle, Joshua Tree, CA 92252", "(760) 555-0100")
    letter = letter_pdf.Letter(head, date(2026, 11, 5), "Iñés Peña", ("1 Calle",), "Aviso", "Uno.\n\nDos\ntres.",
                               account_number="10000015", language="es")  # fmt: skip
    pdf = letter_pdf.render_letter(letter, compress=False)
    assert "Iñés Peña".encode("latin-1") in pdf and b"Fecha: 5 de noviembre de 2026" in pdf
    assert letter_pdf.paragraphs(letter.body) == ["Uno.", "Dos\ntres."]
    with pytest.raises(ValueError, match="language"):
        letter_pdf.Letter(head, date(2026, 11, 5), "x", (), "s", "b", language="fr")
