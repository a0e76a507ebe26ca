"""Ledger: the daily GL summary, adjusting an account, the approval queue."""

PAGES = {
    "ledger:gl_summary": "ledger.view_glaccount",
    "ledger:adjust": "ledger.add_adjustment",
    "ledger:adjustments_pending": "ledger.approve_adjustment",
}
# A permitted POST redirects (a bad form is shown again, so the adjustment form is posted valid but small).
POSTS = {
    "ledger:adjust": (
        "ledger.add_adjustment",
        {"reason": "courtesy_credit", "direction": "credit", "amount": "1.00", "memo": "Matrix"},
    ),
    "ledger:adjustment_decide": ("ledger.approve_adjustment", {"decision": "reject", "note": "Matrix"}),
}


def build(world):
    from decimal import Decimal

    from cistern.ledger.models import Adjustment, AdjustmentReason

    waiting = Adjustment.objects.create(
        account=world["account"], reason=AdjustmentReason.objects.get(code="other"), amount=Decimal("900.00"),
        memo="Matrix", status="pending", requested_by=world["user"],
    )  # fmt: skip
    return {"adjustment": waiting}


def url(name, world):
    number = world["account"].number
    return {
        "ledger:gl_summary": "/ledger/gl/?on=2026-10-05",
        "ledger:adjust": f"/ledger/accounts/{number}/adjust/",
        "ledger:adjustments_pending": "/ledger/adjustments/",
        "ledger:adjustment_decide": f"/ledger/adjustments/{world['adjustment'].pk}/decide/",
    }[name]
