from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_gl_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="journalentry",
            options={
                "ordering": ["-entry_date", "-id"],
                "permissions": [
                    ("assess_late_fees", "Can assess late fees"),
                    ("credit_back_deposits", "Can credit deposits back after the good-payment rule"),
                    ("post_opening_balance", "Can post a balance converted from the previous system"),
                ],
                "verbose_name_plural": "journal entries",
            },
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", True), ("source_kind", "start_charges")),
                fields=("source_id",),
                name="one_start_charges_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", True), ("source_kind", "deposit_transfer")),
                fields=("source_id",),
                name="one_deposit_transfer_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", True), ("source_kind", "deposit_credit_back")),
                fields=("source_id",),
                name="one_deposit_credit_back_per_account",
            ),
        ),
    ]
