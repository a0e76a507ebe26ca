"""Balances converted from the previous system (customers.OpeningBalance) become journal entries, so the
ledger is the one source of what an account owes. Each row is posted once (a unique constraint): receivable
naming the account against Opening balances (a credit balance the other way), by the inactive `conversion`
user, dated the row's as-of date. A balance of an account that ended before that date fell due at its end.
The rows stay, append-only, as the record of the conversion."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models

CONVERSION_USERNAME = "conversion"
SOURCE_KIND = "opening_balance"


def convert(apps, schema_editor):
    """Post every opening balance not yet in the ledger. Safe to run again."""
    OpeningBalance = apps.get_model("customers", "OpeningBalance")
    GLAccount = apps.get_model("ledger", "GLAccount")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    JournalLine = apps.get_model("ledger", "JournalLine")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    posted = set(
        JournalEntry.objects.filter(source_kind=SOURCE_KIND, reverses__isnull=True).values_list(
            "source_id", flat=True
        )
    )
    rows = [
        row
        for row in OpeningBalance.objects.exclude(amount=0).select_related("account").order_by("id")
        if row.pk not in posted
    ]
    if not rows:
        return
    gl = {a.role: a for a in GLAccount.objects.filter(role__in=["receivable", "opening_balances"])}
    missing = {"receivable", "opening_balances"} - gl.keys()
    if missing:
        raise RuntimeError(
            f"Give the chart of accounts a GL account with the role {', '.join(sorted(missing))} (admin), then "
            "migrate again: the converted opening balances are posted against it."
        )
    user, _ = User.objects.get_or_create(
        username=CONVERSION_USERNAME,
        defaults={
            "first_name": "Data",
            "last_name": "Conversion",
            "is_active": False,
            "password": make_password(None),
        },
    )
    for row in rows:
        end = row.account.end_date
        due = end if end is not None and end < row.as_of else row.as_of
        memo = f"Opening balance converted from the previous system, as of {row.as_of:%m/%d/%Y}"
        entry = JournalEntry.objects.create(
            entry_date=row.as_of, memo=memo[:200], source_kind=SOURCE_KIND, source_id=row.pk,
            reason=(row.note or "Conversion")[:200], created_by=user,
        )  # fmt: skip
        JournalLine.objects.bulk_create([
            JournalLine(
                entry=entry, gl_account=gl["receivable"], account_id=row.account_id, amount=row.amount,
                description="Opening balance (converted)", due_date=due,
            ),
            JournalLine(entry=entry, gl_account=gl["opening_balances"], amount=-row.amount,
                        description=f"Opening balance of account {row.account.number}"),
        ])  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0008_deposits_and_start_charges"),
        ("customers", "0002_database_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", True), ("source_kind", "opening_balance")),
                fields=("source_id",),
                name="one_entry_per_opening_balance",
            ),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
    ]
