"""The home page's queues refresh in place (a fragment, 204 when nothing moved), and the lead's team page: each
member's queues and owned work, and handing an item to someone else through the kind's own service."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core import assignments, queues, roles
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder, ServiceOrderEvent
from cistern.ledger.services import adjustment_request

pytestmark = pytest.mark.django_db


def _counts(page: str) -> dict[str, int]:
    found = re.findall(r'data-queue="(\w+)"><a href="[^"]+"><span class="count">(\d+)</span>', page)
    return {key: int(count) for key, count in found}


def _member(page: str, username: str) -> str:
    """The team page's section of one member."""
    match = re.search(rf'<section [^>]*data-member="{username}">(.*?)</section>', page, re.S)
    assert match, username
    return match.group(1)


def _member_counts(section: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-queue="(\w+)"><th scope="row">[^<]+</th><td class="num">(\d+)</td>', section)
    return {key: int(count) for key, count in rows}


def _idle(section: str) -> list[str]:
    found = re.search(r'data-idle="([\w ]*)"', section)
    return found.group(1).split() if found else []


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="lead")


def _ask_adjustment(actor, account, amount="180.00"):
    return adjustment_request(
        actor=actor, account=account, reason_code="leak_adjustment", amount=D(amount), memo="Leak repaired"
    )


def test_home_page_asks_for_fresh_counts_in_a_polite_live_region(client, lead):
    client.force_login(lead)
    page = client.get("/").content.decode()
    assert 'hx-get="/home/queues/"' in page
    assert 'hx-trigger="every 60s, focus from:window"' in page
    assert re.search(r'<ul class="queues" id="work-queues" aria-live="polite"', page)
    seen = re.search(r'id="queues-seen" name="seen" value="(\w+)"', page).group(1)
    assert seen == queues.fingerprint(queues.queues_for(lead))
    assert 'href="/team/"' in page


def test_the_fragment_counts_and_answers_204_when_nothing_moved(client, lead, css1, start_account):
    account = start_account()
    with_one = None
    from cistern.core import clock

    with clock.on(date(2026, 11, 3)):
        _ask_adjustment(css1, account)
        client.force_login(lead)
        response = client.get("/home/queues/")
        assert response.status_code == 200
        fragment = response.content.decode()
        assert _counts(fragment)["adjustments"] == 1
        with_one = re.search(
            r'id="queues-seen" name="seen" value="(\w+)" hx-swap-oob="true"', fragment
        ).group(1)
        assert client.get("/home/queues/", {"seen": with_one}).status_code == 204
        _ask_adjustment(css1, account, "90.00")
        moved = client.get("/home/queues/", {"seen": with_one})
    assert moved.status_code == 200
    assert _counts(moved.content.decode())["adjustments"] == 2
    # A value that is not a fingerprint is only "not the same": the list comes back.
    assert client.get("/home/queues/", {"seen": "x" * 3000}).status_code == 200


def test_team_page_lists_each_active_member_with_their_counts(client, lead, css1, make_user, start_account):
    from cistern.core import clock

    tech = make_user(roles.FIELD_TECHNICIAN, username="tech1")
    gone = make_user(roles.CSS_I, username="gone")
    gone.is_active = False
    gone.save()
    make_user(roles.INTEGRATION, username="ami")
    account = start_account()
    with clock.on(date(2026, 11, 3)):
        _ask_adjustment(css1, account)
        client.force_login(lead)
        page = client.get("/team/").content.decode()
    assert re.findall(r'data-member="(\w+)"', page) == [
        "css_i",
        "lead",
        "tech1",
    ]  # by name; no machine, no leaver
    lead_section = _member(page, "lead")
    assert _member_counts(lead_section)["adjustments"] == 1
    assert "bill_runs" in _idle(lead_section) and "bill_runs" not in _member_counts(
        lead_section
    )  # nothing waits
    clerk_section = _member(page, "css_i")
    assert "adjustments" not in list(_member_counts(clerk_section)) + _idle(
        clerk_section
    )  # a clerk approves none
    tech_section = _member(page, "tech1")
    assert (_member_counts(tech_section), _idle(tech_section)) == ({}, ["my_orders"])
    assert "Nothing waiting in: My orders today." in tech_section
    assert tech.pk


