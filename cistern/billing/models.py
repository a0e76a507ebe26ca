"""Bill cycles, bill runs and bills.

A bill run is a cycle's bills for one period: calculated (a trial: one item per account, with its proposed
lines and its exceptions), approved by someone other than who calculated it, then posted in batches. Posting
turns items into bills (append-only, like the ledger): an account is billed once per period and each closing
read once, which unique constraints say. A posted bill is corrected by cancelling it (a reversing journal
entry) and, if need be, a rebill that points at it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account
from cistern.metering.models import MeterInstallation, Read, Route


class BillCycle(models.Model):
    """Routes read on one day of the month and billed together."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=80)
    read_day = models.PositiveSmallIntegerField(
        help_text="Day of the month the cycle's routes are read (1-28)."
    )
    bill_day = models.PositiveSmallIntegerField(help_text="Day of the month its bills are dated (1-28).")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(read_day__gte=1, read_day__lte=28), name="cycle_read_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(bill_day__gte=1, bill_day__lte=28), name="cycle_bill_day_1_28"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class LegacyBill(models.Model):
    """A bill of the previous system, kept by the conversion as a summary: the account's bill history and usage
    before Cistern billed it. A final account's legacy bill that reaches its end date is its final bill."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legacy_bills", db_index=False)
    bill_date = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    units = models.DecimalField(max_digits=12, decimal_places=2)
    current_charges = models.DecimalField(max_digits=12, decimal_places=2)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    is_final = models.BooleanField(default=False)

    class Meta:
        ordering = ["account", "-bill_date"]
        indexes = [
            models.Index(fields=["account", "bill_date"], name="legacy_bill_account_idx"),
            models.Index(fields=["account"], name="legacy_bill_final_idx", condition=Q(is_final=True)),
        ]

    def __str__(self):
        return f"Previous system's bill of {self.bill_date} for account {self.account_id}"


class CycleRoute(models.Model):
    """A route's place in a cycle: a route is billed in one cycle."""

    cycle = models.ForeignKey(BillCycle, on_delete=models.PROTECT, related_name="cycle_routes")
    route = models.OneToOneField(Route, on_delete=models.PROTECT, related_name="cycle_route")

    class Meta:
        ordering = ["cycle", "route"]

    def __str__(self):
        return f"{self.cycle.code}: {self.route.code}"


class RunStatus(models.TextChoices):
    NEW = "new", "New"
    CALCULATED = "calculated", "Calculated (trial)"
    APPROVED = "approved", "Approved"
    POSTING = "posting", "Posting"
    POSTED = "posted", "Posted"
    CANCELLED = "cancelled", "Cancelled"


class BillRun(models.Model):
    cycle = models.ForeignKey(BillCycle, on_delete=models.PROTECT, related_name="runs")
    period_end = models.DateField(help_text="The cycle's read day this run bills up to.")
    bill_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.NEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calculated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    # Progress of the step under way (calculating or posting), for the page and the command's bar.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_end", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "period_end"],
                condition=~Q(status="cancelled"),
                name="one_live_run_per_period",
            )
        ]
        permissions = [
            ("calculate_billrun", "Can calculate a bill run"),
            ("approve_billrun", "Can approve a bill run"),
            ("post_billrun", "Can post an approved bill run"),
        ]

    def __str__(self):
        return f"{self.cycle.code} bills to {self.period_end:%m/%d/%Y}"


class BillRunEvent(models.Model):
    """A bill run's status history: one row per change."""

    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, choices=RunStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=RunStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.run_id}: {self.from_status or '-'} -> {self.to_status}"


class BillRunItem(models.Model):
    """One account's proposed bill in a trial run: its lines, meter spans and exceptions as computed. Trial
    rows are rewritten by calculating again; posting makes a bill of each billable one."""

    run = models.ForeignKey(BillRun, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    billable = models.BooleanField()
    # billed, final_billed (stopped inside the period: its final bill settles it) or held (with a reason in
    # the exceptions): in service = billed + final-billed + held.
    disposition = models.CharField(max_length=12, default="held")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    units = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    proposal = models.JSONField(default=dict, help_text="Meter spans and lines, as the engine gave them.")
    exceptions = models.JSONField(default=list, blank=True, help_text="[[code, message], ...]")
    has_exceptions = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, help_text="Digest of the facts it was calculated from.")
    calculated_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "account"], name="one_item_per_account_run")]
        indexes = [
            models.Index(fields=["run", "has_exceptions"], name="run_item_exception_idx"),
            models.Index(fields=["account", "-run"], name="run_item_account_idx"),
        ]

    def __str__(self):
        return f"Run {self.run_id}, account {self.account_id}: ${self.total}"


