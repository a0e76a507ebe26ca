"""The iCalendar feeds, fetched as Outlook does (no sign-in) and parsed back with the icalendar package."""

from datetime import date, time

import icalendar
import pytest

from cistern.core import clock
from cistern.schedule import services
from cistern.schedule.models import Event, FeedToken

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def fetch(client, token):
    return client.get(f"/schedule/ical/{token}.ics")


def parsed(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def vevents(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_team_feed_without_signing_in(client, lead, cycle):
    board = services.event_save(
        actor=lead, event=Event(title="Board meeting", kind="meeting", day=date(2026, 12, 15), at=time(18, 0))
    )
    personal = services.event_save(
        actor=lead, event=Event(title="CPR training", kind="training", day=date(2026, 12, 16), user=lead)
    )
    with clock.on(MONDAY):
        token = services.feed_rotate(actor=lead, team=True)
        cal = parsed(fetch(client, token))
    assert str(cal["X-WR-CALNAME"]) == "Cistern team schedule"
    events = vevents(cal)
    read = events[f"read-c{cycle.pk}-20261203@schedule.cistern"]
    assert str(read["SUMMARY"]) == "Read C01"
    assert read.decoded("DTSTART") == date(2026, 12, 3) and type(read.decoded("DTSTART")) is date
    assert read.decoded("DTEND") == date(2026, 12, 4)
    assert "DTSTAMP" in read
    # Bills dated Sunday 12/06 are printed Friday 12/04 and due Monday 12/28.
    assert events[f"bill_print-c{cycle.pk}-20261203@schedule.cistern"].decoded("DTSTART") == date(2026, 12, 4)
    assert events[f"due-c{cycle.pk}-20261203@schedule.cistern"].decoded("DTSTART") == date(2026, 12, 28)
    meeting = events[f"event-{board.pk}@schedule.cistern"]
    assert str(meeting["SUMMARY"]) == "Board meeting"
    start = meeting.decoded("DTSTART")
    assert (start.date(), start.time(), str(start.tzinfo)) == (
        date(2026, 12, 15),
        time(18, 0),
        "America/Los_Angeles",
    )
    assert f"event-{personal.pk}@schedule.cistern" not in events  # a person's own event is in their feed only
    assert len(cal.walk("VTIMEZONE")) == 1
    # The same feed fetched again: the same UIDs.
    with clock.on(MONDAY):
        assert set(vevents(parsed(fetch(client, token)))) == set(events)


def test_user_feed_has_own_events_coverage_and_leave(client, lead, css1):
    services.workweek_set(actor=lead, user=css1, pattern="5x8", starts_on=date(2026, 11, 2))
    counter = services.assignment_set(actor=lead, day=MONDAY, half="am", position="counter", user=css1)
    leave = services.leave_add(
        actor=lead, user=css1, first_day=date(2026, 12, 9), last_day=date(2026, 12, 11)
    )
    own = services.event_save(
        actor=lead, event=Event(title="Dentist", kind="other", day=date(2026, 12, 10), user=css1)
    )
    services.event_save(
        actor=lead, event=Event(title="Board meeting", kind="meeting", day=date(2026, 12, 15))
    )
    with clock.on(MONDAY):
        token = services.feed_rotate(actor=css1)
        events = vevents(parsed(fetch(client, token)))
    assert set(events) == {
        f"assignment-{counter.pk}@schedule.cistern", f"leave-{leave.pk}@schedule.cistern",
        f"event-{own.pk}@schedule.cistern",
    }  # fmt: skip
    slot = events[f"assignment-{counter.pk}@schedule.cistern"]
    assert str(slot["SUMMARY"]) == "Counter (morning)"
    assert slot.decoded("DTSTART").time() == time(8, 0) and slot.decoded("DTEND").time() == time(12, 0)
    away = events[f"leave-{leave.pk}@schedule.cistern"]
    assert (away.decoded("DTSTART"), away.decoded("DTEND")) == (date(2026, 12, 9), date(2026, 12, 12))


def test_rotating_ends_the_old_url(client, css1):
    first = services.feed_rotate(actor=css1)
    assert fetch(client, first).status_code == 200
    second = services.feed_rotate(actor=css1)
    assert fetch(client, first).status_code == 404
    assert fetch(client, second).status_code == 200
    stored = FeedToken.objects.get(user=css1)
    assert (
        stored.token_hash == FeedToken.hash_token(second) and second not in stored.token_hash
    )  # hashed only
    assert fetch(client, "not-a-token").status_code == 404


def test_rotating_from_the_page_shows_the_new_url_once(client, css1):
    client.force_login(css1)
    old = services.feed_rotate(actor=css1)
    response = client.post("/schedule/feeds/rotate/")
    assert response.status_code == 302 and response["Location"] == "/schedule/feeds/"
    page = client.get("/schedule/feeds/").content.decode()
    assert "Your new feed URL" in page
    url = page.split('id="fresh-feed-url">')[1].split("<")[0]
    client.logout()
    assert client.get(url.replace("http://testserver", "")).status_code == 200
    assert fetch(client, old).status_code == 404
    client.force_login(css1)
    assert "Your new feed URL" not in client.get("/schedule/feeds/").content.decode()


def test_a_clerk_cannot_rotate_the_team_feed(client, css1):
    client.force_login(css1)
    assert client.post("/schedule/feeds/team/rotate/").status_code == 403
    assert not FeedToken.objects.exists()