class NotNow(Exception):
    pass


@pytest.fixture
def test_kind():
    """A kind of owned work registered for the test (and taken away after it): what each user owns is a dict, and
    every reassign call is recorded."""
    owned: dict[int, list[int]] = {}
    calls: list[dict] = []

    def items_for(user):
        return [
            assignments.AssignedItem(
                id=i, label=f"Test item {i}", url=f"/items/{i}/", due_on=date(2026, 11, 20)
            )
            for i in owned.get(user.pk, [])
        ]

    def reassign(*, actor, item_id, to_user, reason):
        if reason == "refuse":
            raise NotNow("That item is closed: nothing to hand on.")
        if reason == "forbid":
            raise PermissionDenied
        calls.append({"actor": actor, "item_id": item_id, "to_user": to_user, "reason": reason})
        for items in owned.values():
            if item_id in items:
                items.remove(item_id)
        owned.setdefault(to_user.pk, []).append(item_id)

    kind = assignments.AssignableWork(
        key="test_work", title="Test work", permission="ledger.approve_adjustment", items_for=items_for,
        reassign=reassign, errors=(NotNow,),
    )  # fmt: skip
    assignments.register(kind)
    yield owned, calls
    assignments.unregister("test_work")


def test_reassign_calls_through_to_the_kind(client, lead, css1, make_user, test_kind):
    owned, calls = test_kind
    css1_b = make_user(roles.CSS_I, username="clerk_b")
    owned[css1.pk] = [7]
    client.force_login(lead)
    page = client.get("/team/").content.decode()
    section = _member(page, "css_i")
    assert 'data-kind="test_work"' in section and "Test item 7" in section and "11/20/2026" in section
    assert '<label for="to-test_work-7">Hand to</label>' in section
    response = client.post(
        "/team/reassign/", {"kind": "test_work", "item_id": "7", "to_user": css1_b.pk, "reason": "Out sick"}
    )
    assert response.status_code == 302 and response["Location"] == "/team/"
    assert calls == [{"actor": lead, "item_id": 7, "to_user": css1_b, "reason": "Out sick"}]
    page = client.get("/team/").content.decode()
    assert "Test work: handed to clerk_b." in page
    assert "Test item 7" in _member(page, "clerk_b") and "Test item 7" not in _member(page, "css_i")


def test_reassign_refusals(client, lead, css1, make_user, test_kind):
    owned, calls = test_kind
    owned[css1.pk] = [7]
    client.force_login(lead)
    base = {"kind": "test_work", "item_id": "7", "to_user": lead.pk}
    # The app's error: a message, back to the page.
    response = client.post("/team/reassign/", {**base, "reason": "refuse"}, follow=True)
    assert "Test work: That item is closed: nothing to hand on." in response.content.decode()
    # The app's PermissionDenied: 403.
    assert client.post("/team/reassign/", {**base, "reason": "forbid"}).status_code == 403
    # Bad values: 400 naming the field, nothing called.
    bad = client.post("/team/reassign/", {**base, "item_id": str(10**30), "reason": "x"})
    assert bad.status_code == 400 and "Item id" in bad.content.decode()
    bad = client.post("/team/reassign/", {**base, "reason": ""})
    assert bad.status_code == 400 and "Reason: This field is required." in bad.content.decode()
    bad = client.post("/team/reassign/", {**base, "to_user": "999999", "reason": "x"})
    assert bad.status_code == 400 and "Hand to:" in bad.content.decode()
    # A kind no longer registered (a stale page): a message.
    response = client.post("/team/reassign/", {**base, "kind": "gone", "reason": "x"}, follow=True)
    assert "not handed on from this page" in response.content.decode()
    assert calls == []


