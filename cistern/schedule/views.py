from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cistern.core import clock
from cistern.core.selectors import district_calendar, district_settings

from . import coverage, derive, feeds, selectors, services
from .forms import (
    AcknowledgeForm,
    AgendaForm,
    EventForm,
    LeaveForm,
    LunchForm,
    MonthForm,
    RecordForm,
    WeekForm,
    WorkweekForm,
    kind_labels,
)
from .models import ChecklistPart, ChecklistStep, Event, Half, Leave, Position

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _bad(form) -> HttpResponseBadRequest:
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponseBadRequest(f"Not a value the page can use ({problems}).", content_type="text/plain")


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- the calendar -------------------------------------------------------------------------------------------


@permission_required("schedule.view_event", raise_exception=True)
def month(request):
    form = MonthForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    today = clock.today()
    first = date(form.cleaned_data["year"] or today.year, form.cleaned_data["month"] or today.month, 1)
    if form.cleaned_data["year"] and not form.cleaned_data["month"]:
        first = first.replace(month=1)
    kind = form.cleaned_data["kind"]
    grid_start = first - timedelta(days=first.weekday())
    last = _month_add(first, 1) - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())
    calendar = district_calendar()
    events = selectors.calendar_events(grid_start, grid_end, {kind} if kind else None)
    by_day: dict[date, list] = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event)
    weeks, day = [], grid_start
    while day <= grid_end:
        weeks.append([
            {"day": day, "in_month": day.month == first.month, "events": by_day.get(day, []),
             "closed": calendar.holiday_name(day), "today": day == today}
            for day in (day + timedelta(days=n) for n in range(7))
        ])  # fmt: skip
        day += timedelta(days=7)
    prev, nxt = _month_add(first, -1), _month_add(first, 1)
    query = f"&kind={kind}" if kind else ""
    return render(request, "schedule/month.html", {
        "first": first, "weeks": weeks, "weekdays": WEEKDAYS, "form": form, "labels": kind_labels(),
        "prev_url": f"?year={prev.year}&month={prev.month}{query}" if prev.year >= 2000 else "",
        "next_url": f"?year={nxt.year}&month={nxt.month}{query}" if nxt.year <= 2100 else "",
        "count": len([e for e in events if e.day.month == first.month]),
        "can_add": request.user.has_perm("schedule.add_event"),
    })  # fmt: skip


@permission_required("schedule.view_event", raise_exception=True)
def agenda(request):
    form = AgendaForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    days, kind = form.cleaned_data["days"] or 14, form.cleaned_data["kind"]
    today = clock.today()
    end = today + timedelta(days=days - 1)
    events = selectors.calendar_events(today, end, {kind} if kind else None)
    grouped: dict[date, list] = {}
    for event in events:
        grouped.setdefault(event.day, []).append(event)
    calendar = district_calendar()
    return render(request, "schedule/agenda.html", {
        "days": [{"day": d, "events": e, "closed": calendar.holiday_name(d)} for d, e in grouped.items()],
        "start": today, "end": end, "form": form, "labels": kind_labels(), "count": days,
        "can_add": request.user.has_perm("schedule.add_event"),
    })  # fmt: skip


@permission_required("schedule.add_event", raise_exception=True)
def event_new(request):
    initial = {}
    if day := request.GET.get("day", ""):
        try:
            initial["day"] = date.fromisoformat(day)
        except ValueError:
            return HttpResponseBadRequest("day: give a date as YYYY-MM-DD.", content_type="text/plain")
    return _event_form(request, Event(), initial)


@permission_required("schedule.change_event", raise_exception=True)
def event_edit(request, pk):
    return _event_form(request, get_object_or_404(Event, pk=pk), {})


def _event_form(request, event, initial):
    form = EventForm(request.POST or None, instance=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.event_save(actor=request.user, event=form.save(commit=False))
        except services.ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved: {saved.title} on {saved.day:%m/%d/%Y}.")
            return redirect(f"{reverse('schedule:month')}?year={saved.day.year}&month={saved.day.month}")
    return render(request, "schedule/event_form.html", {
        "form": form, "event": event, "can_delete": event.pk and request.user.has_perm("schedule.delete_event"),
    })  # fmt: skip


@require_POST
@permission_required("schedule.delete_event", raise_exception=True)
def event_delete(request, pk):
    event = get_object_or_404(Event, pk=pk)
    services.event_delete(actor=request.user, event=event)
    messages.success(request, f"Deleted: {event.title} on {event.day:%m/%d/%Y}.")
    return redirect(f"{reverse('schedule:month')}?year={event.day.year}&month={event.day.month}")


# --- feeds --------------------------------------------------------------------------------------------------


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("schedule:ical", args=[token]))


