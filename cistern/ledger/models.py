"""The general ledger: double-entry and append-only. A journal entry's lines sum to zero (debits positive,
credits negative); nothing is updated or deleted; a correction is a reversing entry pointing at the original.
An account's balance is the sum of its receivable lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account


class GLKind(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"


class GLAccount(models.Model):
    """An account of the district's chart of accounts (cash, receivable, revenue by kind, deposits...)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=GLKind.choices)
    receivable = models.BooleanField(
        default=False,
        help_text="Customer receivable: its lines name a customer account, whose balance they make.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "GL account"
        constraints = [
            models.UniqueConstraint(
                fields=["receivable"], condition=Q(receivable=True), name="one_receivable_gl"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class JournalEntry(models.Model):
    entry_date = models.DateField(help_text="The accounting date (bill date, payment date...).")
    memo = models.CharField(max_length=200)
    # What made it: a bill, payment, adjustment, late fee... (kind and id; the ledger imports none of them).
    source_kind = models.CharField(max_length=30)
    source_id = models.BigIntegerField(null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        help_text="The entry this one cancels (an entry is reversed at most once).",
    )  # fmt: skip
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["source_kind", "source_id"], name="journal_source_idx")]

    def __str__(self):
        return f"JE {self.pk} {self.entry_date:%m/%d/%Y} {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_lines", db_index=False
    )
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Debit positive, credit negative."
    )
    description = models.CharField(max_length=200, blank=True)
    # For aging: when a charge is due (receivable debits); credits are applied to the oldest first.
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["account", "entry"], name="journal_line_account_idx")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="journal_line_not_zero")]

    def __str__(self):
        return f"{self.gl_account.code} {self.amount}"
