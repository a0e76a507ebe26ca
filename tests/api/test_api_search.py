"""The account search API (issue 10): `offset` pages through the results, bad values answer 400 naming their
field, and the response keeps its shape."""

import pytest

from cistern.core import roles

pytestmark = pytest.mark.django_db


def _get(client, token, **params):
    return client.get("/api/v1/accounts", params, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def garcias(start_account, customer_factory, premise_factory):
    return [
        start_account(
            customer=customer_factory(name=f"Garcia {chr(65 + i // 26)}{chr(97 + i % 26)}"),
            premise=premise_factory(street=f"{100 + i} Garcia Ranch Rd"),
        )
        for i in range(30)
    ]


def test_offset_pages_without_repeats_or_gaps(client, token_for, garcias):
    """Seen: the API stopped at the first results, with no way to the next ones."""
    token = token_for(roles.CSS_I)
    first = _get(client, token, q="garcia", limit=12).json()
    second = _get(client, token, q="garcia", limit=12, offset=12).json()
    third = _get(client, token, q="garcia", limit=12, offset=24).json()
    assert [len(p) for p in (first, second, third)] == [12, 12, 6]
    numbers = [a["number"] for a in first + second + third]
    assert len(set(numbers)) == 30 and set(numbers) == {a.number for a in garcias}
    assert numbers == [a["number"] for a in _get(client, token, q="garcia", limit=100).json()]
    assert set(first[0]) == {"number", "name", "service_address", "status"}  # the same shape as before
    assert _get(client, token, q="garcia", offset=30).json() == []


@pytest.mark.parametrize("offset", ["x", "-1", "1.5", "9" * 50])
def test_a_bad_offset_answers_400_naming_it(client, token_for, offset):
    response = _get(client, token_for(roles.CSS_I), q="garcia", offset=offset)
    assert response.status_code == 400
    assert response.json()["field"] == "offset"


def test_a_thousand_words_answer_400(client, token_for):
    """Seen: a search of 1,000 words answered 500."""
    token = token_for(roles.CSS_I)
    response = _get(client, token, q=" ".join(["garcia"] * 1000))
    assert response.status_code == 400
    assert response.json() == {
        "detail": "q: A search is at most 12 words; this one has 1,000. "
        "Type a name, an address, a phone or an account number.",
        "field": "q",
    }
    huge = _get(client, token, q="x" * 100_000)
    assert huge.status_code == 400 and huge.json()["field"] == "q"


def test_road_and_a_misspelling_through_the_api(
    client, token_for, start_account, customer_factory, premise_factory
):
    account = start_account(
        customer=customer_factory(name="Robert Johnson", mailing_street="PO Box 9"),
        premise=premise_factory(street="61750 CHOLLITA RD"),
    )
    token = token_for(roles.CSS_I)
    assert [a["number"] for a in _get(client, token, q="61750 Chollita Road").json()] == [account.number]
    assert [a["number"] for a in _get(client, token, q="jonson").json()] == [account.number]
