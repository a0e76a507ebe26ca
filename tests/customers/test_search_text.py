from cistern.customers.search_text import build_search_text, normalize_query, phone_digits


def test_phone_digits():
    assert phone_digits("(760) 366-8438") == "7603668438"
    assert phone_digits("+1 760 366 8438") == "7603668438"


def test_a_phone_query_is_one_run_of_digits():
    assert normalize_query("(760) 366-8438") == ["7603668438"]
    assert normalize_query("366-8438") == ["3668438"]


def test_a_text_query_is_lower_case_words_without_wildcards():
    assert normalize_query("  Sunburst  AVE, ") == ["sunburst", "ave"]
    assert normalize_query("50% off_") == ["50", "off"]


def test_build_search_text_holds_every_searchable_field():
    text = build_search_text(
        number="10000019",
        name="Maria LÓPEZ",
        phones=["(760) 366-1234", ""],
        email="maria@example.org",
        mailing_address="PO Box 12, Joshua Tree, CA 92252",
        service_address="61750 Chollita Rd Joshua Tree",
        parcel_number="0601-123-45-0000",
    )
    for part in [
        "10000019",
        "maria lopez",
        "7603661234",
        "chollita",
        "po box 12",
        "0601-123-45-0000",
        "0601123450000",
    ]:
        assert part in text
    assert text == text.lower()


def test_accents_are_folded_in_the_text_and_the_query():
    text = build_search_text(
        number="1",
        name="José Peña",
        phones=[],
        email="",
        mailing_address="",
        service_address="",
        parcel_number="",
    )
    assert "jose pena" in text
    assert normalize_query("PEÑA") == ["pena"]
