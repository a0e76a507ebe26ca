"""The schedule's pages and posts. The feed (schedule:ical) needs no sign-in, only its secret URL: it is not in
this matrix (tests/schedule/test_feeds.py fetches it signed out; tests/test_permissions.py NOT_IN_MATRIX)."""

from datetime import date

from cistern.schedule import services
from cistern.schedule.models import ChecklistStep, Event

PAGES = {
    "schedule:month": "schedule.view_event",
    "schedule:agenda": "schedule.view_event",
    "schedule:event_new": "schedule.add_event",
    "schedule:event_edit": "schedule.change_event",
    "schedule:feeds": "schedule.use_feed",
    "schedule:week": "schedule.view_assignment",
    "schedule:uncovered": "schedule.manage_coverage",
    "schedule:checklist": "schedule.view_checklistrecord",
    "schedule:misses": "schedule.view_checklistmiss",
}
POSTS = {
    "schedule:event_delete": ("schedule.delete_event", {}),
    "schedule:feed_rotate": ("schedule.use_feed", {}),
    "schedule:team_feed_rotate": ("schedule.rotate_team_feed", {}),
    "schedule:assign": ("schedule.manage_coverage", {"week": "2026-12-07"}),
    "schedule:workweek": (
        "schedule.manage_coverage",
        {"week": "2026-12-07", "pattern": "4x10", "day_off": "4", "starts_on": "2026-12-07"},
    ),
    "schedule:leave_add": ("schedule.manage_coverage", {"week": "2026-12-07", "first_day": "2026-12-08"}),
    "schedule:leave_delete": ("schedule.manage_coverage", {}),
    "schedule:lunch": (
        "schedule.manage_coverage",
        {"day": "2026-12-08", "starts_at": "12:00", "minutes": "30"},
    ),
    "schedule:checklist_record": ("schedule.add_checklistrecord", {"note": "Matrix"}),
    "schedule:miss_acknowledge": (
        "schedule.acknowledge_checklist_miss",
        {"day": "2026-12-04", "note": "Matrix"},
    ),
}


def build(world):
    user = world["user"]
    event = services.event_save(
        actor=user, event=Event(title="Board meeting", kind="meeting", day=date(2026, 12, 15))
    )
    leave = services.leave_add(actor=user, user=user, first_day=date(2026, 12, 9), note="Matrix")
    return {"schedule_event": event, "schedule_leave": leave, "schedule_step": ChecklistStep.objects.first()}


def url(name, world):
    return {
        "schedule:month": "/schedule/?year=2026&month=12&kind=read",
        "schedule:agenda": "/schedule/agenda/?days=30",
        "schedule:event_new": "/schedule/events/new/?day=2026-12-15",
        "schedule:event_edit": f"/schedule/events/{world['schedule_event'].pk}/",
        "schedule:event_delete": f"/schedule/events/{world['schedule_event'].pk}/delete/",
        "schedule:feeds": "/schedule/feeds/",
        "schedule:feed_rotate": "/schedule/feeds/rotate/",
        "schedule:team_feed_rotate": "/schedule/feeds/team/rotate/",
        "schedule:week": "/schedule/coverage/?week=2026-12-07",
        "schedule:assign": "/schedule/coverage/assign/",
        "schedule:workweek": "/schedule/coverage/workweek/",
        "schedule:leave_add": "/schedule/coverage/leave/",
        "schedule:leave_delete": f"/schedule/coverage/leave/{world['schedule_leave'].pk}/delete/",
        "schedule:lunch": "/schedule/coverage/lunch/",
        "schedule:uncovered": "/schedule/coverage/uncovered/",
        "schedule:checklist": "/schedule/checklist/",
        "schedule:checklist_record": "/schedule/checklist/record/",
        "schedule:misses": "/schedule/checklist/misses/",
        "schedule:miss_acknowledge": "/schedule/checklist/misses/acknowledge/",
    }[name]