class BillKind(models.TextChoices):
    REGULAR = "regular", "Regular"
    FINAL = "final", "Final"
    REBILL = "rebill", "Rebill"


class Bill(models.Model):
    """An issued bill. Append-only: a correction cancels it (BillCancellation) and may rebill."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="bills", db_index=False)
    kind = models.CharField(max_length=8, choices=BillKind.choices, default=BillKind.REGULAR)
    run = models.ForeignKey(BillRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    run_item = models.OneToOneField(
        BillRunItem, null=True, blank=True, on_delete=models.PROTECT, related_name="bill"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by",
        help_text="The cancelled bill this one rebills.",
    )  # fmt: skip
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_date = models.DateField()
    units = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    current_charges = models.DecimalField(max_digits=12, decimal_places=2)
    previous_amount_due = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="What the last bill said was due."
    )
    payments_and_adjustments = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Change in the balance since the last bill."
    )
    deposit_applied = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Final bill: deposit credited against the debt."
    )
    refund = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Final bill: credit left over, to be refunded."
    )
    amount_due = models.DecimalField(max_digits=12, decimal_places=2, help_text="Balance with this bill.")
    language = models.CharField(max_length=2, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-bill_date", "-id"]
        indexes = [
            models.Index(fields=["account", "-period_end"], name="bill_account_period_idx"),
            # The final bills alone (the Accounts not billed queue reads which stopped accounts have one).
            models.Index(fields=["account"], condition=Q(kind="final"), name="bill_final_account_idx"),
        ]
        constraints = [
            # An account is billed once per period; a rebill replaces exactly one cancelled bill.
            models.UniqueConstraint(
                fields=["account", "period_end"],
                condition=Q(replaces__isnull=True),
                name="one_bill_per_period",
            ),
        ]
        permissions = [("cancel_bill", "Can cancel and rebill a posted bill")]

    def __str__(self):
        return f"Bill {self.pk} ({self.period_start:%m/%d/%Y}-{self.period_end:%m/%d/%Y})"


class BillMeter(models.Model):
    """A meter's span on a bill: from the last billed read to this period's read."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="meters")
    installation = models.ForeignKey(MeterInstallation, on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(max_length=30)
    size = models.CharField(max_length=6)
    rate_class = models.CharField(max_length=12)
    from_read = models.ForeignKey(
        Read, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_read = models.ForeignKey(Read, on_delete=models.PROTECT, related_name="bill_meters", db_index=False)
    from_date = models.DateField()
    to_date = models.DateField()
    from_value = models.DecimalField(max_digits=12, decimal_places=2)
    to_value = models.DecimalField(max_digits=12, decimal_places=2)
    units = models.DecimalField(max_digits=12, decimal_places=2)
    estimated = models.BooleanField(default=False, help_text="The closing read is an estimate.")
    start_estimated = models.BooleanField(
        default=False, help_text="No turn-on read: the start value was estimated for the move-in date."
    )
    rebill = models.BooleanField(default=False, help_text="On a rebill, which bills its reads again.")

    class Meta:
        ordering = ["bill", "id"]
        indexes = [models.Index(fields=["installation", "-to_date"], name="bill_meter_installation_idx")]
        constraints = [
            # Each read closes at most one billed span (a rebill bills the cancelled bill's reads again).
            models.UniqueConstraint(fields=["to_read"], condition=Q(rebill=False), name="read_billed_once"),
        ]

    def __str__(self):
        return f"{self.serial} {self.from_date:%m/%d/%Y}-{self.to_date:%m/%d/%Y} {self.units}"


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    installation = models.ForeignKey(
        MeterInstallation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="The meter this line bills; the bill page and PDF group lines by meter.",
    )
    sequence = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    gl_account = models.CharField(max_length=20)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["bill", "sequence"]
        constraints = [models.UniqueConstraint(fields=["bill", "sequence"], name="bill_line_sequence")]

    def __str__(self):
        return f"{self.description} ${self.amount}"


class BillCancellation(models.Model):
    """A posted bill cancelled with a reason; its journal entry is reversed. A rebill may follow."""

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="cancellation")
    reason = models.CharField(max_length=200)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Cancellation of bill {self.bill_id}"


class CancelStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"  # the bill is cancelled (at once, within the requester's authority)
    REJECTED = "rejected", "Rejected"


class BillCancelRequest(models.Model):
    """A bill's cancellation as a credit under the requester's adjustment authority: the bill's charges, or
    with a rebill what the rebill takes off them. Within the requester's limit (and the day's total on the
    account) it is made at once (approved, decided by nobody); above it a lead who is not the requester, and
    whose own limit covers it, approves, and the cancellation is made then."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="cancel_requests")
    rebill = models.BooleanField(help_text="Rebill the same meter spans with the reads that stand now.")
    reason = models.CharField(max_length=200)
    credit = models.DecimalField(
        max_digits=12, decimal_places=2,
        help_text="What the cancellation takes off the account: the charges, less the rebill's (not below 0).",
    )  # fmt: skip
    status = models.CharField(max_length=8, choices=CancelStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    why_approval = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    done_on = models.DateField(
        null=True, blank=True, help_text="The district's date the bill was cancelled (for the day's total).",
    )  # fmt: skip
    cancellation = models.OneToOneField(
        BillCancellation, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "done_on"], name="cancel_request_by_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["bill"], condition=Q(status="pending"), name="one_pending_cancel_per_bill"
            ),
            models.CheckConstraint(condition=Q(credit__gte=0), name="cancel_credit_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(cancellation__isnull=False, done_on__isnull=False),
                name="approved_cancel_is_done",
            ),
        ]

    def __str__(self):
        return f"Cancel bill {self.bill_id}{' and rebill' if self.rebill else ''} (credit ${self.credit})"


class BillEmail(models.Model):
    """An e-bill to a paperless customer: one per bill, written and committed before the mail is sent, so a
    resumed send mails nobody twice. Its outcome is a row of its own (both append-only); one without an
    outcome was interrupted while sending and stays listed on the run for a person."""

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="email")
    address = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True, help_text="When the send began.")

    def __str__(self):
        return f"E-bill {self.bill_id} to {self.address}"


class BillEmailOutcome(models.Model):
    """What the mail server said of an e-bill: sent, or refused with its reason."""

    email = models.OneToOneField(BillEmail, on_delete=models.PROTECT, related_name="outcome")
    sent = models.BooleanField()
    error = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"E-bill {self.email_id}: {'sent' if self.sent else self.error}"


class UnbilledReview(models.Model):
    """Who is looking at an account on the Accounts not billed queue, and what they found."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="unbilled_review")
    looking = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Unbilled review of account {self.account_id}"


class HighUsageRule(models.Model):
    """When a bill's usage is high enough to tell the customer: at least `min_percent` and at least `min_units`
    above the same period a year earlier. District data, from a date on (the newest active rule in force on a
    run's period end applies), saved through billing.high_usage_services (audited)."""

    effective_on = models.DateField(unique=True)
    min_percent = models.DecimalField(
        max_digits=6, decimal_places=2, default=50, help_text="At least this many percent above last year."
    )
    min_units = models.DecimalField(
        max_digits=10, decimal_places=2, default=5, help_text="And at least this many units above last year."
    )
    active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True, help_text="Where the figures come from.")

    class Meta:
        ordering = ["-effective_on"]
        constraints = [
            models.CheckConstraint(condition=Q(min_percent__gte=0), name="high_usage_percent_not_negative"),
            models.CheckConstraint(condition=Q(min_units__gte=0), name="high_usage_units_not_negative"),
        ]

    def __str__(self):
        return f"High usage from {self.effective_on:%m/%d/%Y}: {self.min_percent}% and {self.min_units} units"


