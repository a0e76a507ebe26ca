"""The pages: the account panel's link, the application form (a bad file is a form error naming the field), the
application page with its rule-by-rule table and the decision, the queue."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.assistance.models import ApplicationStatus, LeakReliefApplication
from cistern.core import clock
from cistern.ledger.models import AdjustmentStatus

from .conftest import PDF, proof

pytestmark = pytest.mark.django_db


def post_application(client, account, bill, upload=None):
    return client.post(
        f"/assistance/accounts/{account.number}/apply/",
        {"bills": [bill.pk], "repaired_on": "2026-08-01", "primary_residence": "on", "note": "Slab leak",
         "repair_proof": upload or proof()},
    )  # fmt: skip


def test_apply_from_the_account_page_then_approve(leak, client, css1, css2):
    account, bill, _ = leak()
    client.force_login(css1)
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert (
        f'href="/assistance/accounts/{account.number}/apply/"' in page
        and "No leak-relief applications." in page
    )
    form = client.get(f"/assistance/accounts/{account.number}/apply/").content.decode()
    assert f"Bill {bill.pk}: 06/25/2026-07/25/2026, 140.00 units, $1,800.80" in form
    with clock.on(date(2026, 8, 20)):
        response = post_application(client, account, bill)
    application = LeakReliefApplication.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/assistance/applications/{application.pk}/"
    )
    page = client.get(f"/assistance/applications/{application.pk}/").content.decode()
    assert 'data-rule="bill_increase"' in page and "$1,644.40 above last year&#x27;s $156.40" in page
    assert "$316.80" in page and "Approve" not in page  # a CSS I does not decide
    client.force_login(css2)
    assert "Application" in client.get("/assistance/").content.decode()
    assert f"/assistance/applications/{application.pk}/" in client.get("/assistance/").content.decode()
    with clock.on(date(2026, 8, 24)):
        response = client.post(f"/assistance/applications/{application.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.adjustment.status == AdjustmentStatus.POSTED
    assert application.adjustment.amount == Decimal("316.80")
    page = client.get(f"/assistance/applications/{application.pk}/", follow=True).content.decode()
    assert f"adjustment {application.adjustment.pk}, posted" in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (proof("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024)), "at most 5 MB"),
        (proof("leak.gif", b"GIF89a", "image/gif"), "must be a PDF, JPEG or PNG file"),
    ],
)
def test_a_bad_file_is_a_form_error_naming_the_field(leak, client, css1, upload, message):
    account, bill, _ = leak()
    client.force_login(css1)
    response = post_application(client, account, bill, upload)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["repair_proof"], response.context["form"].errors
    page = response.content.decode()
    assert message in page and "Proof of repair (PDF, JPEG or PNG, at most 5 MB)" in page
    assert not LeakReliefApplication.objects.exists()


def test_a_refusal_is_shown_on_the_form(leak, client, css1):
    account, bill, _ = leak()
    client.force_login(css1)
    with clock.on(date(2026, 8, 20)):
        post_application(client, account, bill)
        response = post_application(client, account, bill)
    assert (
        response.status_code == 200 and "already has an application under review" in response.content.decode()
    )


def test_proof_is_downloaded_and_pages_refused_without_permission(leak, client, css1, make_user):
    from cistern.core import roles

    account, bill, _ = leak()
    client.force_login(css1)
    with clock.on(date(2026, 8, 20)):
        post_application(client, account, bill)
    application = LeakReliefApplication.objects.get()
    response = client.get(f"/assistance/applications/{application.pk}/proof/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client.get("/assistance/").status_code == 403  # the queue is for those who decide
    client.force_login(make_user(roles.CASHIER, username="assist_cashier"))
    assert client.get(f"/assistance/applications/{application.pk}/").status_code == 403
    assert client.get(f"/assistance/accounts/{account.number}/apply/").status_code == 403
    assert (
        client.post(f"/assistance/applications/{application.pk}/decide/", {"decision": "deny"}).status_code
        == 403
    )
    client.force_login(make_user(roles.AUDITOR, username="assist_auditor"))
    assert client.get(f"/assistance/applications/{application.pk}/").status_code == 200


def test_home_queue_counts_applications_under_review(leak, client, css1, css2):
    account, bill, _ = leak()
    client.force_login(css1)
    with clock.on(date(2026, 8, 20)):
        post_application(client, account, bill)
    client.force_login(css2)
    page = client.get("/").content.decode()
    assert "Leak relief to decide" in page
