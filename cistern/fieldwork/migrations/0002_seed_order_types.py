"""The district's service order types. Data, not code: the rows belong to the district afterwards."""

from django.db import migrations

TYPES = [
    # code, name, minutes, requires_read, requires_meter_swap
    ("turn_on", "Turn-on", 30, True, False),
    ("turn_off", "Turn-off", 30, True, False),
    ("lock_off", "Lock-off for nonpayment", 20, True, False),
    ("reconnect", "Unlock / reconnect", 20, True, False),
    ("reread", "Re-read", 15, True, False),
    ("final_read", "Final read", 15, True, False),
    ("meter_change", "Meter change-out", 60, True, True),
    ("meter_install", "Meter install (new connection)", 90, False, True),
    ("leak_check", "Leak or high-usage check", 45, False, False),
    ("zero_read", "Zero-read investigation", 30, True, False),
    ("door_hanger", "Door-hanger delivery (48-hour notice)", 10, False, False),
    ("backflow_test", "Backflow test", 60, False, False),
    ("complaint", "Customer complaint investigation", 45, False, False),
]


def seed(apps, schema_editor):
    ServiceOrderType = apps.get_model("fieldwork", "ServiceOrderType")
    for code, name, minutes, needs_read, needs_swap in TYPES:
        ServiceOrderType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_duration": minutes,
                "requires_read": needs_read,
                "requires_meter_swap": needs_swap,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
