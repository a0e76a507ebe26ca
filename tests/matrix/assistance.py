from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from cistern.assistance import services
from cistern.billing.models import Bill

PAGES = {
    "assistance:queue": "assistance.decide_leakreliefapplication",
    "assistance:apply": "assistance.add_leakreliefapplication",
    "assistance:application": "assistance.view_leakreliefapplication",
    "assistance:proof": "assistance.view_leakreliefapplication",
}
POSTS = {
    # The application is not eligible (no bill a year before): approving is refused with a message (302 back).
    "assistance:decide": (
        "assistance.decide_leakreliefapplication",
        {"decision": "approve", "note": "Matrix"},
    ),
    "assistance:withdraw": (
        "assistance.change_leakreliefapplication",
        {"note": "Matrix: the customer called"},
    ),
}


def build(world):
    user, account = world["user"], world["account"]
    bill = Bill.objects.create(
        account=account, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31), bill_date=date(2026, 11, 3),
        due_date=date(2026, 11, 23), units=Decimal(40), current_charges=Decimal("900.00"),
        amount_due=Decimal("900.00"), created_by=user,
    )  # fmt: skip
    application = services.application_apply(
        actor=user, account=account, bills=[bill], repaired_on=date(2026, 11, 1),
        repair_proof=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 matrix", content_type="application/pdf"),
    )  # fmt: skip
    return {"leak_application": application}


def url(name, world):
    pk = world["leak_application"].pk
    return {
        "assistance:queue": "/assistance/",
        "assistance:apply": f"/assistance/accounts/{world['account'].number}/apply/",
        "assistance:application": f"/assistance/applications/{pk}/",
        "assistance:proof": f"/assistance/applications/{pk}/proof/",
        "assistance:decide": f"/assistance/applications/{pk}/decide/",
        "assistance:withdraw": f"/assistance/applications/{pk}/withdraw/",
    }[name]
