"""Cases through the services: numbers a clerk reads out, SLA due dates by the district calendar, escalation
CSS I -> CSS II -> Supervisor with a history row each, the queue of each level, reassigning, and the bill
dispute that holds collection steps on the account until it is resolved."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from cistern.collections import selectors as collections
from cistern.collections.models import Hold
from cistern.core import assignments, clock
from cistern.core.models import AuditEvent
from cistern.customers.models import ContactEntry
from cistern.frontdesk import selectors, services
from cistern.frontdesk.models import CaseEvent, SlaRule

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 11, 24)


def _open(actor, category, **kwargs):
    kwargs.setdefault("description", "Customer says the water pressure drops every evening")
    with clock.on(kwargs.pop("on", TUESDAY)):
        return services.case_open(actor=actor, category=category, **kwargs)


def _kinds(case):
    return list(
        CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", "from_status", "to_status")
    )


def test_a_case_number_is_read_out_and_due_by_the_sla_table(css1, complaint, thanksgiving):
    first = _open(css1, complaint, priority="normal")  # 5 business days, over Thanksgiving and a weekend
    second = _open(css1, complaint, priority="high")  # 2 business days: Wed 25, (Thanksgiving), Fri 27
    assert (first.number, second.number) == ("C-2026-00001", "C-2026-00002")
    assert first.due_on == date(2026, 12, 2)
    assert second.due_on == date(2026, 11, 27)
    assert (first.owner, first.status, first.opened_on) == (css1, "open", TUESDAY)
    assert _kinds(first) == [("created", "", "open")]
    assert AuditEvent.objects.filter(action="frontdesk.case_open", object_id=str(first.pk)).exists()


def test_the_sla_table_is_data(css1, complaint, thanksgiving):
    SlaRule.objects.filter(category=complaint, priority="low").update(business_days=1)
    assert _open(css1, complaint, priority="low").due_on == date(2026, 11, 25)
    SlaRule.objects.filter(category=complaint, priority="low").delete()
    with pytest.raises(services.FrontDeskError, match="SLA table has no row"):
        _open(css1, complaint, priority="low")


def test_escalation_css1_to_css2_to_supervisor_with_a_history_row_each(css1, css2, supervisor, complaint):
    case = _open(css1, complaint)
    with clock.on(TUESDAY):
        with pytest.raises(services.FrontDeskError, match="why"):
            services.case_escalate(actor=css1, case=case, reason="  ")
        case = services.case_escalate(actor=css1, case=case, reason="Customer asks for a lead")
        assert (case.status, case.owner) == ("css2", None)
        assert case in selectors.case_queue(css2)  # waiting for a lead, not yet taken
        assert case not in selectors.case_queue(supervisor)
        # A CSS I cannot send it on to the Supervisor: that is a lead's call.
        with pytest.raises(PermissionDenied):
            services.case_escalate(actor=css1, case=case, reason="Still unhappy")
        case = services.case_take(actor=css2, case=case)
        assert case.owner == css2 and case not in selectors.case_queue(css2, on=TUESDAY)
        case = services.case_escalate(actor=css2, case=case, reason="Wants a credit above my limit")
        assert (case.status, case.owner) == ("supervisor", None)
        assert case in selectors.case_queue(supervisor) and case not in selectors.case_queue(css2)
        with pytest.raises(services.FrontDeskError, match="no level above"):
            services.case_escalate(actor=supervisor, case=case, reason="Again")
        with pytest.raises(services.FrontDeskError, match="Supervisor level"):
            services.case_take(actor=css2, case=case)
        services.case_take(actor=supervisor, case=case)
    assert _kinds(case) == [
        ("created", "", "open"), ("escalated", "open", "css2"), ("assigned", "css2", "css2"),
        ("escalated", "css2", "supervisor"), ("assigned", "supervisor", "supervisor"),
    ]  # fmt: skip
    reasons = list(
        CaseEvent.objects.filter(case=case, kind="escalated").order_by("id").values_list("reason", "actor")
    )
    assert reasons == [("Customer asks for a lead", css1.pk), ("Wants a credit above my limit", css2.pk)]


def test_who_may_escalate(css1, cashier, auditor, complaint):
    case = _open(css1, complaint)
    for outsider in (cashier, auditor):
        with pytest.raises(PermissionDenied):
            services.case_escalate(actor=outsider, case=case, reason="Not theirs")
        with pytest.raises(PermissionDenied):
            _open(outsider, complaint)


def test_the_queue_holds_own_cases_due_or_overdue(css1, complaint, thanksgiving):
    case = _open(css1, complaint, priority="high")  # due Friday 11/27
    assert selectors.case_queue(css1, on=date(2026, 11, 25)) == []
    assert selectors.case_queue(css1, on=date(2026, 11, 27)) == [case]
    with clock.on(date(2026, 11, 30)):
        assert selectors.case_queue_count(css1) == 1


def test_a_lead_reassigns_a_case_through_the_registry(css1, css2, make_user, complaint):
    from cistern.core import roles

    other = make_user(roles.CSS_I, username="css1b")
    case = _open(css1, complaint)
    work = assignments.get("cases")
    assert [item.id for item in work.items_for(css1)] == [case.pk]
    with clock.on(TUESDAY):
        with pytest.raises(PermissionDenied):
            services.case_reassign(actor=css1, case=case, to_user=other, reason="Swap")
        with pytest.raises(services.FrontDeskError, match="why"):
            services.case_reassign(actor=css2, case=case, to_user=other, reason="")
        work.reassign(actor=css2, item_id=case.pk, to_user=other, reason="Rosa is out this week")
    case.refresh_from_db()
    assert case.owner == other and work.items_for(css1) == []
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.kind, event.owner, event.actor, event.reason) == (
        "assigned",
        other,
        css2,
        "Rosa is out this week",
    )


def test_resolve_notify_and_reopen(css1, complaint, account):
    case = _open(css1, complaint, account=account)
    with clock.on(date(2026, 11, 30)):
        with pytest.raises(services.FrontDeskError, match="resolve it first"):
            services.case_notify(actor=css1, case=case, how="phone")
        case = services.case_resolve(actor=css1, case=case, resolution="Pressure regulator replaced")
        assert (case.status, case.resolved_on) == ("resolved", date(2026, 11, 30))
        case = services.case_notify(actor=css1, case=case, how="phone", note="Spoke with Rosa")
        entry = ContactEntry.objects.get(account=account)
        assert entry.channel == "phone" and case.number in entry.subject
        assert "Pressure regulator replaced" in entry.note
        with pytest.raises(services.FrontDeskError, match="why"):
            services.case_reopen(actor=css1, case=case, reason="")
    with clock.on(date(2026, 12, 7)):
        case = services.case_reopen(actor=css1, case=case, reason="Pressure dropped again")
    assert (case.status, case.resolved_on, case.owner) == ("reopened", None, css1)
    assert case.due_on == date(2026, 12, 14)  # 5 business days from Monday 12/07
    assert [k for k, _, _ in _kinds(case)] == ["created", "resolved", "notified", "reopened"]


def test_a_bill_dispute_holds_collections_until_resolved(css1, css2, dispute, account):
    on = date(2026, 12, 1)
    with clock.on(on):
        case = services.case_open(
            actor=css1,
            category=dispute,
            account=account,
            description="Disputes the November bill: meter misread",
        )
    hold = Hold.objects.get(account=account)
    assert (case.hold, hold.kind, hold.starts_on, hold.closed_on) == (hold, "dispute", on, None)
    assert case.number in hold.reason
    held = {c.rule: c.passed for c in collections.decision_for(account, date(2026, 12, 3)).trace}
    assert held["no_hold"] is False
    with clock.on(date(2026, 12, 3)):
        # Closing a dispute resumes collections: a lead's decision.
        with pytest.raises(services.FrontDeskError, match="lead"):
            services.case_resolve(actor=css1, case=case, resolution="Meter re-read: bill stands")
        services.case_resolve(actor=css2, case=case, resolution="Meter re-read: bill stands")
    hold.refresh_from_db()
    assert (hold.closed_on, hold.closed_by) == (date(2026, 12, 3), css2)
    free = {c.rule: c.passed for c in collections.decision_for(account, date(2026, 12, 4)).trace}
    assert free["no_hold"] is True
    # Reopened, the dispute holds collections again under a new hold.
    with clock.on(date(2026, 12, 7)):
        case = services.case_reopen(actor=css1, case=case, reason="Customer brought a photo of the meter")
    assert Hold.objects.filter(account=account, closed_on__isnull=True).get() == case.hold != hold
    again = {c.rule: c.passed for c in collections.decision_for(account, date(2026, 12, 8)).trace}
    assert again["no_hold"] is False


def test_a_bill_dispute_needs_an_account(css1, dispute):
    with pytest.raises(services.FrontDeskError, match="account"):
        _open(css1, dispute)


def test_the_sla_table_is_edited_audited_by_a_supervisor(
    css1, supervisor, complaint, client, django_user_model
):
    rule = SlaRule.objects.get(category=complaint, priority="normal")
    rule.business_days = 4
    with pytest.raises(PermissionDenied):
        services.sla_rule_save(actor=css1, rule=rule, reason="Not mine to change")
    services.sla_rule_save(actor=supervisor, rule=rule, reason="Board memo 2026-31")
    event = AuditEvent.objects.get(action="frontdesk.slarule.change")
    assert event.changes == {"business_days": [5, 4]} and event.reason == "Board memo 2026-31"
    # The admin saves through the same service, with the reason typed there.
    client.force_login(django_user_model.objects.create_superuser("fd_admin", password=None))
    response = client.post(
        f"/admin/frontdesk/slarule/{rule.pk}/change/",
        {"category": complaint.pk, "priority": "normal", "business_days": 6, "reason": "Board memo 2026-32"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.business_days == 6
    assert AuditEvent.objects.filter(action="frontdesk.slarule.change", reason="Board memo 2026-32").exists()