@permission_required("schedule.use_feed", raise_exception=True)
def feeds_page(request):
    fresh = request.session.pop("schedule_fresh_feed", None)
    return render(request, "schedule/feeds.html", {
        "mine": selectors.feed_of(request.user), "team": selectors.team_feed(),
        "fresh_url": _feed_url(request, fresh["token"]) if fresh else "", "fresh_team": bool(fresh and fresh["team"]),
        "can_team": request.user.has_perm("schedule.rotate_team_feed"),
    })  # fmt: skip


@require_POST
@permission_required("schedule.use_feed", raise_exception=True)
def feed_rotate(request):
    try:
        token = services.feed_rotate(actor=request.user)
    except services.ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedule:feeds")
    request.session["schedule_fresh_feed"] = {"token": token, "team": False}
    messages.success(request, "Your new feed URL is below; the old one no longer works.")
    return redirect("schedule:feeds")


@require_POST
@permission_required("schedule.rotate_team_feed", raise_exception=True)
def team_feed_rotate(request):
    try:
        token = services.feed_rotate(actor=request.user, team=True)
    except services.ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedule:feeds")
    request.session["schedule_fresh_feed"] = {"token": token, "team": True}
    messages.success(request, "The team's new feed URL is below; the old one no longer works.")
    return redirect("schedule:feeds")


def _user_items(user, start: date, end: date) -> list[feeds.Item]:
    district = district_settings()
    opens, closes = district.office_opens, district.office_closes
    noon = max(opens, min(closes, opens.replace(hour=12, minute=0)))
    items = feeds.from_events(selectors.manual_events(start, end, user=user), kind_labels())
    for a in selectors.assignments_of(user, start, end):
        half = Half(a.half)
        items.append(feeds.Item(
            uid=f"assignment-{a.pk}@{derive.UID_DOMAIN}", summary=f"{Position(a.position).label} ({half.label.lower()})",
            day=a.day, starts=opens if a.half == Half.AM else noon, ends=noon if a.half == Half.AM else closes,
            categories="Coverage",
        ))  # fmt: skip
    for leave in selectors.leaves_of(user, start, end):
        if leave.half:
            items.append(feeds.Item(
                uid=f"leave-{leave.pk}@{derive.UID_DOMAIN}", summary=f"Leave ({Half(leave.half).label.lower()})",
                day=leave.first_day, starts=opens if leave.half == Half.AM else noon,
                ends=noon if leave.half == Half.AM else closes, description=leave.note, categories="Leave",
            ))  # fmt: skip
        else:
            items.append(feeds.Item(
                uid=f"leave-{leave.pk}@{derive.UID_DOMAIN}", summary="Leave", day=leave.first_day,
                last_day=leave.last_day, description=leave.note, categories="Leave",
            ))  # fmt: skip
    return items


@login_not_required
def ical(request, token):
    """A feed, by its secret URL alone (Outlook subscribes without signing in): 404 for a token not in force."""
    feed = selectors.feed_for_token(token)
    if feed is None or (
        feed.user is not None and not (feed.user.is_active and feed.user.has_perm("schedule.use_feed"))
    ):
        raise Http404("No such feed")
    district = district_settings()
    start, end = selectors.feed_window(clock.today())
    if feed.user is None:
        name = f"{district.short_name} team schedule"
        events = selectors.derived_events(start, end) + selectors.manual_events(start, end, team_only=True)
        items = feeds.from_events(derive.sort_events(events), kind_labels())
    else:
        name = f"{district.short_name} schedule: {selectors.display_name(feed.user)}"
        items = _user_items(feed.user, start, end)
    body = feeds.to_ical(name, items, stamp=timezone.now(), zone=district.time_zone)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- coverage -----------------------------------------------------------------------------------------------


