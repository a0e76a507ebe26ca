from datetime import date
from decimal import Decimal

PAGES = {
    "collections:writeoffs": "collections.view_writeoff",
    "collections:referrals": "collections.view_agencyreferral",
    "collections:referral_file": "collections.export_agencyreferral",
}
POSTS = {
    # The matrix's account is not a final account: the write-off is refused with a message (302 to the page).
    "collections:writeoff_request": ("collections.add_writeoff", {"account": "1", "reason": "Matrix"}),
    "collections:writeoff_decide": ("collections.approve_writeoff", {"decision": "reject", "note": "Matrix"}),
    # Nothing written off to refer: no file, a message.
    "collections:referral_export": ("collections.export_agencyreferral", {"agency": "Matrix Agency"}),
    # The account was never referred: refused with a message.
    "collections:agency_payment": (
        "collections.post_agencypayment",
        {
            "account": "1",
            "received_on": "2026-11-03",
            "gross": "10.00",
            "commission": "2.00",
            "agency_reference": "M-1",
        },
    ),  # fmt: skip
}


def build(world):
    from cistern.billing.models import Bill, BillKind
    from cistern.collections.models import ReferralBatch, WriteOff

    bill = Bill.objects.create(
        account=world["account"], kind=BillKind.FINAL, period_start=date(2026, 10, 6),
        period_end=date(2026, 10, 20), bill_date=date(2026, 10, 22), due_date=date(2026, 11, 11),
        current_charges=Decimal("400.00"), amount_due=Decimal("400.00"), created_by=world["user"],
    )  # fmt: skip
    write_off = WriteOff.objects.create(
        account=world["account"], final_bill=bill, amount=Decimal("400.00"), reason="Matrix",
        requested_by=world["user"], why_approval="Over the limit",
    )  # fmt: skip
    batch = ReferralBatch.objects.create(
        agency="Matrix Agency", referred_on=date(2026, 11, 3), count=0, total=Decimal("0.00"),
        content="account,name,last_address,phone,amount,last_payment_date,final_bill_date\n", created_by=world["user"],
    )  # fmt: skip
    return {"write_off": write_off, "referral_batch": batch}


def url(name, world):
    return {
        "collections:writeoffs": "/collections/writeoffs/",
        "collections:writeoff_request": "/collections/writeoffs/request/",
        "collections:writeoff_decide": f"/collections/writeoffs/{world['write_off'].pk}/decide/",
        "collections:referrals": "/collections/referrals/",
        "collections:referral_export": "/collections/referrals/export/",
        "collections:referral_file": f"/collections/referrals/files/{world['referral_batch'].pk}/",
        "collections:agency_payment": "/collections/referrals/payments/",
    }[name]