def test_who_sees_the_team_page_and_who_hands_on(client, make_user, css1, test_kind):
    owned, calls = test_kind
    owned[css1.pk] = [7]
    for role, status in [(roles.CSS_I, 403), (roles.CASHIER, 403), (roles.AUDITOR, 403), (roles.BILLING_ADMIN, 403),
                         (roles.CSS_II, 200), (roles.SUPERVISOR, 200)]:  # fmt: skip
        client.force_login(make_user(role, username=f"see_{role}".replace(" ", "_")))
        assert client.get("/team/").status_code == status, role
    # A supervisor without the kind's permission sees the item but may not hand it on.
    assignments.register(
        assignments.AssignableWork(
            key="test_work",
            title="Test work",
            permission="payments.export_refunds",
            items_for=assignments.get("test_work").items_for,
            reassign=assignments.get("test_work").reassign,
        )  # fmt: skip
    )
    lead = make_user(roles.CSS_II, username="lead_two")
    client.force_login(lead)
    page = client.get("/team/").content.decode()
    assert "Test item 7" in page and "Not yours to hand on." in page
    data = {"kind": "test_work", "item_id": "7", "to_user": lead.pk, "reason": "x"}
    assert client.post("/team/reassign/", data).status_code == 403
    client.force_login(css1)
    assert client.post("/team/reassign/", data).status_code == 403
    assert calls == []


@pytest.fixture
def orders_kind():
    from cistern.fieldwork import assignments as field_assignments

    field_assignments.register_all()
    yield
    assignments.unregister("service_orders")


def test_a_technicians_orders_are_handed_to_another_technician(client, make_user, start_account, orders_kind):
    supervisor = make_user(roles.SUPERVISOR, username="boss")
    tech_a = make_user(roles.FIELD_TECHNICIAN, username="tech_a")
    tech_b = make_user(roles.FIELD_TECHNICIAN, username="tech_b")
    account = start_account()
    order = ServiceOrder.objects.get(account=account, order_type__code="turn_on")
    fieldwork.order_schedule(actor=supervisor, order=order, scheduled_on=date(2026, 11, 4), technician=tech_a)
    fieldwork.order_dispatch(actor=supervisor, order=order)
    client.force_login(supervisor)
    page = client.get("/team/").content.decode()
    section = _member(page, "tech_a")
    assert f"{order.label} " in section and "11/04/2026" in section
    choices = re.search(
        rf'<select name="to_user" id="to-service_orders-{order.pk}"[^>]*>(.*?)</select>', section, re.S
    )
    assert re.findall(r'<option value="(\d+)">', choices.group(1)) == [str(tech_b.pk)]  # technicians only
    response = client.post(
        "/team/reassign/",
        {"kind": "service_orders", "item_id": order.pk, "to_user": tech_b.pk, "reason": "Tech A out sick"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.technician, order.status, order.scheduled_on) == (tech_b, "dispatched", date(2026, 11, 4))
    notes = list(ServiceOrderEvent.objects.filter(order=order).values_list("action", "note").order_by("id"))
    assert notes[-2:] == [
        ("schedule", "11/04/2026 for tech_b. Handed on: Tech A out sick"),
        ("dispatch", "To tech_b"),
    ]
    # A clerk is not a technician: not a choice, so a 400 naming the field.
    clerk = make_user(roles.CSS_I, username="clerk_x")
    bad = client.post(
        "/team/reassign/", {"kind": "service_orders", "item_id": order.pk, "to_user": clerk.pk, "reason": "x"}
    )
    assert bad.status_code == 400
    # Handing it to whom it already is: the field work's message.
    response = client.post(
        "/team/reassign/",
        {"kind": "service_orders", "item_id": order.pk, "to_user": tech_b.pk, "reason": "again"},
        follow=True,
    )
    assert f"Field orders: {order.label} is already tech_b&#x27;s." in response.content.decode()
