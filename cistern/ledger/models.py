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


class GLRole(models.TextChoices):
    """What code means by a GL account. Code names accounts by role (`selectors.gl_code`), never by code: the
    codes are the district's to renumber."""

    RECEIVABLE = "receivable", "Customer receivable"
    CASH = "cash", "Cash"
    UNDEPOSITED_FUNDS = "undeposited_funds", "Undeposited funds"
    DEPOSITS_HELD = "deposits_held", "Customer deposits held"
    REFUNDS_PAYABLE = "refunds_payable", "Refunds payable"
    OPENING_BALANCES = "opening_balances", "Opening balances (conversion)"
    SETUP_FEES = "setup_fees", "Account set-up fees"
    BAD_DEBT = "bad_debt", "Bad debt"
    ACH_CLEARING = "ach_clearing", "ACH clearing (autopay)"
    PROCESSOR_CLEARING = "processor_clearing", "Card and online payments clearing"
    CASH_OVER_SHORT = "cash_over_short", "Cash over and short"
    AGENCY_COMMISSION = "agency_commission", "Collection agency commission"


# Lines on these GL accounts name the customer account they belong to (and only these).
PER_ACCOUNT_ROLES = (GLRole.RECEIVABLE, GLRole.DEPOSITS_HELD)


class GLAccount(models.Model):
    """An account of the district's chart of accounts (cash, receivable, revenue by kind, deposits...)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=GLKind.choices)
    role = models.CharField(
        max_length=20, choices=GLRole.choices, blank=True, default="",
        help_text="What the code refers to this account as (at most one account per role).",
    )  # fmt: skip
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
            ),
            models.UniqueConstraint(fields=["role"], condition=~Q(role=""), name="one_gl_per_role"),
            # The flag (which queries filter on) and the role say the same thing.
            models.CheckConstraint(
                condition=Q(receivable=True, role="receivable")
                | (Q(receivable=False) & ~Q(role="receivable")),
                name="receivable_flag_is_the_role",
            ),
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(fields=["source_kind", "source_id"], name="journal_source_idx"),
            models.Index(fields=["entry_date"], name="journal_entry_date_idx"),
        ]
        constraints = [
            # A bill gets one late penalty (a reversed one may be charged again only by reversing the reversal).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="late_fee", reverses__isnull=True),
                name="one_late_fee_per_charge",
            ),
            # A bill posts one entry of charges (a cancelled bill's is reversed, not posted again).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="bill", reverses__isnull=True),
                name="one_entry_per_bill",
            ),
            # An account's start charges (deposit, set-up fee) are posted once (source: the account).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="start_charges", reverses__isnull=True),
                name="one_start_charges_per_account",
            ),
            # A transfer moves the deposit into the new account once (source: the new account).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="deposit_transfer", reverses__isnull=True),
                name="one_deposit_transfer_per_account",
            ),
            # A deposit is credited back once (source: the account).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="deposit_credit_back", reverses__isnull=True),
                name="one_deposit_credit_back_per_account",
            ),
            # A converted opening balance is posted once (source: the customers.OpeningBalance row).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(source_kind="opening_balance", reverses__isnull=True),
                name="one_entry_per_opening_balance",
            ),
        ]
        permissions = [
            ("assess_late_fees", "Can assess late fees"),
            ("credit_back_deposits", "Can credit deposits back after the good-payment rule"),
            ("post_opening_balance", "Can post a balance converted from the previous system"),
        ]

    def __str__(self):
        return f"JE {self.pk} {self.entry_date:%m/%d/%Y} {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    # No index of its own: a dozen accounts over millions of lines; the GL summary reads by entry date.
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="lines", db_index=False)
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


class AdjustmentReason(models.Model):
    """A reason code for adjustments, with the GL account a credit is charged to, and how many a clerk may make
    per account in 12 months before a lead must approve (blank: no such limit). Data, not code."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80)
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="+")
    per_account_per_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many a clerk may post per account in 12 months without approval.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


class Adjustment(models.Model):
    """A credit (or a charge) to an account outside a bill: posted at once within the requester's authority,
    else waiting for a user with a higher limit who is not the requester."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustments")
    reason = models.ForeignKey(AdjustmentReason, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Positive: a credit to the customer."
    )
    memo = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    why_approval = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment"
    )
    late_fee_entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="late_fee_reversals",
        help_text="A late-fee reversal: the late fee it reverses (its entry is reversed when this posts).",
    )  # fmt: skip

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_adjustment", "Can approve adjustments above the requester's limit")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            # A late fee is reversed once: one reversal waiting or posted per fee (a rejected one may be asked again).
            models.UniqueConstraint(
                fields=["late_fee_entry"],
                condition=Q(late_fee_entry__isnull=False) & ~Q(status="rejected"),
                name="one_reversal_per_late_fee",
            ),
            models.CheckConstraint(
                condition=Q(status="posted", entry__isnull=False) | ~Q(status="posted"),
                name="posted_has_entry",
            ),
        ]

    def __str__(self):
        return f"{self.reason.name} ${self.amount} on {self.account.number}"


class InterestWaiver(models.Model):
    """A late charge that is interest, not charged: a low-income customer's first one in any 12 months is
    waived (HSC 116914). The charge it would have penalized is never penalized for it afterwards."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="interest_waivers")
    fee_code = models.SlugField(max_length=30, help_text="The fee of the catalog waived (the late penalty).")
    on = models.DateField(help_text="The day the fee would have been charged.")
    charge_line = models.ForeignKey(
        JournalLine, on_delete=models.PROTECT, related_name="+", help_text="The past-due charge it was for."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["account", "fee_code", "on"], name="interest_waiver_account_idx")]
        constraints = [
            models.UniqueConstraint(fields=["fee_code", "charge_line"], name="one_waiver_per_charge")
        ]

    def __str__(self):
        return f"{self.fee_code} waived {self.on:%m/%d/%Y}"
