"""The pages: the technician's phone page, the board and route sheet, programs, follow-ups, the account panel."""

from datetime import date

from django.utils import timezone

from cistern.fieldwork import selectors, services
from cistern.fieldwork.models import ServiceOrder
from cistern.metering import actions
from cistern.metering.models import Route

from . import helpers


def _today_for(order, boss, tech):
    services.order_schedule(actor=boss, order=order, scheduled_on=timezone.localdate(), technician=tech)
    return services.order_dispatch(actor=boss, order=order)


def test_the_technician_page_lists_only_their_orders_and_completes_one(client, turn_on, boss, tech):
    order = _today_for(turn_on, boss, tech)
    client.force_login(tech)
    page = client.get("/field/today/").content.decode()
    assert order.premise.service_address in page and "Turn-on" in page
    detail = client.get(f"/field/today/?order={order.number}").content.decode()
    assert (
        order.account.customer.name in detail and order.account.customer.phone in detail and "M-1" in detail
    )
    response = client.post(
        f"/field/orders/{order.number}/complete/", {"read_value": "125", "field_notes": "On"}
    )
    assert response.status_code == 302 and response["Location"] == "/field/today/"
    order.refresh_from_db()
    assert order.status == "completed" and order.account.status == "active"

    other = helpers.technician("other_tech")
    client.force_login(other)
    assert order.premise.service_address not in client.get("/field/today/").content.decode()
    assert client.get(f"/field/today/?order={order.number}").status_code == 404


def test_a_technician_has_no_account_pages_or_balances(client, turn_on, tech):
    client.force_login(tech)
    assert client.get(f"/accounts/{turn_on.account.number}/").status_code == 403
    assert client.get(f"/field/orders/{turn_on.number}/").status_code == 403
    assert "My orders" in client.get("/").content.decode()


def test_a_refused_completion_explains_itself(client, turn_on, boss, tech):
    order = _today_for(turn_on, boss, tech)
    client.force_login(tech)
    response = client.post(f"/field/orders/{order.number}/complete/", {"read_value": ""}, follow=True)
    assert "needs the meter read" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_the_board_assigns_and_dispatches_with_plain_posts(client, turn_on, boss, tech):
    client.force_login(boss)
    day = "2026-11-02"
    assert turn_on.label in client.get(f"/field/board/?date={day}").content.decode()  # waiting for a day
    client.post(f"/field/orders/{turn_on.number}/schedule/",
                {"scheduled_on": day, "window_start": "08:00", "window_end": "10:00", "technician": tech.pk,
                 "next": f"/field/board/?date={day}"})  # fmt: skip
    client.post(f"/field/orders/{turn_on.number}/dispatch/", {"next": f"/field/board/?date={day}"})
    turn_on.refresh_from_db()
    assert (turn_on.status, turn_on.technician, turn_on.window_start.hour) == ("dispatched", tech, 8)
    board = client.get(f"/field/board/?date={day}").content.decode()
    assert f"/field/board/{tech.pk}/{day}/route.pdf" in board


def test_the_route_sheet_is_a_pdf_in_route_order(client, start_account, premise_factory, boss, tech):
    route = Route.objects.create(code="R1", name="North")
    orders = []
    for sequence in (30, 10, 20):
        premise = premise_factory()
        helpers.meter_at(premise, actor=boss, serial=f"S{sequence}", route=route, sequence=sequence)
        order = ServiceOrder.objects.get(account=start_account(premise=premise))
        services.order_schedule(actor=boss, order=order, scheduled_on=date(2026, 11, 2), technician=tech)
        orders.append(order)
    day = list(selectors.technician_day(tech, date(2026, 11, 2)))
    assert [o.service_point.read_sequence for o in day] == [10, 20, 30]
    client.force_login(boss)
    response = client.get(f"/field/board/{tech.pk}/2026-11-02/route.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_programs_preview_then_create(client, pending, boss):
    from cistern.metering import services as metering

    _, _, meter = pending
    metering.read_record(actor=boss, meter=meter, read_on=date(2026, 10, 15), value="50", source="manual")
    client.force_login(boss)
    preview = client.get("/field/programs/?program=reread").content.decode()
    assert "1 order" in preview and "M-1" in preview
    (candidate,) = selectors.reread_candidates()
    response = client.post("/field/programs/create/", {"program": "reread", "key": candidate.key})
    assert response.status_code == 302
    assert ServiceOrder.objects.filter(order_type__code="reread").count() == 1
    assert "Nothing matches" in client.get("/field/programs/?program=reread").content.decode()


def test_follow_up_queue_page_records_a_contact(client, turn_on, boss, tech, css1):
    ServiceOrder.objects.filter(pk=turn_on.pk).update(follow_up=True)
    order = _today_for(turn_on, boss, tech)
    services.order_complete(actor=tech, order=order, completion=services.Completion(
        on=timezone.localdate(), read_value="120", field_notes="Asked about a leak adjustment"))  # fmt: skip
    client.force_login(css1)
    assert "Asked about a leak adjustment" in client.get("/field/follow-ups/").content.decode()
    client.post(
        f"/field/orders/{order.number}/follow-up/", {"channel": "phone", "subject": "Explained leak form"}
    )
    assert order.account.contacts.get().subject == "Explained leak form"
    assert "No follow-ups waiting" in client.get("/field/follow-ups/").content.decode()


def test_the_account_page_lists_its_orders_and_the_order_page_its_history(client, turn_on, css1):
    client.force_login(css1)
    page = client.get(f"/accounts/{turn_on.account.number}/").content.decode()
    assert 'id="panel-orders"' in page and f"/field/orders/{turn_on.number}/" in page
    order_page = client.get(f"/field/orders/{turn_on.number}/").content.decode()
    assert "History" in order_page and "create" in order_page


def test_the_read_exception_queue_offers_a_re_read(css2, client, pending, boss):
    (action,) = [a for a in actions.actions_for(css2) if a.key == "reread"]
    assert action.url_name == "fieldwork:reread_from_read"


def test_new_connection_page(client, boss):
    client.force_login(boss)
    response = client.post("/field/connections/new/", {
        "applicant_name": "Mesa Builders", "street": "5 Canyon Rd", "city": "Joshua Tree", "zip_code": "92252",
        "meter_size": "1", "capacity_charge": "5100.00", "meter_installation_fee": "700.00"})  # fmt: skip
    assert response.status_code == 302
    page = client.get("/field/connections/").content.decode()
    assert "Mesa Builders" in page and "$5,100.00" in page and "Meter install" in page
