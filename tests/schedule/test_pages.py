"""The calendar's pages: the month grid (prev/next, filter by kind), the agenda, manual events made, changed and
deleted through audited services, values that do not fit answering 400."""

from datetime import date, time

import pytest

from cistern.core import clock
from cistern.core.models import AuditEvent
from cistern.schedule.models import Event

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_month_grid_with_derived_days(client, css1, cycle):
    client.force_login(css1)
    with clock.on(MONDAY):
        page = client.get("/schedule/").content.decode()
    assert "<h1>Team schedule: December 2026</h1>" in page
    assert '<th scope="col">Monday</th>' in page and "<caption>December 2026</caption>" in page
    assert (
        'href="?year=2026&amp;month=11" rel="prev"' in page
        and 'href="?year=2027&amp;month=1" rel="next"' in page
    )
    assert "Read C01" in page and "Bill print C01" in page and "Bills due C01" in page
    assert "Add an event" not in page  # a clerk does not manage events
    with clock.on(MONDAY):
        only = client.get("/schedule/?year=2027&month=1&kind=read").content.decode()
    assert "Team schedule: January 2027" in only
    assert "Read C01" in only and "Bills due C01" not in only
    assert 'href="?year=2026&amp;month=12&amp;kind=read" rel="prev"' in only


def test_agenda_lists_the_next_days(client, css1, cycle):
    client.force_login(css1)
    with clock.on(date(2026, 12, 1)):
        page = client.get("/schedule/agenda/?days=7").content.decode()
    assert "Agenda: 12/01/2026 to 12/07/2026" in page
    assert "Thursday 12/03/2026" in page and "Read C01" in page
    assert "Bills due C01" not in page  # 12/28 is past the 7 days


def test_a_lead_adds_changes_and_deletes_an_event(client, lead):
    client.force_login(lead)
    response = client.post("/schedule/events/new/", {
        "title": "Board meeting", "kind": "meeting", "day": "2026-12-15", "at": "18:00", "user": "", "note": "Rates",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/schedule/?year=2026&month=12"
    event = Event.objects.get()
    assert (event.title, event.day, event.at, event.user, event.created_by) == (
        "Board meeting", date(2026, 12, 15), time(18, 0), None, lead
    )  # fmt: skip
    with clock.on(MONDAY):
        assert (
            f'18:00 <a href="/schedule/events/{event.pk}/">Board meeting</a>'
            in client.get("/schedule/").content.decode()
        )
    client.post(f"/schedule/events/{event.pk}/", {"title": "Board meeting", "kind": "meeting", "day": "2026-12-16",
                                                   "at": "18:00", "user": "", "note": "Moved"})  # fmt: skip
    event.refresh_from_db()
    assert event.day == date(2026, 12, 16)
    assert client.post(f"/schedule/events/{event.pk}/delete/").status_code == 302
    assert not Event.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="schedule.event")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["schedule_event.add", "schedule_event.change", "schedule_event.delete"]


def test_an_event_form_with_errors_names_the_field(client, lead):
    client.force_login(lead)
    page = client.post(
        "/schedule/events/new/", {"title": "", "kind": "meeting", "day": "0001-01-01"}
    ).content.decode()
    assert "This field is required." in page and "Give a day between 2000 and 2100." in page
    assert not Event.objects.exists()


@pytest.mark.parametrize("url", [
    "/schedule/?year=0001&month=1", "/schedule/?year=2026&month=13", "/schedule/?kind=nope",
    "/schedule/agenda/?days=1e309", "/schedule/agenda/?days=999", "/schedule/coverage/?week=9999-12-31",
    "/schedule/coverage/?week=2026-02-30", "/schedule/events/new/?day=abc",
])  # fmt: skip
def test_values_that_do_not_fit_answer_400(client, supervisor, url):
    client.force_login(supervisor)
    assert client.get(url).status_code == 400


def test_the_auditor_views_but_does_not_manage(client, make_user, cycle):
    from cistern.core import roles

    client.force_login(make_user(roles.AUDITOR, username="auditor"))
    with clock.on(MONDAY):
        assert client.get("/schedule/").status_code == 200
        week = client.get("/schedule/coverage/").content.decode()
    assert "Save the week" not in week and "<select" not in week
    assert client.get("/schedule/feeds/").status_code == 403
    assert client.get("/schedule/events/new/").status_code == 403


def test_pages_read_in_a_fixed_number_of_queries(client, lead, django_assert_max_num_queries):
    from cistern.billing.models import BillCycle
    from cistern.schedule import services

    for n in range(1, 13):
        BillCycle.objects.create(code=f"C{n:02d}", name=f"Cycle {n}", read_day=1 + 2 * n, bill_day=4 + 2 * n)
    for n in range(10):
        services.event_save(
            actor=lead, event=Event(title=f"Event {n}", kind="other", day=date(2026, 12, 1 + n))
        )
    client.force_login(lead)
    with clock.on(MONDAY):
        with django_assert_max_num_queries(25):
            page = client.get("/schedule/").content.decode()
        # Twelve December reads, and C01's January read moved back from Sunday 01/03 into the grid.
        assert page.count("Read C") == 12 + 1
        with django_assert_max_num_queries(25):
            assert client.get("/schedule/agenda/?days=60").status_code == 200
        with django_assert_max_num_queries(25):
            assert client.get("/schedule/coverage/").status_code == 200
