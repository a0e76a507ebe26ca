from django.db import migrations, models

# The roles of the chart migration 0002 installed, by the codes it gave them. A district that has renumbered
# its chart before this migration keeps its own codes: a role goes to whichever account holds the code (the
# receivable by its flag), and an account missing here is given its role in admin.
ROLES = {
    "1000": "cash",
    "1010": "undeposited_funds",
    "2200": "deposits_held",
    "2300": "refunds_payable",
    "3000": "opening_balances",
    "4210": "setup_fees",
    "6100": "bad_debt",
}


def give_roles(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    GLAccount.objects.filter(receivable=True).update(role="receivable")
    for code, role in ROLES.items():
        if not GLAccount.objects.filter(role=role).exists():
            GLAccount.objects.filter(code=code, role="").update(role=role)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_bills_and_indexes")]

    operations = [
        migrations.AddField(
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
                ],
                default="",
                help_text="What the code refers to this account as (at most one account per role).",
                max_length=20,
            ),
        ),
        migrations.RunPython(give_roles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="glaccount",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", ""), _negated=True), fields=("role",), name="one_gl_per_role"
            ),
        ),
        migrations.AddConstraint(
            model_name="glaccount",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("receivable", True), ("role", "receivable")),
                    models.Q(("receivable", False), models.Q(("role", "receivable"), _negated=True)),
                    _connector="OR",
                ),
                name="receivable_flag_is_the_role",
            ),
        ),
    ]
