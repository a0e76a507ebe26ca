from datetime import date

from cistern.collections import services
from cistern.collections.models import LockoffList

DAY = "2026-11-03"

PAGES = {
    "collections:lockoff_lists": "collections.view_lockofflist",
    "collections:lockoff_list": "collections.view_lockofflist",
    "collections:run": "collections.run_collections",
    "collections:shutoff_report": "collections.view_lockofflist",
}
POSTS = {
    # The list is for a day gone by: the confirmation is refused with a message (302 back to the list).
    "collections:lockoff_list_confirm": ("collections.confirm_lockofflist", {"account": "1"}),
    "collections:call_add": (
        "collections.add_phonecontact",
        {"reached": "on", "options_offered": "policy", "note": "Matrix"},
    ),
    "collections:hold_open": (
        "collections.add_hold",
        {"kind": "dispute", "starts_on": "2026-11-03", "reason": "Matrix: disputes the read"},
    ),
    "collections:hold_close": (
        "collections.change_hold",
        {"on": "2026-11-05", "outcome": "Matrix: read right"},
    ),
    # Nothing is past due on the matrix's account: refused with a message (302 back to the account).
    "collections:arrangement_new": (
        "collections.add_arrangement",
        {"installments": "3", "first_due": "2026-12-01", "reason": "Matrix"},
    ),
    "collections:arrangement_cancel": ("collections.change_arrangement", {"reason": "Matrix"}),
    # The matrix's account is not locked off: refused with a message (302 back to the account).
    "collections:reconnect": ("fieldwork.add_serviceorder", {"actual_cost": ""}),
}


def build(world):
    lockoff_list = LockoffList.objects.create(day=date.fromisoformat(DAY))
    hold = services.hold_open(
        actor=world["user"], account=world["account"], kind="dispute", starts_on=date(2026, 11, 3),
        reason="Matrix: the bill",
    )  # fmt: skip
    return {"lockoff_list": lockoff_list, "hold": hold}


def url(name, world):
    n = world["account"].number
    return {
        "collections:lockoff_lists": "/collections/lockoffs/",
        "collections:lockoff_list": f"/collections/lockoffs/{DAY}/",
        "collections:lockoff_list_confirm": f"/collections/lockoffs/{DAY}/confirm/",
        "collections:run": "/collections/run/",
        "collections:shutoff_report": "/collections/shutoffs/?year=2026",
        "collections:call_add": f"/collections/accounts/{n}/calls/",
        "collections:hold_open": f"/collections/accounts/{n}/holds/",
        "collections:hold_close": f"/collections/accounts/{n}/holds/{world['hold'].pk}/close/",
        "collections:arrangement_new": f"/collections/accounts/{n}/arrangements/",
        "collections:reconnect": f"/collections/accounts/{n}/reconnect/",
        "collections:arrangement_cancel": f"/collections/accounts/{n}/arrangements/999999/cancel/",
    }[name]
