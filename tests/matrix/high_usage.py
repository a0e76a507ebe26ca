"""High usage: the "High usage to call" queue and its done form."""

PAGES = {
    "billing:high_usage": "billing.view_highusagenotice",
}
# A permitted POST redirects to the queue: the first marks the notice done, the next are refused with a message.
POSTS = {
    "billing:high_usage_done": (
        "billing.change_highusagenotice",
        {"note": "Matrix: called, leak check offered"},
    ),
}


def build(world):
    from datetime import date
    from decimal import Decimal

    from cistern.billing.models import Bill, HighUsageNotice, HighUsageRule

    last_year = Bill.objects.create(
        account=world["account"], period_start=date(2025, 9, 5), period_end=date(2025, 10, 5),
        bill_date=date(2025, 10, 8), due_date=date(2025, 10, 28), units=Decimal("10"), current_charges=0,
        amount_due=0, created_by=world["user"],
    )  # fmt: skip
    notice = HighUsageNotice.objects.create(
        account=world["account"], bill=world["bill"], last_year_bill=last_year, units=Decimal("30"),
        last_year_units=Decimal("10"), rule=HighUsageRule.objects.order_by("effective_on").first(),
    )  # fmt: skip
    return {"high_usage_notice": notice}


def url(name, world):
    return {
        "billing:high_usage": "/billing/high-usage/",
        "billing:high_usage_done": f"/billing/high-usage/{world['high_usage_notice'].pk}/done/",
    }[name]
