"""The iCalendar feeds Outlook subscribes to: one VEVENT per event, with a UID that stays the same while the
event does (so a subscribed calendar updates in place), all-day events as DATE values (DTEND the day after the
last), timed ones in the district's zone with its VTIMEZONE, X-WR-CALNAME, DTSTAMP the time of the feed.
No ORM: the view hands in the items."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from . import derive

PRODID = "-//Cistern//Team schedule//EN"


@dataclass(frozen=True)
class Item:
    uid: str
    summary: str
    day: date
    last_day: date | None = None  # an all-day item over several days (inclusive); None: one day
    starts: time | None = None  # None: all day
    ends: time | None = None
    description: str = ""
    categories: str = ""


def from_events(events: Iterable[derive.Event], labels: dict[str, str]) -> list[Item]:
    items = []
    for e in events:
        ends = None
        if e.at is not None:
            ends = (datetime.combine(e.day, e.at) + timedelta(hours=1)).time()
            if ends <= e.at:
                ends = time(23, 59)
        items.append(
            Item(
                uid=e.uid,
                summary=e.title,
                day=e.day,
                starts=e.at,
                ends=ends,
                description=e.note,
                categories=labels.get(e.kind, e.kind),
            )  # fmt: skip
        )
    return items


def to_ical(name: str, items: Iterable[Item], *, stamp: datetime, zone: str) -> bytes:
    tz = ZoneInfo(zone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    for item in items:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        if item.starts is None:
            event.add("dtstart", item.day)
            event.add("dtend", (item.last_day or item.day) + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        else:
            event.add("dtstart", datetime.combine(item.day, item.starts, tzinfo=tz))
            event.add("dtend", datetime.combine(item.day, item.ends or item.starts, tzinfo=tz))
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", [item.categories])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
