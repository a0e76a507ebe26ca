"""Calls through the services: the caller's number finds the account as the search box finds phones, a call logged
with the number links its single match, and a call becomes a contact entry, a case or a service order without
retyping; call-backs wait for the person they were routed to (or who took them) until done."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import clock, roles
from cistern.customers.models import ContactEntry
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder
from cistern.frontdesk import selectors, services
from cistern.frontdesk.models import RoutingTarget

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def _log(actor, **kwargs):
    kwargs.setdefault("reason", "Asks about a high bill")
    kwargs.setdefault("outcome", "resolved")
    with clock.on(DAY):
        return services.call_log(actor=actor, **kwargs)


def test_the_number_matches_however_it_is_typed(account, start_account, customer_factory):
    start_account(
        customer=customer_factory(name="Other Person", phone="(760) 555-9999", phone_alt="760-555-0142")
    )
    other = selectors.accounts_for_phone("7605559999")
    assert [a.customer.name for a in other] == ["Other Person"]
    for typed in ("(760) 555-0142", "760.555.0142", "1-760-555-0142", "5550142"):
        names = sorted(a.customer.name for a in selectors.accounts_for_phone(typed))
        assert names == ["Other Person", "Rosa Lane"], typed  # the other's alternate phone is the same number
    assert selectors.accounts_for_phone("555") == []  # too short to say
    assert selectors.accounts_for_phone("760-555-0143") == []


def test_a_call_from_a_known_number_links_the_single_match(css1, account):
    call = _log(css1, caller_name="Rosa", caller_phone="(760) 555-0142")
    assert (call.account, call.phone_digits, call.taken_on, call.taken_by) == (
        account,
        "7605550142",
        DAY,
        css1,
    )
    unknown = _log(css1, caller_phone="(760) 555-7777")
    assert unknown.account is None


def test_a_number_shared_by_two_open_accounts_links_neither(css1, account, start_account, customer_factory):
    start_account(customer=customer_factory(name="Rosa Lane (rental)", phone="760 555 0142"))
    assert _log(css1, caller_phone="760-555-0142").account is None


def test_a_call_needs_a_reason_and_a_transfer_its_destination(css1):
    with pytest.raises(services.FrontDeskError, match="about"):
        _log(css1, reason=" ")
    with pytest.raises(services.FrontDeskError, match="transferred"):
        _log(css1, outcome="transferred")


def test_a_call_becomes_a_contact_entry(css1, account):
    call = _log(
        css1,
        caller_name="Rosa",
        caller_phone="7605550142",
        routed_to=RoutingTarget.objects.get(name="Billing"),
    )
    with clock.on(DAY):
        call = services.call_to_contact(actor=css1, call=call, note="Will pay Friday")
        with pytest.raises(services.FrontDeskError, match="already"):
            services.call_to_contact(actor=css1, call=call)
    entry = ContactEntry.objects.get(account=account)
    assert (entry.channel, entry.subject, entry.created_by) == ("phone", "Asks about a high bill", css1)
    assert "Routed to Billing" in entry.note and "Will pay Friday" in entry.note
    assert call.contact_entry == entry


def test_a_call_with_no_account_cannot_go_to_the_contact_log(css1):
    call = _log(css1, caller_phone="7600000000")
    with pytest.raises(services.FrontDeskError, match="no account"):
        services.call_to_contact(actor=css1, call=call)


def test_a_call_becomes_a_case_prefilled(css1, account, complaint):
    call = _log(css1, caller_name="Rosa", caller_phone="7605550142", reason="Low pressure every evening")
    with clock.on(DAY):
        case = services.case_open(
            actor=css1, category=complaint, description=call.reason, account=call.account,
            contact_name=call.caller_name, contact_phone=call.caller_phone, call=call,
        )  # fmt: skip
        with pytest.raises(services.FrontDeskError, match="already became case"):
            services.case_open(actor=css1, category=complaint, description="again", call=call)
    call.refresh_from_db()
    assert call.case == case and case.account == account and case.contact_name == "Rosa"


def test_a_call_becomes_a_service_order(css1, account, cashier):
    call = _log(css1, caller_phone="7605550142", reason="Water running in the meter box")
    leak = fieldwork.order_type_get("leak_check")
    with clock.on(DAY):
        with pytest.raises(PermissionDenied):
            services.call_to_order(actor=cashier, call=call, order_type=leak, priority="2")
        call = services.call_to_order(
            actor=css1, call=call, order_type=leak, priority="2", notes="Gate code 1234"
        )
    order = ServiceOrder.objects.get(order_type__code="leak_check")
    assert call.order == order
    assert (order.order_type.code, order.premise, order.account, order.requested_on, order.priority) == (
        "leak_check", account.premise, account, DAY, "2",
    )  # fmt: skip
    assert "Water running in the meter box" in order.notes and "Gate code 1234" in order.notes


def test_call_backs_wait_for_the_person_routed_to_until_done(css1, css2, cashier):
    lead_desk = RoutingTarget.objects.create(name="Lead on duty", user=css2)
    billing = RoutingTarget.objects.get(name="Billing")
    to_lead = _log(cashier, outcome="callback", routed_to=lead_desk, caller_phone="7601112222")
    to_department = _log(css1, outcome="callback", routed_to=billing)
    _log(css1, outcome="message", routed_to=lead_desk)
    assert selectors.callbacks_for(css2) == [to_lead]
    assert selectors.callbacks_for(css1) == [to_department]  # a department's call-back stays with its taker
    assert selectors.callbacks_count(cashier) == 0
    with clock.on(DAY):
        services.callback_done(actor=css2, call=to_lead, note="Left a voicemail")
        with pytest.raises(services.FrontDeskError, match="no call-back"):
            services.callback_done(actor=css2, call=to_lead)
    assert selectors.callbacks_count(css2) == 0


def test_an_auditor_logs_no_call(auditor):
    with pytest.raises(PermissionDenied):
        _log(auditor)


def test_roles_of_the_queues(make_user):
    from cistern.core import queues

    for role, expected in [
        (roles.CSS_I, ["cases", "callbacks"]), (roles.CSS_II, ["cases", "callbacks"]),
        (roles.SUPERVISOR, ["cases", "callbacks"]), (roles.CASHIER, ["callbacks"]), (roles.AUDITOR, []),
        (roles.BILLING_ADMIN, []), (roles.FIELD_TECHNICIAN, []),
    ]:  # fmt: skip
        user = make_user(role, username=f"q_{role}".replace(" ", "_"))
        keys = [q.queue.key for q in queues.queues_for(user) if q.queue.key in ("cases", "callbacks")]
        assert keys == expected, role
