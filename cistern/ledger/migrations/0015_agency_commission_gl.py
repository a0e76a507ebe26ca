"""The GL account a collection agency's commission is booked to (an expense: the agency keeps part of what it
collects on a written-off account). Bad debt (6100) has had its role since 0007. A district whose chart already
gives an account this role keeps it."""

from django.db import migrations, models

NEW = [("6300", "Collection agency commission", "expense", "agency_commission")]


def add_accounts(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    for code, name, kind, role in NEW:
        if GLAccount.objects.filter(role=role).exists():
            continue
        account, _ = GLAccount.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        if account.role == "":
            account.role = role
            account.save(update_fields=["role"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0014_interest_waivers")]

    operations = [
        migrations.AlterField(
            model_name="glaccount",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("receivable", "Customer receivable"),
                    ("cash", "Cash"),
                    ("undeposited_funds", "Undeposited funds"),
                    ("deposits_held", "Customer deposits held"),
                    ("refunds_payable", "Refunds payable"),
                    ("opening_balances", "Opening balances (conversion)"),
                    ("setup_fees", "Account set-up fees"),
                    ("bad_debt", "Bad debt"),
                    ("ach_clearing", "ACH clearing (autopay)"),
                    ("processor_clearing", "Card and online payments clearing"),
                    ("cash_over_short", "Cash over and short"),
                    ("agency_commission", "Collection agency commission"),
                ],
                default="",
                help_text="What the code refers to this account as (at most one account per role).",
                max_length=20,
            ),
        ),
        migrations.RunPython(add_accounts, migrations.RunPython.noop),
    ]
