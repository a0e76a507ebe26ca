"""Writes of the schedule: manual events, feed tokens, workweeks, leave, lunches, coverage assignments, the
office checklist's steps and a supervisor's acknowledgement of a missed step. One transaction each, audited."""

import secrets
from datetime import date, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.permissions import require
from cistern.core.selectors import district_calendar
from cistern.core.services import record_delete, record_save

from . import selectors
from .models import (
    Assignment,
    ChecklistMiss,
    ChecklistRecord,
    ChecklistStep,
    Event,
    FeedToken,
    Half,
    Leave,
    Lunch,
    Position,
    Workweek,
)


class ScheduleError(ValueError):
    """A schedule change refused, with what the clerk can do about it."""


EVENT_FIELDS = ["title", "kind", "day", "at", "user", "note"]


def _check_day(day: date) -> None:
    if not (date(2000, 1, 1) <= day <= date(2100, 12, 31)):
        raise ScheduleError(f"{day:%m/%d/%Y} is not a day the schedule keeps (2000 to 2100).")


def event_save(*, actor, event: Event, reason: str = "") -> Event:
    """A manual event, new or changed."""
    require(actor, "schedule.add_event" if event._state.adding else "schedule.change_event")
    if not (event.title or "").strip():
        raise ScheduleError("Give the event a title.")
    _check_day(event.day)
    event.title = event.title.strip()
    if event._state.adding and event.created_by_id is None:
        event.created_by = actor
    return record_save(actor=actor, obj=event, fields=EVENT_FIELDS, action="schedule_event", reason=reason)


def event_delete(*, actor, event: Event, reason: str = "") -> None:
    require(actor, "schedule.delete_event")
    record_delete(actor=actor, obj=event, fields=EVENT_FIELDS, action="schedule_event", reason=reason)


# --- feeds --------------------------------------------------------------------------------------------------


def feed_rotate(*, actor, team: bool = False) -> str:
    """Make a new feed URL token for `actor` (or the team's) and end the old one; the token is returned once
    (only its SHA-256 is kept)."""
    require(actor, "schedule.rotate_team_feed" if team else "schedule.use_feed")
    token = secrets.token_urlsafe(32)
    owner = None if team else actor
    with transaction.atomic():
        old = FeedToken.objects.select_for_update().filter(
            **({"user": owner} if owner else {"user__isnull": True})
        )
        ended = [f.prefix for f in old]
        old.delete()
        try:
            with transaction.atomic():
                feed = FeedToken.objects.create(
                    user=owner, token_hash=FeedToken.hash_token(token), prefix=token[:8], created_by=actor
                )
        except IntegrityError:
            raise ScheduleError("The feed was given a new URL meanwhile; ask again for yours.") from None
        audit_record(
            actor=actor, action="schedule_feed.rotate", obj=feed,
            before={"prefix": ended[0]} if ended else {}, after={"prefix": feed.prefix, "team": team},
        )  # fmt: skip
    return token


# --- coverage -----------------------------------------------------------------------------------------------


def workweek_set(*, actor, user, pattern: str, starts_on: date, day_off: int | None = None) -> Workweek:
    """`user`'s workweek from `starts_on` on (a 4/10 week names its weekday off)."""
    require(actor, "schedule.manage_coverage")
    _check_day(starts_on)
    if pattern == "4x10" and day_off not in (0, 1, 2, 3, 4):
        raise ScheduleError("A 4/10 week needs its day off (Monday to Friday).")
    if pattern == "5x8":
        day_off = None
    with transaction.atomic():
        week, created = Workweek.objects.select_for_update().get_or_create(
            user=user, starts_on=starts_on,
            defaults={"pattern": pattern, "day_off": day_off, "created_by": actor},
        )  # fmt: skip
        before = {} if created else {"pattern": week.pattern, "day_off": week.day_off}
        week.pattern, week.day_off = pattern, day_off
        week.full_clean()
        week.save()
        audit_record(
            actor=actor, action="schedule_workweek.set", obj=week, before=before,
            after={"user": user.pk, "pattern": pattern, "day_off": day_off, "starts_on": starts_on.isoformat()},
        )  # fmt: skip
    return week


