"""Letters written from the shipped templates with the account's merge fields, in English and Spanish; one at a
time and thousands at once; each key written once."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core.models import AuditEvent
from cistern.correspondence import merge, services
from cistern.correspondence.models import Correspondence, CorrespondenceStatus, LetterTemplate

from .conftest import page_text

pytestmark = pytest.mark.django_db


def _notice(on: date) -> dict:
    return {
        "notice": {
            "amount": "$1,234.56", "shutoff_on": date(2026, 12, 4), "mailed_on": on,
            "delinquent_since": date(2026, 10, 20), "oldest_due": date(2026, 10, 1), "door_hanger_hours": 48,
            "extension_days": 13, "dispute_days": 5,
        },
        "policy_phone": "(760) 366-8400",
    }  # fmt: skip


def _request(account, code="shutoff_notice", language="en", key=None, **extra):
    context = merge.account_context(account, date(2026, 11, 16)) | _notice(date(2026, 11, 16))
    return services.LetterRequest(
        template_code=code, context=context, recipient=merge.recipient_for_customer(account),
        account_id=account.pk, language=language, key=key, **extra,
    )  # fmt: skip


def test_the_shutoff_notice_states_what_the_law_requires_in_english(
    district, css2, start_account, customer_factory
):
    account = start_account(customer=customer_factory(name="Maria Lopez", mailing_unit="Apt 4"))
    letter = services.letter_issue(actor=css2, request=_request(account, key="notice-1"))

    assert (
        letter.status == CorrespondenceStatus.QUEUED
        and letter.channel == "letter"
        and letter.language == "en"
    )
    assert letter.subject == "Notice of discontinuation of water service for nonpayment"
    assert letter.recipient_name == "Maria Lopez"
    assert letter.lines == ["100 Sunburst Ave Apt 4", "Joshua Tree, CA 92252"] and letter.zip_code == "92252"
    body = letter.body
    assert body.startswith("Dear Maria Lopez,\n\nCustomer: Maria Lopez\n")
    assert f"Service address: {account.premise.service_address}" in body
    assert "Amount delinquent: $1,234.56 (delinquent since October 20, 2026)" in body
    assert "or make a payment arrangement with us, by December 4, 2026." in body
    assert "extension of up to 13 days" in body  # how to apply for an extension
    assert "contest it by calling (760) 366-8400 or writing to us within 5 days" in body  # appeal
    assert "amortization plan" in body and "alternative payment schedule" in body
    assert body.endswith("Joshua Basin Water District Customer Service\n(760) 366-8438")
    assert "\n\n\n" not in body
    assert letter.template_version.template.code == "shutoff_notice" and letter.template_version.number == 1
    event = AuditEvent.objects.get(action="correspondence.issue")
    assert event.account_id == account.pk and event.actor == css2
    assert event.changes["template"] == [None, "shutoff_notice"]

    text = page_text(services.correspondence_pdf(letter))
    for words in ["Joshua Basin Water District", "Maria Lopez", "100 Sunburst Ave Apt 4", "Date: November 16, 2026",
                  f"Account: {account.number}", "Notice of discontinuation"]:  # fmt: skip
        assert words in text, words


def test_the_spanish_notice_spells_its_dates_in_spanish(district, css2, start_account, customer_factory):
    account = start_account(customer=customer_factory(name="José Ramírez", preferred_language="es"))
    letter = services.letter_issue(actor=css2, request=_request(account, language="es"))
    assert letter.language == "es"
    assert letter.subject == "Aviso de suspensión del servicio de agua por falta de pago"
    assert letter.body.startswith("Estimado(a) José Ramírez:")
    assert "a más tardar el 4 de diciembre de 2026" in letter.body
    assert "Monto atrasado: $1,234.56 (atrasado desde el 20 de octubre de 2026)" in letter.body
    pdf = services.correspondence_pdf(letter)
    assert "Fecha: 16 de noviembre de 2026" in page_text(pdf)
    assert "José Ramírez".encode("latin-1") in pdf or "Ram" in page_text(pdf)


def test_a_language_without_its_template_falls_back_to_english(district, css2, start_account):
    LetterTemplate.objects.filter(code="door_hanger", language="es").update(active=False)
    letter = services.letter_issue(
        actor=css2, request=_request(start_account(), code="door_hanger", language="es")
    )
    assert letter.language == "en" and letter.subject == "48-hour notice: water service will be shut off"
    with pytest.raises(services.CorrespondenceError, match="no active letter template 'no_such'"):
        services.letter_issue(actor=css2, request=_request(start_account(), code="no_such"))


def test_the_occupant_notice_goes_to_the_service_address(district, css2, start_account, premise_factory):
    account = start_account(premise=premise_factory(street="7 Rental Row", unit="B", zip_code="92284"))
    request = services.LetterRequest(
        template_code="shutoff_notice_occupant",
        context=merge.account_context(account, date(2026, 11, 16)) | _notice(date(2026, 11, 16)),
        recipient=merge.recipient_for_occupant(account), account_id=account.pk,
    )  # fmt: skip
    letter = services.letter_issue(actor=css2, request=request)
    assert letter.recipient_name == "Occupant" and letter.lines == ["7 Rental Row B", "Joshua Tree, CA 92284"]
    assert letter.zip_code == "92284"
    assert "without paying the amount owed on the delinquent account" in letter.body


def test_a_key_is_issued_once(district, css2, start_account):
    account = start_account()
    first = services.letter_issue(actor=css2, request=_request(account, key="notice-2026-11-16-1"))
    again = services.letter_issue(actor=css2, request=_request(account, key="notice-2026-11-16-1"))
    assert again.pk == first.pk and Correspondence.objects.count() == 1
    assert AuditEvent.objects.filter(action="correspondence.issue").count() == 1


def test_a_bulk_issue_of_500_skips_the_keys_already_issued(
    district, css2, start_account, django_assert_max_num_queries
):
    account = start_account()
    done = [
        services.letter_issue(actor=css2, request=_request(account, key=f"n-{i}")) for i in range(0, 500, 50)
    ]
    requests = [_request(account, code="past_due_reminder", key=f"n-{i}") for i in range(500)]
    requests.append(_request(account, code="past_due_reminder", key="n-7"))  # twice in one list: once
    with django_assert_max_num_queries(40):  # SQLite splits an insert at 999 values
        out = services.letters_issue(actor=css2, requests=requests)
    assert len(out) == 501
    assert Correspondence.objects.count() == 500
    assert [r.pk for r in out[:50:50]] == [done[0].pk]  # an existing key answers with the existing record
    assert out[50].pk == done[1].pk and out[50].template_version.template.code == "shutoff_notice"
    assert out[-1].pk == out[7].pk
    new = Correspondence.objects.filter(template_version__template__code="past_due_reminder")
    assert new.count() == 490 and all(r.pk for r in out)
    assert "past-due balance of $1,234.56" in new.first().body
    assert AuditEvent.objects.filter(action="correspondence.issue").count() == 500
    # run again: nothing new
    services.letters_issue(actor=css2, requests=requests)
    assert Correspondence.objects.count() == 500


def test_issuing_needs_the_permission(district, cashier, start_account):
    with pytest.raises(PermissionDenied):
        services.letter_issue(actor=cashier, request=_request(start_account()))
    with pytest.raises(PermissionDenied):
        services.letters_issue(actor=cashier, requests=[_request(start_account())])
    assert not Correspondence.objects.exists()


def test_an_email_needs_an_address_and_a_letter_a_mailing_address(district, css2, start_account):
    account = start_account()
    with pytest.raises(services.CorrespondenceError, match="no e-mail address"):
        services.letter_issue(actor=css2, request=_request(account, code="high_usage", channel="email"))
    request = services.LetterRequest(
        template_code="memo", context={"memo_body": "x"}, recipient=services.Recipient("Ana", (), ""),
    )  # fmt: skip
    with pytest.raises(services.CorrespondenceError, match="no mailing address"):
        services.letter_issue(actor=css2, request=request)


def test_issued_on_is_the_day_given(district, css2, start_account):
    letter = services.letter_issue(
        actor=css2, request=_request(start_account()), on=date(2026, 11, 16) - timedelta(days=1)
    )
    assert letter.issued_on == date(2026, 11, 15)
