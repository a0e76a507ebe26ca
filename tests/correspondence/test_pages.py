"""The pages: a letter or memo from the account page (preview, then issue), a template's new version with a
preview against an account, a letter marked returned, the print batch, the account's panel and the home queue."""

from datetime import date

import pytest

from cistern.correspondence import merge, services
from cistern.correspondence.models import Correspondence, CorrespondenceStatus, LetterTemplate, PrintBatch

from .conftest import page_text

pytestmark = pytest.mark.django_db


def _letter(actor, account, text="A note."):
    request = services.LetterRequest(
        template_code="memo", context=merge.account_context(account, date(2026, 11, 16)) | {"memo_body": text},
        recipient=merge.recipient_for_customer(account), account_id=account.pk,
    )  # fmt: skip
    return services.letter_issue(actor=actor, request=request)


def test_each_page_opens_for_its_roles_and_no_other(
    client, district, css1, css2, billing_admin, auditor, cashier, start_account
):
    account = start_account()
    letter = _letter(css2, account)
    batch = services.print_batch_create(actor=css2, on=date(2026, 11, 16))
    template = LetterTemplate.objects.get(code="memo", language="en", channel="letter")
    pages = {
        "/letters/templates/": {css1, css2, billing_admin, auditor},
        f"/letters/templates/{template.pk}/": {css1, css2, billing_admin, auditor},
        f"/letters/templates/{template.pk}/new/": {billing_admin},
        f"/letters/{letter.pk}/": {css1, css2, billing_admin, auditor},
        f"/letters/{letter.pk}/letter.pdf": {css1, css2, billing_admin, auditor},
        "/letters/returned/": {css1, css2},
        "/letters/print/": {css2, billing_admin},
        f"/letters/print/{batch.pk}/batch.pdf": {css2, billing_admin},
        f"/letters/account/{account.number}/new": {css1, css2, billing_admin},
    }
    for user in (css1, css2, billing_admin, auditor, cashier):
        client.force_login(user)
        for url, allowed in pages.items():
            expected = 200 if user in allowed else 403
            assert client.get(url).status_code == expected, (user.username, url)
    client.force_login(css1)
    assert client.get("/letters/999999/").status_code == 404


def test_a_memo_from_the_account_page_is_previewed_then_issued_once(
    client, district, css1, start_account, customer_factory
):
    account = start_account(customer=customer_factory(name="José Ramírez", preferred_language="es"))
    client.force_login(css1)
    url = f"/letters/account/{account.number}/new"
    page = client.get(url).content.decode()
    assert 'value="es" selected' in page and 'name="key"' in page
    data = {"template": "memo", "channel": "letter", "language": "es", "subject": "Su medidor nuevo",
            "paragraph": "Cambiamos su medidor hoy.", "key": "adhoc-test-1"}  # fmt: skip
    page = client.post(url, data | {"action": "preview"}).content.decode()
    assert (
        "Su medidor nuevo" in page
        and "Estimado(a) José Ramírez:" in page
        and "Cambiamos su medidor hoy." in page
    )
    assert not Correspondence.objects.exists()
    response = client.post(url, data | {"action": "issue"})
    letter = Correspondence.objects.get()
    assert response.status_code == 302 and response.url == f"/letters/{letter.pk}/"
    assert letter.subject == "Su medidor nuevo" and letter.language == "es" and letter.account == account
    assert letter.created_by == css1 and letter.source_kind == "account_page"
    client.post(url, data | {"action": "issue"})  # the form sent twice: one letter
    assert Correspondence.objects.count() == 1
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert (
        'id="panel-letters"' in page
        and f'href="/letters/{letter.pk}/"' in page
        and "Su medidor nuevo" in page
    )
    pdf = client.get(f"/letters/{letter.pk}/letter.pdf")
    assert pdf["Content-Type"] == "application/pdf" and "Su medidor nuevo" in page_text(pdf.content)


def test_a_new_template_version_is_previewed_against_an_account_and_saved(
    client, district, billing_admin, start_account
):
    account = start_account()
    template = LetterTemplate.objects.get(code="memo", language="en", channel="letter")
    client.force_login(billing_admin)
    url = f"/letters/templates/{template.pk}/new/"
    page = client.get(url).content.decode()
    assert "memo_body" in page and "Save as version 2" in page
    data = {"subject": "Account {{ account.number }}", "body": "Hello {{ customer.name }}.\n\n{{ memo_body }}",
            "note": "Shorter", "account_number": account.number}  # fmt: skip
    page = client.post(url, data | {"action": "preview"}).content.decode()
    assert f"Account {account.number}" in page and "Hello Maria Lopez." in page
    page = client.post(url, data | {"body": "{% if x %}", "action": "save"}).content.decode()
    assert "the template does not read" in page and template.versions.count() == 1
    page = client.post(url, data | {"account_number": "12345678", "action": "preview"}).content.decode()
    assert "No such account" in page
    response = client.post(url, data | {"action": "save"})
    assert response.status_code == 302 and template.versions.count() == 2
    page = client.get(response.url).content.decode()
    assert "Version 2 of Letter or memo saved" in page and "Shorter" in page and "As shipped" in page


def test_a_clerk_marks_a_letter_returned_and_it_waits_on_the_home_page(
    client, district, css1, css2, billing_admin, start_account
):
    account = start_account()
    letter = _letter(css2, account)
    client.force_login(css2)
    response = client.post("/letters/print/create/", {"day": "2026-11-16"})
    assert response.status_code == 302 and PrintBatch.objects.get().letter_count == 1
    page = client.get("/letters/print/").content.decode()
    assert 'id="waiting">0<' in page and f"/letters/print/{PrintBatch.objects.get().pk}/batch.pdf" in page
    client.force_login(css1)
    response = client.post(
        f"/letters/{letter.pk}/returned/", {"returned_on": "2026-11-16", "reason": "Vacant"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == CorrespondenceStatus.RETURNED and letter.returned_reason == "Vacant"
    home = client.get("/").content.decode()
    assert 'data-queue="returned_mail"' in home
    page = client.get("/letters/returned/").content.decode()
    assert "Vacant" in page and account.number in page
    client.post(f"/letters/{letter.pk}/resolve/", {"note": "New address", "next": "queue"})
    letter.refresh_from_db()
    assert letter.returned_resolved_by == css1
    client.force_login(billing_admin)
    assert 'data-queue="returned_mail"' not in client.get("/").content.decode()