class HighUsageStatus(models.TextChoices):
    OPEN = "open", "To call"
    DONE = "done", "Done"


class HighUsageNotice(models.Model):
    """A posted bill whose usage was far above the same period last year: the customer was written to (their
    preferred channel) and a clerk calls them (the "High usage to call" queue). One per bill."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="high_usage_notices")
    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="high_usage_notice")
    last_year_bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="+", db_index=False)
    units = models.DecimalField(max_digits=12, decimal_places=2)
    last_year_units = models.DecimalField(max_digits=12, decimal_places=2)
    rule = models.ForeignKey(HighUsageRule, on_delete=models.PROTECT, related_name="+")
    correspondence = models.ForeignKey(
        "correspondence.Correspondence", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The letter or e-mail; none when the customer has neither a mailing address nor an e-mail.",
    )  # fmt: skip
    status = models.CharField(max_length=4, choices=HighUsageStatus.choices, default=HighUsageStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "id"], name="high_usage_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_by__isnull=True, done_at__isnull=True)
                | Q(status="done", done_by__isnull=False, done_at__isnull=False),
                name="high_usage_done_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0, last_year_units__gte=0), name="high_usage_units"
            ),
        ]

    def __str__(self):
        return f"High usage on bill {self.bill_id}: {self.units} vs {self.last_year_units}"
