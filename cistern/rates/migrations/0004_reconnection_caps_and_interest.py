"""The law's reconnection caps for low-income customers (HSC 116914), and the late penalty marked as interest."""

from datetime import date
from decimal import Decimal

from django.db import migrations

NOTE = (
    "HSC 116914 (SB 998): low-income reconnection cap, {hours}; CPI-adjusted yearly from 2021-01-01 "
    "(no published adjusted figure: add a row when the district adopts one)"
)
CAPS = [
    ("reconnect_office", Decimal("50.00"), "during normal operating hours"),
    ("reconnect_after_hours", Decimal("150.00"), "outside normal operating hours"),
]


def seed(apps, schema_editor):
    FeeCap = apps.get_model("rates", "FeeCap")
    Fee = apps.get_model("rates", "Fee")
    for code, amount, hours in CAPS:
        FeeCap.objects.get_or_create(
            fee_code=code, starts_on=date(2021, 1, 1), defaults={"amount": amount, "note": NOTE.format(hours=hours)}
        )
    Fee.objects.filter(code="late_penalty").update(is_interest=True)


def unseed(apps, schema_editor):
    apps.get_model("rates", "FeeCap").objects.filter(
        fee_code__in=[code for code, _, _ in CAPS], starts_on=date(2021, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rates", "0003_fee_interest_and_caps")]

    operations = [migrations.RunPython(seed, unseed)]
