"""The GL accounts payments post to: ACH clearing (autopay debits until the bank settles them), card and online
payments clearing (the processor's), and cash over and short (a drawer's variance). A district whose chart
already gives an account one of these roles keeps it."""

from django.db import migrations, models


NEW = [
    ("1020", "ACH clearing (autopay)", "asset", "ach_clearing"),
    ("1030", "Card and online payments clearing", "asset", "processor_clearing"),
    ("6200", "Cash over and short", "expense", "cash_over_short"),
]


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
    dependencies = [
        ("ledger", "0012_journal_lines_entry_checked_per_statement"),
    ]

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
                ],
                default="",
                help_text="What the code refers to this account as (at most one account per role).",
                max_length=20,
            ),
        ),
        migrations.RunPython(add_accounts, migrations.RunPython.noop),
    ]