@permission_required("schedule.view_assignment", raise_exception=True)
def week(request):
    form = WeekForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    today = clock.today()
    # On a Saturday or Sunday the week to plan is the coming one.
    picked = form.cleaned_data["week"] or (
        today + timedelta(days=7 - today.weekday()) if today.weekday() >= 5 else today
    )
    monday = picked - timedelta(days=picked.weekday())
    friday = monday + timedelta(days=4)
    calendar = district_calendar()
    workweeks, leaves, assignments, lunches = selectors.coverage_facts(monday, friday)
    users = list(selectors.office_users())
    names = {u.pk: selectors.display_name(u) for u in users}
    slot = {(a.day, a.half, a.position): a.user_id for a in assignments}
    gaps = {(g.day, g.half, g.position): g for g in coverage.gaps(
        [monday + timedelta(days=n) for n in range(5)], assignments, workweeks, leaves, calendar)}  # fmt: skip
    staffed = [u for u in users if any(w.user_id == u.pk for w in workweeks)]
    days = []
    for n in range(5):
        day = monday + timedelta(days=n)
        closed = calendar.holiday_name(day)
        rows = []
        for half in Half:
            free = coverage.available([u.pk for u in staffed], day, half.value, workweeks, leaves)
            cells = []
            for position in Position:
                user_id = slot.get((day, half.value, position.value))
                gap = gaps.get((day, half.value, position.value))
                cells.append({
                    "position": position, "user_id": user_id, "name": names.get(user_id, ""),
                    "gap": coverage.REASONS[gap.reason] if gap else "", "choices": [(u, names[u]) for u in free],
                    "field": f"{day.isoformat()}|{half.value}|{position.value}",
                })  # fmt: skip
            rows.append({"half": half, "cells": cells})
        off = []
        for u in staffed:
            am = coverage.why_off(u.pk, day, "am", workweeks, leaves)
            pm = coverage.why_off(u.pk, day, "pm", workweeks, leaves)
            if am or pm:
                part = "" if am and pm else (", morning" if am else ", afternoon")
                off.append(f"{names[u.pk]} ({coverage.OFF_LABELS[am or pm]}{part})")
        day_lunches = [f"{names.get(x.user_id, x.user_id)} {x.starts_at:%H:%M} ({x.minutes} min)"
                       for x in lunches if x.day == day]  # fmt: skip
        days.append({"day": day, "closed": closed, "rows": rows, "off": off, "lunches": day_lunches})
    clashes = [
        f"{c.day:%a %m/%d}: {names.get(c.user_ids[0])} and {names.get(c.user_ids[1])} at lunch together "
        f"{c.starts_at:%H:%M}-{c.ends_at:%H:%M}"
        for c in coverage.lunch_clashes(assignments, lunches)
    ]
    leave_rows = Leave.objects.filter(first_day__lte=friday, last_day__gte=monday).select_related("user")
    can_manage = request.user.has_perm("schedule.manage_coverage")
    return render(request, "schedule/week.html", {
        "monday": monday, "friday": friday, "days": days, "clashes": clashes, "form": form,
        "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7), "can_manage": can_manage,
        "uncovered": len(gaps), "staff": staffed, "names": names, "leaves": leave_rows,
        "workweeks": [
            {"name": names[w.user_id], "pattern": "4/10" if w.pattern == coverage.FOUR_TEN else "5/8",
             "day_off": WEEKDAYS[w.day_off] if w.day_off is not None else "", "since": w.starts_on}
            for w in (coverage.workweek_on(u.pk, monday, workweeks) for u in staffed) if w is not None
        ],
        "workweek_form": WorkweekForm(initial={"starts_on": monday}, auto_id="ww_%s"),
        "leave_form": LeaveForm(auto_id="lv_%s"), "lunch_form": LunchForm(initial={"day": monday, "minutes": 30}, auto_id="ln_%s"),
    })  # fmt: skip


def _week_url(day) -> str:
    return f"{reverse('schedule:week')}?week={day.isoformat()}" if day else reverse("schedule:week")


@require_POST
@permission_required("schedule.manage_coverage", raise_exception=True)
def assign(request):
    form = WeekForm(request.POST)
    monday = form.cleaned_data["week"] if form.is_valid() else None
    users = {str(u.pk): u for u in selectors.office_users()}
    changed, problems = 0, []
    for key, value in request.POST.items():
        if key.count("|") != 2:
            continue
        day_text, half, position = key.split("|")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            problems.append(f"{day_text[:20]}: not a day")
            continue
        if value and value not in users:
            problems.append(f"{day:%m/%d/%Y}: pick someone on the list")
            continue
        current = selectors.coverage_facts(day, day)[2]
        now = next((a.user_id for a in current if a.half == half and a.position == position), None)
        wanted = users[value] if value else None
        if (wanted.pk if wanted else None) == now:
            continue
        try:
            services.assignment_set(actor=request.user, day=day, half=half, position=position, user=wanted)
            changed += 1
        except services.ScheduleError as error:
            problems.append(str(error))
    if problems:
        messages.error(request, "Not saved: " + "; ".join(problems[:10]))
    messages.success(request, f"{changed} slot{'s' if changed != 1 else ''} changed.")
    return redirect(_week_url(monday))


def _coverage_post(request, form_class, act):
    form = form_class(request.POST)
    back = WeekForm({"week": request.POST.get("week", "")})
    monday = back.cleaned_data["week"] if back.is_valid() else None
    if not form.is_valid():
        messages.error(request, "Not saved: " + "; ".join(
            f"{form.fields[k].label or k if k in form.fields else 'form'}: {' '.join(v)}" for k, v in form.errors.items()
        ))  # fmt: skip
        return redirect(_week_url(monday))
    try:
        messages.success(request, act(form.cleaned_data))
    except services.ScheduleError as error:
        messages.error(request, str(error))
    return redirect(_week_url(monday))


