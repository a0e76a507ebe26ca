from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cistern.customers import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(start_account, premise_factory, customer_factory, css1):
    def start(name, street, phone, **premise_kwargs):
        return start_account(
            customer=customer_factory(name=name, phone=phone, mailing_street=street),
            premise=premise_factory(street=street, **premise_kwargs),
        )

    accounts = {
        "smith": start("Rosa Smith", "61750 Chollita Rd", "(760) 366-1001"),
        "smithers": start("Alan Blacksmith", "7300 Smithfield Ave", "(760) 366-1002"),
        "ortiz": start("Jose Ortiz", "6455 Sunburst Ave", "(760) 228-4433", parcel_number="0601-222-33-0000"),
        "inn": start("Desert Inn LLC", "58000 Twentynine Palms Hwy", "(760) 366-9000"),
    }
    old = start("Rosa Smithson", "4000 Sage Ave", "(760) 555-0000")
    services.service_stop(
        actor=css1, account=old, stop_date=date(2026, 11, 20),
        forwarding={"street": "1 A St", "city": "Barstow", "state": "CA", "zip": "92311"},
    )  # fmt: skip
    accounts["closed"] = old
    return accounts


def _numbers(query):
    return [a.number for _, a in selectors.account_search(query)]


def test_exact_account_number_comes_first(district):
    number = district["ortiz"].number
    assert _numbers(number)[0] == number
    assert _numbers(f"{number[:4]}-{number[4:]}")[0] == number


def test_mistyped_account_number_offers_the_numbers_one_typo_away(district):
    number = district["ortiz"].number
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    found = selectors.account_search(typo)
    assert found[0] == (
        selectors.TYPO_RANK,
        district["ortiz"],
    )  # the check digit is wrong: not an exact match


def test_name_prefix_ranks_above_a_match_elsewhere(district):
    found = selectors.account_search("smith")
    by_number = {a.number: rank for rank, a in found}
    assert by_number[district["smith"].number] == 15  # a word of the name starts with it (Rosa *Smith*)
    assert by_number[district["smithers"].number] == 30  # only the street (Smithfield) and Blacksmith
    assert found[0][1] == district["smith"]
    # The stopped account is listed after the open one of the same rank.
    assert [a.number for _, a in found].index(district["closed"].number) > 0


def test_whole_name_prefix(district):
    assert selectors.account_search("desert inn")[0] == (10, district["inn"])


def test_address_fragment(district):
    assert _numbers("sunburst") == [district["ortiz"].number]
    assert _numbers("6455 sunb") == [district["ortiz"].number]
    assert _numbers("palms hwy") == [district["inn"].number]


def test_phone_in_any_format(district):
    expected = [(20, district["ortiz"])]
    assert selectors.account_search("(760) 228-4433") == expected
    assert selectors.account_search("760-228-4433") == expected
    assert selectors.account_search("2284433") == expected


def test_parcel_number_with_or_without_dashes(district):
    assert _numbers("0601-222-33") == [district["ortiz"].number]
    assert _numbers("060122233") == [district["ortiz"].number]


def test_nothing_found(district):
    assert _numbers("zzzqqq") == []


def test_search_text_follows_a_customer_change(district, css1):
    services.customer_update(actor=css1, customer=district["ortiz"].customer, name="Josefina Ortiz-Vega")
    assert _numbers("josefina") == [district["ortiz"].number]


def test_search_view_is_a_fixed_number_of_queries(district, client, css1):
    client.force_login(css1)
    client.get("/search/?q=smith", HTTP_HX_REQUEST="true")  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        client.get("/search/?q=smithson", HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/search/?q=smith", HTTP_HX_REQUEST="true")
    # More results never cost more queries ("smithson" finds none as typed and looks for close words too).
    assert len(many) <= len(few)
    page = response.content.decode()
    assert "Rosa Smith" in page and district["smith"].number in page and "<html" not in page


def test_search_page_without_htmx_is_a_full_page(district, client, css1):
    client.force_login(css1)
    page = client.get("/search/?q=chollita").content.decode()
    assert "<html" in page and "Rosa Smith" in page


def test_field_technician_searches_nothing(district, client, make_user):
    client.force_login(make_user("Field Technician"))
    page = client.get("/search/?q=smith", HTTP_HX_REQUEST="true").content.decode()
    assert "Rosa Smith" not in page and "No account matches" in page


def test_lopez_finds_lopez_with_an_accent(start_account, customer_factory):
    account = start_account(customer=customer_factory(name="María López"))
    assert _numbers("maria lopez") == [account.number]
    assert _numbers("López") == [account.number]


def test_a_short_word_narrows_to_the_start_of_a_word(district):
    """Seen: "J Pratt" (a word under three characters with a longer one) killed the server on SQLite.

    A word of one or two characters matches the start of a word ("r smith": Rosa Smith, Rosa Smithson), checked
    on the accounts the longer word finds, never looked up in the trigram index."""
    assert set(_numbers("r smith")) == {district["smith"].number, district["closed"].number}
    assert _numbers("x smith") == []


def test_only_short_words_search_word_starts_without_the_index(district):
    """Seen: "a", "ab cd", "x" and "pr" sent short patterns to the FTS5 trigram index, which answers them wrongly
    (SQLite 3.40.1 found no "x" in "x pratt"). Only short words: each must start a word, best names first."""
    found = selectors.account_search("de in")
    assert found[0] == (15, district["inn"])  # Desert Inn: a word of the name starts with "de"
    assert [a for _, a in found] == [district["inn"]]
    assert _numbers("jo")[0] == district["ortiz"].number  # Jose Ortiz; the rest only for "Joshua Tree"
    assert _numbers("qz") == []
