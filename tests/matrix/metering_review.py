from datetime import date
from decimal import Decimal

from cistern.metering.models import Meter, MeterInstallation, Read, Route, ServicePoint

PAGES = {
    "metering:exceptions": "metering.review_read",
    "metering:exception": "metering.review_read",
    "metering:meter": "metering.view_meter",
}
POSTS = {
    "metering:exception_accept": ("metering.review_read", {"reason": "Matrix"}),
    "metering:exception_reject": ("metering.review_read", {"reason": "Matrix"}),
    "metering:exception_estimate": ("metering.review_read", {"reason": "Matrix"}),
}


def build(world):
    """A meter at the account's premise with an accepted history and an open exception (zero usage)."""
    account = world["account"]
    route = Route.objects.create(code="RMX", name="Matrix route")
    point = ServicePoint.objects.create(premise=account.premise, route=route, read_sequence=1)
    meter = Meter.objects.create(serial="MX000001", size="3/4", make="Badger", status="installed")
    inst = MeterInstallation.objects.create(meter=meter, service_point=point, installed_on=date(2026, 8, 1))
    for day, value, used in [(date(2026, 9, 10), 10, 10), (date(2026, 10, 10), 21, 11)]:
        Read.objects.create(meter=meter, installation=inst, account=account, read_on=day, value=Decimal(value),
                            source="handheld", status="accepted", consumption=Decimal(used))  # fmt: skip
    read = Read.objects.create(
        meter=meter, installation=inst, account=account, read_on=date(2026, 11, 10), value=Decimal(21),
        source="handheld", status="exception", consumption=Decimal(0),
        problems=[{"code": "zero_usage", "message": "No usage on an active account."}],
    )  # fmt: skip
    return {"meter": meter, "exception_read": read}


def url(name, world):
    read, serial = world["exception_read"].pk, world["meter"].serial
    return {
        "metering:exceptions": "/meters/exceptions/?route=RMX",
        "metering:exception": f"/meters/exceptions/{read}/",
        "metering:meter": f"/meters/meter/{serial}/",
        "metering:exception_accept": f"/meters/exceptions/{read}/accept/",
        "metering:exception_reject": f"/meters/exceptions/{read}/reject/",
        "metering:exception_estimate": f"/meters/exceptions/{read}/estimate/",
    }[name]