@require_POST
@permission_required("schedule.manage_coverage", raise_exception=True)
def workweek_set(request):
    def act(data):
        services.workweek_set(actor=request.user, user=data["user"], pattern=data["pattern"],
                              starts_on=data["starts_on"], day_off=data["day_off"])  # fmt: skip
        return f"Workweek of {selectors.display_name(data['user'])} saved from {data['starts_on']:%m/%d/%Y}."

    return _coverage_post(request, WorkweekForm, act)


@require_POST
@permission_required("schedule.manage_coverage", raise_exception=True)
def leave_add(request):
    def act(data):
        services.leave_add(actor=request.user, user=data["user"], first_day=data["first_day"],
                           last_day=data["last_day"], half=data["half"], note=data["note"])  # fmt: skip
        return f"Leave of {selectors.display_name(data['user'])} saved."

    return _coverage_post(request, LeaveForm, act)


@require_POST
@permission_required("schedule.manage_coverage", raise_exception=True)
def leave_delete(request, pk):
    leave = get_object_or_404(Leave, pk=pk)
    services.leave_delete(actor=request.user, leave=leave)
    messages.success(request, "Leave removed.")
    return redirect(_week_url(leave.first_day))


@require_POST
@permission_required("schedule.manage_coverage", raise_exception=True)
def lunch_set(request):
    def act(data):
        services.lunch_set(actor=request.user, user=data["user"], day=data["day"], starts_at=data["starts_at"],
                           minutes=data["minutes"])  # fmt: skip
        return f"Lunch of {selectors.display_name(data['user'])} on {data['day']:%m/%d/%Y} saved."

    return _coverage_post(request, LunchForm, act)


@permission_required("schedule.manage_coverage", raise_exception=True)
def uncovered(request):
    today = clock.today()
    gaps = selectors.uncovered(today)
    users = get_user_model().objects.in_bulk({g.user_id for g in gaps if g.user_id})
    rows = [{
        "gap": g, "half": Half(g.half).label, "position": Position(g.position).label,
        "reason": coverage.REASONS[g.reason], "who": selectors.display_name(users[g.user_id]) if g.user_id else "",
        "week": g.day - timedelta(days=g.day.weekday()),
    } for g in gaps]  # fmt: skip
    return render(
        request,
        "schedule/uncovered.html",
        {"rows": rows, "today": today, "end": today + timedelta(days=selectors.UNCOVERED_DAYS - 1)},
    )


# --- the office checklist -----------------------------------------------------------------------------------


@permission_required("schedule.view_checklistrecord", raise_exception=True)
def checklist(request):
    today = clock.today()
    done = selectors.records_on(today)
    parts = []
    for part in ChecklistPart:
        parts.append({"part": part, "steps": [
            {"step": s, "record": done.get(s.pk)} for s in selectors.steps() if s.part == part.value
        ]})  # fmt: skip
    return render(request, "schedule/checklist.html", {
        "today": today, "parts": parts, "closed": district_calendar().holiday_name(today) or (
            "the weekend" if today.weekday() >= 5 else ""),
        "can_record": request.user.has_perm("schedule.add_checklistrecord"),
        "can_misses": request.user.has_perm("schedule.view_checklistmiss"),
    })  # fmt: skip


@require_POST
@permission_required("schedule.add_checklistrecord", raise_exception=True)
def checklist_record(request):
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a step of the checklist.")
        return redirect("schedule:checklist")
    try:
        record = services.checklist_record(actor=request.user, step=form.cleaned_data["step"],
                                           note=form.cleaned_data["note"])  # fmt: skip
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{record.step.name}: recorded at {timezone.localtime(record.done_at):%H:%M}."
        )
    return redirect("schedule:checklist")


@permission_required("schedule.view_checklistmiss", raise_exception=True)
def misses(request):
    found = selectors.checklist_misses(clock.today())
    steps = ChecklistStep.objects.in_bulk({m.step.id for m in found})
    return render(request, "schedule/misses.html", {
        "misses": [{"day": m.day, "step": steps[m.step.id]} for m in found],
        "acknowledged": selectors.acknowledged_misses(),
        "can_acknowledge": request.user.has_perm("schedule.acknowledge_checklist_miss"),
    })  # fmt: skip


@require_POST
@permission_required("schedule.acknowledge_checklist_miss", raise_exception=True)
def miss_acknowledge(request):
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what happened (who was told, what was checked).")
        return redirect("schedule:misses")
    data = form.cleaned_data
    try:
        services.miss_acknowledge(actor=request.user, day=data["day"], step=data["step"], note=data["note"])
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Acknowledged: {data['step'].name} on {data['day']:%m/%d/%Y}.")
    return redirect("schedule:misses")
