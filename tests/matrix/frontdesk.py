from datetime import time

from cistern.fieldwork import services as fieldwork
from cistern.frontdesk import services
from cistern.frontdesk.models import CaseCategory, RoutingTarget

PAGES = {
    "frontdesk:desk": "frontdesk.view_call",
    "frontdesk:call_list": "frontdesk.view_call",
    "frontdesk:call_match": "frontdesk.view_call",
    "frontdesk:callbacks": "frontdesk.change_call",
    "frontdesk:call": "frontdesk.view_call",
    "frontdesk:case_list": "frontdesk.view_case",
    "frontdesk:case_queue": "frontdesk.change_case",
    "frontdesk:case_new": "frontdesk.add_case",
    "frontdesk:case": "frontdesk.view_case",
    "frontdesk:visitors": "frontdesk.view_visit",
    "frontdesk:visitor_log": "frontdesk.view_visit",
    "frontdesk:radio": "frontdesk.view_radioentry",
}
POSTS = {
    "frontdesk:call_log": (
        "frontdesk.add_call",
        {
            "caller_phone": "(760) 366-1234",
            "caller_name": "Maria",
            "reason": "Matrix: a high bill",
            "outcome": "resolved",
        },
    ),
    "frontdesk:call_contact": ("frontdesk.change_call", {"note": "Matrix"}),
    "frontdesk:call_order": (
        "fieldwork.add_serviceorder",
        {"order_type": "", "priority": "3", "notes": "Matrix"},
    ),
    "frontdesk:callback_done": ("frontdesk.change_call", {"note": "Matrix: called back"}),
    "frontdesk:case_escalate": ("frontdesk.escalate_case", {"reason": "Matrix: wants a lead"}),
    "frontdesk:case_take": ("frontdesk.change_case", {}),
    "frontdesk:case_reassign": ("frontdesk.reassign_case", {"to_user": "", "reason": "Matrix: hand on"}),
    "frontdesk:case_resolve": ("frontdesk.change_case", {"resolution": "Matrix: explained"}),
    "frontdesk:case_notify": ("frontdesk.change_case", {"how": "phone", "note": "Matrix"}),
    "frontdesk:case_reopen": ("frontdesk.change_case", {"reason": "Matrix: called again"}),
    "frontdesk:visitor_sign_in": (
        "frontdesk.add_visit",
        {
            "name": "Matrix Visitor",
            "organisation": "",
            "purpose": "Meeting",
            "host": "Engineering",
            "badge": "M2",
        },
    ),
    "frontdesk:visitor_sign_out": ("frontdesk.change_visit", {}),
    "frontdesk:radio_add": (
        "frontdesk.add_radioentry",
        {"heard_at": "09:15", "unit": "U7", "message": "Matrix: on site"},
    ),
}


def build(world):
    user, account = world["user"], world["account"]
    leak = fieldwork.order_type_get("leak_check")
    POSTS["frontdesk:call_order"][1]["order_type"] = str(leak.pk)
    POSTS["frontdesk:case_reassign"][1]["to_user"] = str(user.pk)
    call = services.call_log(
        actor=user, reason="Matrix: asks for a call back", outcome="callback", caller_phone="(760) 366-1234",
        routed_to=RoutingTarget.objects.get(name="Billing"),
    )  # fmt: skip
    case = services.case_open(
        actor=user, category=CaseCategory.objects.get(code="service_complaint"), account=account,
        description="Matrix: low pressure",
    )  # fmt: skip
    visit = services.visitor_sign_in(
        actor=user, name="Matrix Guest", purpose="Permit", host="Engineering", badge="M1"
    )
    services.radio_log(actor=user, unit="U1", message="Matrix: at the yard", heard_at=time(8, 0))
    return {"frontdesk_call": call, "frontdesk_case": case, "frontdesk_visit": visit}


def url(name, world):
    call, case, visit = world["frontdesk_call"].pk, world["frontdesk_case"].pk, world["frontdesk_visit"].pk
    return {
        "frontdesk:desk": "/frontdesk/",
        "frontdesk:call_list": "/frontdesk/calls/?date=2026-11-02",
        "frontdesk:call_log": "/frontdesk/calls/log/",
        "frontdesk:call_match": "/frontdesk/calls/match/?caller_phone=7603661234",
        "frontdesk:callbacks": "/frontdesk/calls/callbacks/",
        "frontdesk:call": f"/frontdesk/calls/{call}/",
        "frontdesk:call_contact": f"/frontdesk/calls/{call}/contact/",
        "frontdesk:call_order": f"/frontdesk/calls/{call}/order/",
        "frontdesk:callback_done": f"/frontdesk/calls/{call}/called-back/",
        "frontdesk:case_list": "/frontdesk/cases/?status=active",
        "frontdesk:case_queue": "/frontdesk/cases/queue/",
        "frontdesk:case_new": f"/frontdesk/cases/new/?call={call}",
        "frontdesk:case": f"/frontdesk/cases/{case}/",
        "frontdesk:case_escalate": f"/frontdesk/cases/{case}/escalate/",
        "frontdesk:case_take": f"/frontdesk/cases/{case}/take/",
        "frontdesk:case_reassign": f"/frontdesk/cases/{case}/reassign/",
        "frontdesk:case_resolve": f"/frontdesk/cases/{case}/resolve/",
        "frontdesk:case_notify": f"/frontdesk/cases/{case}/notify/",
        "frontdesk:case_reopen": f"/frontdesk/cases/{case}/reopen/",
        "frontdesk:visitors": "/frontdesk/visitors/",
        "frontdesk:visitor_sign_in": "/frontdesk/visitors/sign-in/",
        "frontdesk:visitor_sign_out": f"/frontdesk/visitors/{visit}/sign-out/",
        "frontdesk:visitor_log": "/frontdesk/visitors/log/?date=2026-11-02",
        "frontdesk:radio": "/frontdesk/radio/?date=2026-11-02",
        "frontdesk:radio_add": "/frontdesk/radio/add/",
    }[name]
