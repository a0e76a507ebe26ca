from django.db import migrations

# code, name, GL account charged by a credit, per account per 12 months without approval
REASONS = [
    ("billing_error", "Billing error", "4110", None),
    ("leak_adjustment", "Leak adjustment", "4110", None),
    ("late_fee_reversal", "Late-fee reversal", "4220", 1),
    ("courtesy_credit", "Courtesy credit", "4900", None),
    ("other", "Other", "4900", None),
]


def reasons(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    AdjustmentReason = apps.get_model("ledger", "AdjustmentReason")
    for code, name, gl, per_year in REASONS:
        AdjustmentReason.objects.get_or_create(
            code=code, defaults={"name": name, "gl_account": GLAccount.objects.get(code=gl), "per_account_per_year": per_year}
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_adjustments")]
    operations = [migrations.RunPython(reasons, migrations.RunPython.noop)]
