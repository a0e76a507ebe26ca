"""The district's case categories with their SLA table (business days to resolve, by priority) and where calls
are routed. Data, not code: the rows belong to the district afterwards (admin, audited)."""

from django.db import migrations

CATEGORIES = [
    # code, name, bill dispute, (urgent, high, normal, low) business days
    ("bill_dispute", "Bill dispute", True, (2, 3, 5, 10)),
    ("service_complaint", "Service complaint (pressure, outage)", False, (1, 2, 5, 10)),
    ("water_quality", "Water quality (taste, odour, colour)", False, (1, 1, 2, 5)),
    ("meter_read", "Meter or read dispute", False, (2, 3, 5, 10)),
    ("staff_conduct", "Staff conduct complaint", False, (2, 3, 5, 10)),
    ("property_damage", "Property damage claim", False, (2, 5, 10, 15)),
    ("other", "Other complaint", False, (2, 3, 5, 10)),
]
PRIORITIES = ("urgent", "high", "normal", "low")
ROUTING = [
    ("Customer Service", "100"),
    ("Billing", "110"),
    ("Field Operations", "120"),
    ("Engineering", "130"),
    ("Water Quality", "140"),
    ("Finance", "150"),
    ("General Manager's office", "101"),
    ("After-hours answering service", ""),
]


def seed(apps, schema_editor):
    CaseCategory = apps.get_model("frontdesk", "CaseCategory")
    SlaRule = apps.get_model("frontdesk", "SlaRule")
    RoutingTarget = apps.get_model("frontdesk", "RoutingTarget")
    for code, name, dispute, days in CATEGORIES:
        category, _ = CaseCategory.objects.get_or_create(code=code, defaults={"name": name, "bill_dispute": dispute})
        for priority, count in zip(PRIORITIES, days, strict=True):
            SlaRule.objects.get_or_create(category=category, priority=priority, defaults={"business_days": count})
    for order, (name, extension) in enumerate(ROUTING, start=1):
        RoutingTarget.objects.get_or_create(name=name, defaults={"phone_extension": extension, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("frontdesk", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
