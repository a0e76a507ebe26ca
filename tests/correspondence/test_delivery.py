"""E-mail over a real SMTP server after the commit (sent once; a refusal kept with why), the day's print batch
in ZIP order behind its cover sheet, and returned mail."""

from datetime import date
from email import message_from_bytes

import pytest
from django.core.exceptions import PermissionDenied

from cistern.correspondence import merge, selectors, services
from cistern.correspondence.models import CorrespondenceStatus
from cistern.correspondence.signals import letter_returned

from .conftest import page_count, page_text

pytestmark = pytest.mark.django_db


def _memo(account, channel="letter", key=None, text="Your meter was replaced today.", recipient=None):
    context = merge.account_context(account, date(2026, 11, 16)) | {
        "memo_body": text,
        "memo_subject": "Your new meter",
    }
    return services.LetterRequest(
        template_code="memo", context=context, recipient=recipient or merge.recipient_for_customer(account),
        account_id=account.pk, channel=channel, key=key, language=account.customer.preferred_language,
    )  # fmt: skip


def test_an_email_goes_after_commit_with_its_letter_attached(
    district, css1, start_account, customer_factory, smtp_server, django_capture_on_commit_callbacks
):
    account = start_account(customer=customer_factory(name="Rosa Medina", email="rosa@example.org"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = services.letter_issue(actor=css1, request=_memo(account, "email", key="memo-1"))
    assert (
        letter.status == CorrespondenceStatus.QUEUED and smtp_server.messages == []
    )  # nothing before commit
    for callback in callbacks:
        callback()
    letter.refresh_from_db()
    assert letter.status == CorrespondenceStatus.SENT and letter.sent_at is not None and letter.error == ""
    ((recipients, content),) = smtp_server.messages
    assert recipients == ["rosa@example.org"]
    message = message_from_bytes(content)
    assert message["Subject"] == "Your new meter"
    body, attachment = [part for part in message.walk() if not part.is_multipart()]
    assert "Dear Rosa Medina,\n\nYour meter was replaced today." in body.get_payload(
        decode=True
    ).decode().replace("\r\n", "\n")
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_payload(decode=True)
    assert pdf.startswith(b"%PDF") and "Your new meter" in page_text(pdf)

    # The same key again, or a second send of the record: nothing goes twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.letter_issue(actor=css1, request=_memo(account, "email", key="memo-1"))
    assert again.pk == letter.pk
    services.correspondence_send(letter.pk)
    assert len(smtp_server.messages) == 1


def test_a_refused_email_is_failed_with_why_and_sent_on_retry(
    district, css1, start_account, customer_factory, smtp_server, settings, django_capture_on_commit_callbacks
):
    account = start_account(customer=customer_factory(name="Bo Lee", email="bo@example.org"))
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_issue(actor=css1, request=_memo(account, "email"))
    letter.refresh_from_db()
    assert letter.status == CorrespondenceStatus.FAILED and "Connection refused" in letter.error
    assert list(selectors.failed_emails()) == [letter]
    settings.EMAIL_PORT = port
    letter = services.correspondence_retry(actor=css1, correspondence=letter)
    assert letter.status == CorrespondenceStatus.SENT and letter.error == ""
    assert [r for r, _ in smtp_server.messages] == [["bo@example.org"]]
    with pytest.raises(services.CorrespondenceError, match="Only a failed e-mail"):
        services.correspondence_retry(actor=css1, correspondence=letter)
    assert len(smtp_server.messages) == 1


def test_the_print_batch_is_in_zip_order_behind_a_cover_with_the_count(
    district, css2, billing_admin, start_account, customer_factory
):
    zips = ["92284", "92252", "92277", "92252"]
    names = ["Dee Zip84", "Bea Zip52", "Cy Zip77", "Al Zip52"]
    for name, zip_code in zip(names, zips, strict=True):
        account = start_account(customer=customer_factory(name=name, mailing_zip=zip_code))
        services.letter_issue(actor=css2, request=_memo(account))
    email_account = start_account(customer=customer_factory(name="Em Mail", email="em@example.org"))
    services.letter_issue(actor=css2, request=_memo(email_account, "email"))  # not printed
    later = start_account(customer=customer_factory(name="Tom Morrow", mailing_zip="90001"))
    services.letter_issue(actor=css2, request=_memo(later), on=date(2026, 11, 17))  # issued after the day

    batch = services.print_batch_create(actor=billing_admin, on=date(2026, 11, 16))
    assert batch.letter_count == 4 and batch.day == date(2026, 11, 16)
    printed = list(batch.letters.order_by(*services.MAILING_ORDER))
    assert [c.recipient_name for c in printed] == ["Al Zip52", "Bea Zip52", "Cy Zip77", "Dee Zip84"]
    assert {c.status for c in printed} == {CorrespondenceStatus.PRINTED}

    pdf = services.print_batch_pdf(batch)
    assert page_count(pdf) == 5  # the cover and four one-page letters
    text = page_text(pdf)
    assert "Letters: 4" in text and "Mailing order: ZIP 92252 to 92284" in text
    positions = [text.index(name) for name in ["Al Zip52", "Bea Zip52", "Cy Zip77", "Dee Zip84"]]
    assert positions == sorted(positions)
    assert "Tom Morrow" not in text and "Em Mail" not in text

    with pytest.raises(services.CorrespondenceError, match="No letters are waiting to print on 11/16/2026"):
        services.print_batch_create(actor=billing_admin, on=date(2026, 11, 16))
    with pytest.raises(PermissionDenied):
        services.print_batch_create(
            actor=billing_admin.__class__.objects.create(username="nobody"), on=date(2026, 11, 17)
        )


def test_a_returned_letter_fires_the_signal_after_commit_and_waits_in_the_queue(
    district, css1, css2, billing_admin, start_account, django_capture_on_commit_callbacks
):
    account = start_account()
    letter = services.letter_issue(actor=css1, request=_memo(account))
    with pytest.raises(services.CorrespondenceError, match="only a printed letter"):
        services.mark_returned(
            actor=css1, correspondence=letter, on=date(2026, 11, 16), reason="No such number"
        )
    services.print_batch_create(actor=billing_admin, on=date(2026, 11, 16))
    heard = []

    def receiver(sender, correspondence, **kwargs):
        heard.append(correspondence.pk)

    letter_returned.connect(receiver, dispatch_uid="test_returned")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            returned = services.mark_returned(
                actor=css1, correspondence=letter, on=date(2026, 11, 16), reason="Attempted, not known"
            )
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        letter_returned.disconnect(dispatch_uid="test_returned")
    assert heard == [letter.pk]
    assert (
        returned.status == CorrespondenceStatus.RETURNED
        and returned.returned_reason == "Attempted, not known"
    )
    assert list(selectors.returned_waiting()) == [returned]

    with pytest.raises(PermissionDenied):
        services.returned_resolve(actor=billing_admin, correspondence=returned, note="x")
    resolved = services.returned_resolve(
        actor=css2, correspondence=returned, note="New address from the customer"
    )
    assert resolved.returned_resolved_by == css2 and resolved.returned_note == "New address from the customer"
    assert list(selectors.returned_waiting()) == []
    with pytest.raises(services.CorrespondenceError, match="Already resolved"):
        services.returned_resolve(actor=css2, correspondence=resolved, note="again")


def test_a_return_day_before_the_letter_or_in_the_future_is_refused(
    district, css1, billing_admin, start_account
):
    letter = services.letter_issue(actor=css1, request=_memo(start_account()))
    services.print_batch_create(actor=billing_admin, on=date(2026, 11, 16))
    for day in (date(2026, 11, 15), date(2026, 11, 17)):
        with pytest.raises(services.CorrespondenceError, match="issued on 11/16/2026"):
            services.mark_returned(actor=css1, correspondence=letter, on=day, reason="Vacant")
    with pytest.raises(services.CorrespondenceError, match="Say why"):
        services.mark_returned(actor=css1, correspondence=letter, on=date(2026, 11, 16), reason=" ")
