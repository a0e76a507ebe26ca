"""The office checklist: steps recorded today with who and when; a step missed on the previous business day
on the supervisor's queue the next morning until acknowledged with a note."""

from datetime import date

import pytest

from cistern.core import clock, queues
from cistern.core.models import AuditEvent, ClosureDay
from cistern.schedule import checklist, services
from cistern.schedule.models import ChecklistMiss, ChecklistRecord, ChecklistStep

pytestmark = pytest.mark.django_db

THURSDAY, FRIDAY, MONDAY = date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 7)


def queue_count(user) -> int | None:
    return {q.queue.key: q.count for q in queues.queues_for(user)}.get("office_checklist")


def do_all(actor, day, skip=()):
    with clock.on(day):
        for step in ChecklistStep.objects.all():
            if step.code not in skip:
                services.checklist_record(actor=actor, step=step)


def test_the_seeded_steps():
    assert [(s.part, s.name) for s in ChecklistStep.objects.all()] == [
        ("closing", "Drawers locked"), ("closing", "Night deposit made"), ("closing", "Doors locked"),
        ("closing", "Alarm on"), ("opening", "Alarm off"), ("opening", "Doors unlocked"), ("opening", "Drawers out"),
    ]  # fmt: skip


def test_a_missed_step_reaches_the_supervisor_and_is_acknowledged(client, css1, supervisor, lead):
    do_all(css1, THURSDAY)
    do_all(css1, FRIDAY, skip={"night_deposit"})
    with clock.on(FRIDAY):
        assert queue_count(supervisor) == 0  # Friday is not over
    with clock.on(MONDAY):  # the next business day's morning
        assert queue_count(supervisor) == 1
        assert queue_count(lead) is None and queue_count(css1) is None  # the supervisor's queue only
        client.force_login(supervisor)
        page = client.get("/schedule/checklist/misses/").content.decode()
        assert "Fri 12/04/2026" in page and "Closing: Night deposit made" in page
        step = ChecklistStep.objects.get(code="night_deposit")
        refused = client.post(
            "/schedule/checklist/misses/acknowledge/", {"step": step.pk, "day": "2026-12-04", "note": ""}
        )
        assert refused.status_code == 302 and queue_count(supervisor) == 1
        response = client.post(
            "/schedule/checklist/misses/acknowledge/",
            {
                "step": step.pk,
                "day": "2026-12-04",
                "note": "Deposit taken to the bank Monday 8:05 by the lead",
            },
        )
        assert response.status_code == 302
        assert queue_count(supervisor) == 0
    miss = ChecklistMiss.objects.get()
    assert (miss.day, miss.step.code, miss.acknowledged_by) == (FRIDAY, "night_deposit", supervisor)
    assert AuditEvent.objects.filter(
        action="schedule_checklist.acknowledge", reason__startswith="Deposit"
    ).exists()
    with clock.on(MONDAY), pytest.raises(services.ScheduleError, match="not a miss waiting"):
        services.miss_acknowledge(actor=supervisor, day=FRIDAY, step=miss.step, note="again")


def test_a_closed_day_is_not_judged_and_has_no_checklist(css1, supervisor):
    ClosureDay.objects.create(day=FRIDAY, reason="Staff training")
    do_all(css1, THURSDAY)
    with clock.on(FRIDAY), pytest.raises(services.ScheduleError, match="The office is closed"):
        services.checklist_record(actor=css1, step=ChecklistStep.objects.first())
    with clock.on(MONDAY):
        assert queue_count(supervisor) == 0


def test_recording_a_step_twice_names_who_did_it(css1, lead):
    step = ChecklistStep.objects.get(code="alarm_off")
    with clock.on(MONDAY):
        record = services.checklist_record(actor=css1, step=step, note="code 4")
        with pytest.raises(services.ScheduleError, match="already recorded today by css_i"):
            services.checklist_record(actor=lead, step=step)
    assert (record.day, record.done_by, record.note) == (MONDAY, css1, "code 4")


def test_the_page_for_today(client, css1):
    client.force_login(css1)
    step = ChecklistStep.objects.get(code="doors_unlocked")
    with clock.on(MONDAY):
        assert client.post("/schedule/checklist/record/", {"step": step.pk, "note": ""}).status_code == 302
        page = client.get("/schedule/checklist/").content.decode()
    assert "Opening and closing the office: Monday 12/07/2026" in page
    assert '<th scope="row">Doors unlocked</th>\n<td>css_i</td>' in page
    assert "Done: Alarm off" in page and "Done: Doors unlocked" not in page
    assert ChecklistRecord.objects.get().done_by == css1


def test_misses_pure():
    steps = [checklist.Step(1, "Alarm off", "opening"), checklist.Step(2, "Alarm on", "closing")]
    from cistern.core.calendar import BusinessCalendar

    days = checklist.days_to_judge(MONDAY, THURSDAY, BusinessCalendar())
    assert days == [THURSDAY, FRIDAY]
    found = checklist.misses(days, steps, {(THURSDAY, 1), (THURSDAY, 2), (FRIDAY, 1)}, set())
    assert found == [checklist.Miss(FRIDAY, steps[1])]
    assert checklist.misses(days, steps, {(THURSDAY, 1), (THURSDAY, 2), (FRIDAY, 1)}, {(FRIDAY, 2)}) == []
    assert checklist.days_to_judge(MONDAY, None, BusinessCalendar()) == []


def test_no_queue_before_the_checklist_is_used(supervisor):
    with clock.on(MONDAY):
        assert queue_count(supervisor) is None


def test_a_step_retired_in_the_admin_is_no_longer_missed(client, django_user_model, css1, supervisor):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    client.force_login(root)
    step = ChecklistStep.objects.get(code="alarm_on")
    response = client.post(f"/admin/schedule/checkliststep/{step.pk}/change/", {
        "code": "alarm_on", "name": "Alarm on", "part": "closing", "position": 4, "reason": "No alarm any more",
    })  # fmt: skip
    assert response.status_code == 302
    step.refresh_from_db()
    assert not step.active
    assert AuditEvent.objects.filter(action="schedule_step.change", reason="No alarm any more").exists()
    do_all(css1, FRIDAY, skip={"alarm_on"})
    with clock.on(MONDAY):
        assert queue_count(supervisor) == 0