def leave_add(
    *, actor, user, first_day: date, last_day: date | None = None, half: str = "", note: str = ""
) -> Leave:
    require(actor, "schedule.manage_coverage")
    last_day = last_day or first_day
    _check_day(first_day)
    _check_day(last_day)
    if last_day < first_day:
        raise ScheduleError("Leave ends on or after the day it starts.")
    if half and last_day != first_day:
        raise ScheduleError("A half day of leave is one day: give the same first and last day.")
    if half not in ("", Half.AM, Half.PM):
        raise ScheduleError("Pick morning, afternoon or whole days.")
    with transaction.atomic():
        leave = Leave.objects.create(
            user=user,
            first_day=first_day,
            last_day=last_day,
            half=half,
            note=note.strip()[:200],
            created_by=actor,
        )
        audit_record(
            actor=actor, action="schedule_leave.add", obj=leave,
            after={"user": user.pk, "first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                   "half": half},
        )  # fmt: skip
    return leave


def leave_delete(*, actor, leave: Leave, reason: str = "") -> None:
    require(actor, "schedule.manage_coverage")
    record_delete(
        actor=actor, obj=leave, fields=["user", "first_day", "last_day", "half", "note"], action="schedule_leave",
        reason=reason,
    )  # fmt: skip


def lunch_set(*, actor, user, day: date, starts_at: time, minutes: int = 30) -> Lunch:
    require(actor, "schedule.manage_coverage")
    _check_day(day)
    if not 15 <= minutes <= 90:
        raise ScheduleError("A lunch is 15 to 90 minutes.")
    with transaction.atomic():
        lunch, created = Lunch.objects.select_for_update().get_or_create(
            user=user, day=day, defaults={"starts_at": starts_at, "minutes": minutes}
        )
        before = {} if created else {"starts_at": lunch.starts_at.isoformat(), "minutes": lunch.minutes}
        lunch.starts_at, lunch.minutes = starts_at, minutes
        lunch.save()
        audit_record(
            actor=actor, action="schedule_lunch.set", obj=lunch, before=before,
            after={"starts_at": starts_at.isoformat(), "minutes": minutes},
        )  # fmt: skip
    return lunch


def assignment_set(*, actor, day: date, half: str, position: str, user=None) -> Assignment | None:
    """Put `user` on `position` for `day`'s `half` (None: nobody). Assigning someone not working then is
    refused with why."""
    require(actor, "schedule.manage_coverage")
    _check_day(day)
    if half not in Half.values or position not in Position.values:
        raise ScheduleError("Pick a half-day and a position.")
    calendar = district_calendar()
    if not calendar.is_business_day(day):
        raise ScheduleError(f"The office is closed on {day:%A %m/%d/%Y}: nothing to cover.")
    if user is not None:
        workweeks, leaves, _, _ = selectors.coverage_facts(day, day)
        from . import coverage

        why = coverage.why_off(user.pk, day, half, workweeks, leaves)
        if why is not None:
            name = selectors.display_name(user)
            raise ScheduleError(
                f"{name} is not working then ({coverage.REASONS[why].replace('assigned ', '')})."
            )
    label = f"{Position(position).label} {day:%m/%d/%Y} {Half(half).label.lower()}"
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(day=day, half=half, position=position).first()
        before = {"user": current.user_id} if current else {}
        if user is None:
            if current is not None:
                audit_record(actor=actor, action="schedule_assignment.clear", obj=current, before=before,
                             reason=label)  # fmt: skip
                current.delete()
            return None
        if current is None:
            current = Assignment(day=day, half=half, position=position, user=user, created_by=actor)
        current.user = user
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise ScheduleError(f"Someone assigned {label} meanwhile; look again.") from None
        audit_record(
            actor=actor, action="schedule_assignment.set", obj=current, before=before, after={"user": user.pk},
            reason=label,
        )  # fmt: skip
    return current


# --- the office checklist -----------------------------------------------------------------------------------


STEP_FIELDS = ["code", "name", "part", "position", "active"]


def step_save(*, actor, step: ChecklistStep, reason: str = "") -> ChecklistStep:
    """A step of the checklist, new or changed (retired by making it inactive)."""
    require(actor, "schedule.add_checkliststep" if step._state.adding else "schedule.change_checkliststep")
    return record_save(actor=actor, obj=step, fields=STEP_FIELDS, action="schedule_step", reason=reason)


def checklist_record(*, actor, step: ChecklistStep, note: str = "") -> ChecklistRecord:
    """Record `step` done today, by `actor`, now."""
    require(actor, "schedule.add_checklistrecord")
    today = clock.today()
    if not district_calendar().is_business_day(today):
        raise ScheduleError(f"The office is closed on {today:%A %m/%d/%Y}: no checklist today.")
    if not step.active:
        raise ScheduleError(f"{step.name} is no longer a step of the checklist.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ChecklistRecord.objects.create(
                    day=today, step=step, done_by=actor, done_at=timezone.now(), note=note.strip()[:200]
                )
        except IntegrityError:
            done = ChecklistRecord.objects.select_related("done_by").get(day=today, step=step)
            raise ScheduleError(
                f"{step.name} is already recorded today by {selectors.display_name(done.done_by)}."
            ) from None
        audit_record(
            actor=actor, action="schedule_checklist.record", obj=record,
            after={"day": today.isoformat(), "step": step.code}, reason=note,
        )  # fmt: skip
    return record


def miss_acknowledge(*, actor, day: date, step: ChecklistStep, note: str) -> ChecklistMiss:
    """A supervisor acknowledges a step missed on `day`, saying what happened; it leaves the queue."""
    require(actor, "schedule.acknowledge_checklist_miss")
    if not note.strip():
        raise ScheduleError("Say what happened (who was told, what was checked).")
    missed = {(m.day, m.step.id) for m in selectors.checklist_misses(clock.today())}
    if (day, step.pk) not in missed:
        raise ScheduleError(
            f"{step.name} on {day:%m/%d/%Y} is not a miss waiting for you (done or acknowledged)."
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                miss = ChecklistMiss.objects.create(
                    day=day, step=step, note=note.strip()[:300], acknowledged_by=actor,
                    acknowledged_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError:
            raise ScheduleError(f"{step.name} on {day:%m/%d/%Y} is already acknowledged.") from None
        audit_record(
            actor=actor, action="schedule_checklist.acknowledge", obj=miss, reason=note,
            after={"day": day.isoformat(), "step": step.code},
        )  # fmt: skip
    return miss
