from datetime import date
from decimal import Decimal

from django.db import migrations


def terms(apps, schema_editor):
    """The program's terms as the district publishes them (district.md, "Help for customers"): a bill $700.00
    above the same period last year, 2 reliefs in 5 years, 2 consecutive cycles; half of the excess usage
    billed at the first tier's price ($8.00). The district changes them in admin."""
    LeakReliefTerms = apps.get_model("assistance", "LeakReliefTerms")
    LeakReliefTerms.objects.get_or_create(
        effective_on=date(2000, 1, 1),
        defaults={
            "bill_increase_minimum": Decimal("700.00"), "max_per_5_years": 2, "max_consecutive_cycles": 2,
            "forgiven_share": Decimal("50"), "relief_price": Decimal("8.00"), "adjustment_reason": "leak_adjustment",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(terms, migrations.RunPython.noop)]
