from datetime import date

from cistern.fieldwork import services
from cistern.fieldwork.models import ServiceOrder
from cistern.metering import services as metering
from tests.fieldwork import helpers

PAGES = {
    "fieldwork:order_list": "fieldwork.view_serviceorder",
    "fieldwork:order_detail": "fieldwork.view_serviceorder",
    "fieldwork:order_photo": "fieldwork.view_serviceorder",
    "fieldwork:order_new": "fieldwork.add_serviceorder",
    "fieldwork:board": "fieldwork.dispatch_serviceorder",
    "fieldwork:route_sheet": "fieldwork.dispatch_serviceorder",
    "fieldwork:tech_today": "fieldwork.complete_serviceorder",
    "fieldwork:follow_ups": "fieldwork.change_serviceorder",
    "fieldwork:programs": "fieldwork.run_order_program",
    "fieldwork:connections": "fieldwork.view_connectionapplication",
}
POSTS = {
    "fieldwork:order_schedule": ("fieldwork.change_serviceorder", {"scheduled_on": "2026-11-02"}),
    "fieldwork:order_dispatch": ("fieldwork.dispatch_serviceorder", {}),
    "fieldwork:order_complete": ("fieldwork.complete_serviceorder", {"read_value": "120"}),
    "fieldwork:order_close": ("fieldwork.change_serviceorder", {}),
    "fieldwork:order_follow_up": (
        "fieldwork.change_serviceorder",
        {"channel": "phone", "subject": "Called back"},
    ),
    "fieldwork:order_void": ("fieldwork.void_serviceorder", {"reason": "Matrix"}),
    "fieldwork:reread_from_read": ("fieldwork.add_serviceorder", {}),
    "fieldwork:programs_create": ("fieldwork.run_order_program", {"program": "reread", "key": "none"}),
    "fieldwork:connection_add": (
        "fieldwork.add_connectionapplication",
        {
            "applicant_name": "Desert Homes LLC",
            "street": "1 Matrix Way",
            "city": "Joshua Tree",
            "zip_code": "92252",
            "meter_size": "3/4",
            "capacity_charge": "4200.00",
            "meter_installation_fee": "650.00",
        },
    ),  # fmt: skip
}


def build(world):
    account = world["account"]
    boss, tech = helpers.supervisor("matrix_fw_boss"), helpers.technician("matrix_fw_tech")
    point, meter = helpers.meter_at(account.premise, actor=boss, serial="MX-1")
    # A read below the install read: an exception for the re-read action.
    read = metering.read_record(
        actor=boss, meter=meter, read_on=date(2026, 10, 15), value="50", source="manual"
    )
    turn_on = ServiceOrder.objects.get(account=account)
    leak = services.order_create(
        actor=boss, order_type=services.order_type_get("leak_check"), premise=account.premise, account=account,
        requested_on=date(2026, 11, 3), follow_up=True,
    )  # fmt: skip
    services.order_schedule(actor=boss, order=leak, scheduled_on=date(2026, 11, 3), technician=tech)
    services.order_complete(
        actor=boss, order=leak,
        completion=services.Completion(on=date(2026, 11, 3), field_notes="Toilet flapper", photo=helpers.png()),
    )  # fmt: skip
    return {"order": turn_on, "photo_order": leak, "read": read, "technician": tech}


def url(name, world):
    n = world["order"].number
    return {
        "fieldwork:order_list": "/field/orders/",
        "fieldwork:order_detail": f"/field/orders/{n}/",
        "fieldwork:order_photo": f"/field/orders/{world['photo_order'].number}/photo/",
        "fieldwork:order_new": f"/field/orders/new/?account={world['account'].number}",
        "fieldwork:board": "/field/board/?date=2026-11-03",
        "fieldwork:route_sheet": f"/field/board/{world['technician'].pk}/2026-11-03/route.pdf",
        "fieldwork:tech_today": "/field/today/",
        "fieldwork:follow_ups": "/field/follow-ups/",
        "fieldwork:programs": "/field/programs/?program=reread",
        "fieldwork:connections": "/field/connections/",
        "fieldwork:order_schedule": f"/field/orders/{n}/schedule/",
        "fieldwork:order_dispatch": f"/field/orders/{n}/dispatch/",
        "fieldwork:order_complete": f"/field/orders/{n}/complete/",
        "fieldwork:order_close": f"/field/orders/{n}/close/",
        "fieldwork:order_follow_up": f"/field/orders/{world['photo_order'].number}/follow-up/",
        "fieldwork:order_void": f"/field/orders/{n}/void/",
        "fieldwork:reread_from_read": f"/field/reads/{world['read'].pk}/reread/",
        "fieldwork:programs_create": "/field/programs/create/",
        "fieldwork:connection_add": "/field/connections/new/",
    }[name]
