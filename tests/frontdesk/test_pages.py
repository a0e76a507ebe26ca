"""The front desk's pages as a clerk uses them: the counter's call form (the number's accounts as it is typed), a
call turned into a case prefilled, the case page's due date in words, the lead's queue, the account's panels, and
values that do not fit."""

from datetime import date

import pytest

from cistern.core import clock
from cistern.frontdesk import services
from cistern.frontdesk.models import Call, Case

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_the_counter_logs_a_call_and_links_the_account(signed_in, css1, account):
    client = signed_in(css1)
    with clock.on(DAY):
        page = client.get("/frontdesk/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="call-form"' in html and "Caller&#x27;s number" in html or "Caller's number" in html
        matches = client.get("/frontdesk/calls/match/", {"caller_phone": "760 555 01"})
        assert "Rosa Lane" not in matches.content.decode()
        matches = client.get("/frontdesk/calls/match/", {"caller_phone": "760 555 0142"})
        assert account.number in matches.content.decode() and "Rosa Lane" in matches.content.decode()
        response = client.post(
            "/frontdesk/calls/log/",
            {
                "caller_phone": "760 555 0142",
                "caller_name": "Rosa",
                "reason": "Bill too high",
                "outcome": "resolved",
            },
        )
        assert response.status_code == 302
        call = Call.objects.get()
        assert call.account == account
        desk = client.get("/frontdesk/").content.decode()
        assert f"Call {call.pk} logged on account {account.number}." in desk
        assert "Bill too high" in desk


def test_a_bad_call_form_answers_with_its_errors(signed_in, css1):
    client = signed_in(css1)
    response = client.post(
        "/frontdesk/calls/log/", {"reason": "x" * 3000, "outcome": "nope", "account": "123"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No account 123" in html and "Select a valid choice" in html
    assert not Call.objects.exists()


def test_a_call_becomes_a_case_prefilled_then_escalated(signed_in, css1, css2, account, complaint):
    with clock.on(DAY):
        call = services.call_log(actor=css1, reason="Low pressure at night", outcome="resolved", caller_name="Rosa",
                                 caller_phone="7605550142")  # fmt: skip
        client = signed_in(css1)
        form = client.get(f"/frontdesk/cases/new/?call={call.pk}").content.decode()
        assert "Low pressure at night" in form and account.number in form
        response = client.post("/frontdesk/cases/new/", {
            "category": complaint.pk, "priority": "high", "account": account.number, "contact_name": "Rosa",
            "contact_phone": "7605550142", "description": "Low pressure at night", "call": call.pk,
        })  # fmt: skip
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/frontdesk/cases/{case.pk}/"
        call.refresh_from_db()
        assert call.case == case
        client.post(f"/frontdesk/cases/{case.pk}/escalate/", {"reason": "Asks for a lead"})
        lead = signed_in(css2)
        queue = lead.get("/frontdesk/cases/queue/").content.decode()
        assert case.number in queue and "not yet taken" in queue
        assert case.number in lead.get("/").content.decode() or lead.get("/").status_code == 200


def test_an_overdue_case_says_so_in_words(signed_in, css1, complaint):
    with clock.on(DAY):
        case = services.case_open(
            actor=css1, category=complaint, description="Brown water", priority="urgent"
        )
    client = signed_in(css1)
    with clock.on(date(2026, 12, 7)):
        page = client.get(f"/frontdesk/cases/{case.pk}/").content.decode()
        assert "Overdue" in page
        queue = client.get("/frontdesk/cases/queue/").content.decode()
        assert case.number in queue and "overdue" in queue


def test_the_account_page_shows_its_cases_and_calls(signed_in, css1, account, complaint):
    with clock.on(DAY):
        case = services.case_open(
            actor=css1, category=complaint, description="Leak at the curb", account=account
        )
        services.call_log(actor=css1, reason="Leak at the curb", outcome="resolved", account=account)
    page = signed_in(css1).get(f"/accounts/{account.number}/").content.decode()
    assert 'id="account-cases"' in page and case.number in page
    assert 'id="account-calls"' in page and "Leak at the curb" in page


def test_values_that_do_not_fit(signed_in, css1):
    client = signed_in(css1)
    assert client.get("/frontdesk/calls/?date=0001-01-01").status_code == 400
    assert client.get("/frontdesk/radio/?date=abc").status_code == 400
    assert client.get("/frontdesk/cases/new/?call=" + "9" * 50).status_code == 400
    assert client.get("/frontdesk/cases/" + "9" * 50 + "/").status_code == 404
    assert client.get("/frontdesk/calls/match/?caller_phone=" + "9" * 3000).status_code == 200
    response = client.post("/frontdesk/radio/add/", {"unit": "U1", "message": "x", "order": "9" * 11})
    assert response.status_code == 200 and "not a service order number" in response.content.decode()
    response = client.post("/frontdesk/radio/add/", {"unit": "U1", "message": "x", "order": "9" * 50})
    assert response.status_code == 200 and "at most 12 characters" in response.content.decode()


def test_the_desk_is_read_only_for_an_auditor(signed_in, auditor):
    client = signed_in(auditor)
    page = client.get("/frontdesk/").content.decode()
    assert 'id="call-form"' not in page and 'id="open-cases"' in page
    assert client.post("/frontdesk/calls/log/", {"reason": "x", "outcome": "resolved"}).status_code == 403


# What each page reads from its query string (to join tests/test_hostile_values.py QUERY_KEYS).
QUERY_KEYS = {
    "/frontdesk/calls/": ["date"],
    "/frontdesk/calls/match/": ["caller_phone"],
    "/frontdesk/cases/": ["status", "mine"],
    "/frontdesk/cases/new/": ["call", "account"],
    "/frontdesk/visitors/log/": ["date"],
    "/frontdesk/radio/": ["date"],
}


def test_hostile_query_values_never_answer_500(client, django_user_model):
    from tests.test_hostile_values import HOSTILE

    client.force_login(django_user_model.objects.create_superuser("fd_root", password=None))
    client.raise_request_exception = False
    for path, keys in QUERY_KEYS.items():
        for key in keys:
            for value in HOSTILE:
                response = client.get(path, {key: value})
                assert response.status_code < 500, (path, key, value[:20], response.status_code)
