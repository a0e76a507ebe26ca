"""`POST /api/v1/payments` (issue 11, "Online and pay-by-phone"): the Integration role posts a payment with an
Idempotency-Key; a retry with the same key and body answers 200 with the same body and posts nothing, the
same key with another body 409; card data and amounts that do not fit are refused 400 naming the field. Runs
on SQLite and on PostgreSQL."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from stdnum import damm

from cistern.core import roles
from cistern.customers.models import Account, AccountStatus
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLAccount, GLRole, JournalEntry, JournalLine
from cistern.ledger.verify import breaches
from cistern.payments.models import Payment, PaymentTender

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments"


@pytest.fixture
def token(token_for):
    return token_for(roles.INTEGRATION)


@pytest.fixture
def owing(start_account, make_user):
    """An account in service owing $45.56 on a bill due 11/20/2026."""
    account = start_account()
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    ledger.journal_post(
        actor=make_user(roles.SUPERVISOR, username="supervisor"), entry_date=date(2026, 11, 20), memo="Water bill",
        source_kind="bill", source_id=None,
        postings=[
            ledger.Posting(receivable, D("45.56"), account.pk, "Water bill", date(2026, 11, 20)),
            ledger.Posting("4110", D("-45.56"), description="Water bill"),
        ],
    )  # fmt: skip
    return account


def _post(client, token, body, key="key-0001", **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        URL, text, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )


def _body(account, amount="45.56", method="online", reference="PX-778812"):
    return {"account": account.number, "amount": amount, "method": method, "reference": reference}


def _gl(role) -> D:
    lines = JournalLine.objects.filter(gl_account=GLAccount.objects.get(role=role))
    return sum((line.amount for line in lines), D("0.00"))


def test_a_payment_posts_201_with_the_balance_after(client, token, owing):
    response = _post(client, token, _body(owing, "20.00"))
    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert response.json() == {
        "id": payment.pk, "account": owing.number, "amount": "20.00", "method": "online",
        "reference": "PX-778812", "balance": "25.56",
    }  # fmt: skip
    assert (payment.channel, payment.amount, payment.session_id, payment.idempotency_key) == (
        "online", D("20.00"), None, "key-0001"
    )  # fmt: skip
    tender = PaymentTender.objects.get()
    assert (tender.kind, tender.reference, tender.card_last_four) == ("electronic", "PX-778812", "")
    assert ledger_selectors.account_balance(owing) == D("25.56")
    assert _gl(GLRole.PROCESSOR_CLEARING) == D("20.00")  # the processor owes the district until it settles
    assert breaches() == []


def test_bank_bill_pay_goes_to_ach_clearing_and_a_number_amount_is_dollars(client, token, owing):
    response = _post(client, token, _body(owing, 45.56, method="ach"))
    assert response.status_code == 201, response.content
    assert (response.json()["amount"], response.json()["balance"]) == ("45.56", "0.00")
    assert _gl(GLRole.ACH_CLEARING) == D("45.56")


def test_the_same_key_and_body_again_answers_200_with_the_same_body_and_posts_nothing(client, token, owing):
    first = _post(client, token, _body(owing, "10.00", method="phone"))
    assert first.status_code == 201
    entries = JournalEntry.objects.count()
    again = _post(client, token, _body(owing, "10.00", method="phone"))
    assert again.status_code == 200
    assert again.json() == first.json()  # the balance after the payment, not after later ones
    # The same amount written another way is the same request.
    assert _post(client, token, _body(owing, 10, method="phone")).json() == first.json()
    assert Payment.objects.count() == 1 and PaymentTender.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    assert Payment.objects.get().entry_id is not None
    assert ledger_selectors.account_balance(owing) == D("35.56")


def test_the_same_key_with_another_body_answers_409(client, token, owing, start_account):
    assert _post(client, token, _body(owing, "10.00")).status_code == 201
    other = start_account()
    for body in (
        _body(owing, "10.01"), _body(owing, "10.00", method="phone"),
        _body(owing, "10.00", reference="PX-1"), _body(other, "10.00"),
    ):  # fmt: skip
        response = _post(client, token, body)
        assert response.status_code == 409, body
        assert response.json()["field"] == "Idempotency-Key"
    assert Payment.objects.count() == 1
    assert ledger_selectors.account_balance(owing) == D("35.56")


def test_another_integration_reusing_a_key_gets_409_never_the_payment(
    client, token, token_for, owing, make_user
):
    assert _post(client, token, _body(owing)).status_code == 201
    ivr = make_user(roles.INTEGRATION, username="ivr")
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", ivr.username, "--name", "ivr", stdout=out)
    response = _post(client, out.getvalue().strip(), _body(owing))
    assert response.status_code == 409 and "PX-778812" not in response.content.decode()


@pytest.mark.parametrize(
    "key",
    [None, "", " ", "k" * 101, "two words", "caf\u00e9"],
    ids=["missing", "empty", "space", "101", "spaces", "accent"],
)
def test_the_idempotency_key_is_required_and_at_most_100_visible_characters(client, token, owing, key):
    response = _post(client, token, _body(owing), key=key)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "Idempotency-Key"
    assert not Payment.objects.exists()


def test_a_key_of_100_characters_is_taken(client, token, owing):
    assert _post(client, token, _body(owing), key="k" * 100).status_code == 201


@pytest.mark.parametrize(
    "field",
    ["card_number", "cvv", "pan", "card", "expiry", "cvc", "security_code", "exp_month", "cardNumber"],
)
def test_card_data_is_refused_naming_the_field(client, token, owing, field):
    body = {**_body(owing), field: "4111111111111111" if field != "cvv" else "123"}
    response = _post(client, token, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["field"] == field and "card data is never accepted" in answer["detail"]
    assert not Payment.objects.exists() and not PaymentTender.objects.exists()


def test_an_unknown_field_and_a_card_number_as_the_reference_are_refused(client, token, owing):
    for name in ("note", "company"):
        response = _post(client, token, {**_body(owing), name: "hi"})
        assert (response.status_code, response.json()["field"]) == (400, name)
        assert "not a field of a payment" in response.json()["detail"]
    response = _post(client, token, _body(owing, reference="4111 1111 1111 1111"))
    assert (response.status_code, response.json()["field"]) == (400, "reference")
    assert "card number" in response.json()["detail"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "amount",
    ["12.345", "-1", "1e9", "abc", "1E2", "0", "0.00", "", " ", "NaN", "Infinity", "$5", "1,000.00", "1000000.01",
     "9" * 50, "1\u0000", True, None, [], {}, -1, 0, 12.345, 1e9, 1e-7, 10**30],
)  # fmt: skip
def test_an_amount_that_does_not_fit_is_refused_naming_amount(client, token, owing, amount):
    response = _post(client, token, _body(owing, amount))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "amount"
    assert not Payment.objects.exists()


def test_an_amount_of_1e309_is_refused_naming_amount(client, token, owing):
    """1e309 is infinity to a JSON parser: refused, never a 500."""
    text = json.dumps(_body(owing)).replace('"45.56"', "1e309")
    response = _post(client, token, text)
    assert (response.status_code, response.json()["field"]) == (400, "amount")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"method": "counter"}, "method"), ({"method": "cash"}, "method"), ({"method": None}, "method"),
        ({"reference": ""}, "reference"), ({"reference": "x" * 61}, "reference"), ({"reference": "a\u0000"}, "reference"),
        ({"account": 10000012}, "account"), ({"account": "x" * 41}, "account"), ({"account": "1234"}, "account"),
    ],
)  # fmt: skip
def test_other_bad_values_are_refused_naming_the_field(client, token, owing, change, field):
    response = _post(client, token, {**_body(owing), **change})
    assert (response.status_code, response.json()["field"]) == (400, field), response.content


def test_missing_fields_and_a_body_that_is_not_an_object(client, token, owing):
    for name in ("account", "amount", "method", "reference"):
        body = _body(owing)
        del body[name]
        assert _post(client, token, body).json()["field"] == name
    for text in ("[]", "5", "{not json"):
        response = _post(client, token, text)
        assert (response.status_code, response.json()["field"]) == (400, "body")


def test_an_unknown_account_or_a_wrong_check_digit_answers_400_naming_account(client, token, owing):
    wrong_digit = owing.number[:-1] + str((int(owing.number[-1]) + 1) % 10)
    response = _post(client, token, {**_body(owing), "account": wrong_digit})
    assert (response.status_code, response.json()["field"]) == (400, "account")
    unknown = "9999999" + damm.calc_check_digit("9999999")  # a valid check digit, no such account
    response = _post(client, token, {**_body(owing), "account": unknown})
    assert (response.status_code, response.json()["field"]) == (400, "account")
    assert "no account" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_a_closed_account_takes_the_payment_as_a_credit(client, token, owing):
    """A closing balance is paid on a closed account (start service elsewhere waits for it); what is paid
    beyond it is a credit the refunds return."""
    Account.objects.filter(pk=owing.pk).update(status=AccountStatus.CLOSED, end_date=date(2026, 11, 30))
    response = _post(client, token, _body(owing, "50.00"))
    assert response.status_code == 201
    assert response.json()["balance"] == "-4.44"
    assert Payment.objects.get().parts.get().credit == D("4.44")


def test_only_a_role_with_the_permission_posts(client, token_for, owing):
    for role in (roles.CASHIER, roles.CSS_I, roles.AUDITOR):
        response = _post(client, token_for(role), _body(owing))
        assert response.status_code == 403, role
    assert _post(client, "not-a-token", _body(owing)).status_code == 401
    assert not Payment.objects.exists()


def test_the_payments_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/payments"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"Idempotency-Key"}
    assert {"200", "201", "400", "409"} <= set(operation["responses"])
