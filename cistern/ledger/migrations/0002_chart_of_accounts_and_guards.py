from django.db import migrations

# The district's chart of accounts (its accounting software's codes are the district's to change in admin).
CHART = [
    ("1000", "Cash", "asset", False),
    ("1010", "Undeposited funds", "asset", False),
    ("1200", "Accounts receivable: customers", "asset", True),
    ("2200", "Customer deposits", "liability", False),
    ("2300", "Refunds payable", "liability", False),
    ("3000", "Opening balances (conversion)", "equity", False),
    ("4100", "Water sales: basic fees", "revenue", False),
    ("4110", "Water sales: usage", "revenue", False),
    ("4200", "Fees: other", "revenue", False),
    ("4210", "Fees: account set-up", "revenue", False),
    ("4220", "Fees: late penalties", "revenue", False),
    ("4230", "Fees: shutoff notices", "revenue", False),
    ("4240", "Fees: reconnection", "revenue", False),
    ("4250", "Fees: returned checks", "revenue", False),
    ("4260", "Fees: meter tests", "revenue", False),
    ("4900", "Adjustments and credits", "revenue", False),
    ("6100", "Bad debt", "expense", False),
]


def chart(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    for code, name, kind, receivable in CHART:
        GLAccount.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "receivable": receivable})


def guards(apps, schema_editor):
    from cistern.core.db_guards import install_append_only

    install_append_only(schema_editor.connection, "ledger")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [
        migrations.RunPython(chart, migrations.RunPython.noop),
        migrations.RunPython(guards, migrations.RunPython.noop),
    ]
