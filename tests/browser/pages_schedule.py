"""The schedule's pages in the accessibility table (test_accessibility.py): the month grid and agenda (a clerk),
an event's form, the coverage week (a lead, who assigns; a clerk, who reads), the uncovered slots (a lead), the
office checklist (a cashier) and its misses (the supervisor), the calendar feeds page. FACTS finds the demo's
board meeting (cistern/demo/schedule.py); with no event yet, the row opens the new-event form."""

from tests.browser.page_row import Page

PAGES = [
    Page("schedule:month", "css1", "/schedule/"),
    Page("schedule:agenda", "css1", "/schedule/agenda/?days=30"),
    Page("schedule:event_new", "css2", "/schedule/events/new/"),
    Page("schedule:event_edit", "css2", "/schedule/events/{schedule_event_path}"),
    Page("schedule:feeds", "css1", "/schedule/feeds/"),
    Page("schedule:week", "css2", "/schedule/coverage/"),
    Page("schedule:week", "css1", "/schedule/coverage/"),
    Page("schedule:uncovered", "css2", "/schedule/coverage/uncovered/"),
    Page("schedule:checklist", "cashier", "/schedule/checklist/"),
    Page("schedule:misses", "supervisor", "/schedule/checklist/misses/"),
]

NOT_PAGES = {}  # the feed (schedule:ical) is not in the matrix: a calendar file by secret URL, no sign-in

FACTS = """
import json
from cistern.schedule.models import Event
event = Event.objects.filter(kind="meeting").order_by("id").first()
print(json.dumps({"schedule_event_path": f"{event.pk}/" if event else "new/"}))
"""
