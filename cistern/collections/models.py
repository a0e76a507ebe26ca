from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", "Past-due reminder"
    SHUTOFF = "shutoff", "Shutoff notice"
    OCCUPANT = "occupant", "Occupant notice"
    DOOR_HANGER = "door_hanger", "Door-hanger (48-hour notice)"
    FINAL = "final", "Final notice posted"
    FINAL_BILL = "final_bill", "Final bill past due"


class Notice(models.Model):
    """One collection notice sent for one delinquency of an account: a reminder, the shutoff notice, its
    occupant copy, a door-hanger or a final notice posted at the property. One of each kind per delinquency
    (the daily run may run twice; a new delinquency needs its own notices)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collection_notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    delinquent_since = models.DateField(
        help_text="The delinquency it is for: the day after the oldest due date."
    )
    issued_on = models.DateField(help_text="Mailed (letters) or ordered (door-hangers, final notices).")
    delivered_on = models.DateField(
        null=True,
        blank=True,
        help_text="Letters: the day mailed. Door-hangers and final notices: the day posted.",
    )
    shutoff_on = models.DateField(null=True, blank=True, help_text="The shutoff date the notice states.")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The amount delinquent it states."
    )
    correspondence = models.ForeignKey(
        "correspondence.Correspondence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "fieldwork.ServiceOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "delinquent_since"], name="one_notice_of_a_kind_per_delinquency"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.issued_on:%m/%d/%Y}"


# The options the law (HSC 116908) has the clerk offer on the phone before a shutoff.
PHONE_OPTIONS = [
    ("policy", "Offered the district's written shutoff policy"),
    ("deferral", "Deferred payment"),
    ("reduced", "Reduced or minimum payments"),
    ("amortization", "An alternative payment schedule (amortization over up to 12 months)"),
    ("appeal", "Review and appeal of the bill"),
]


class PhoneContact(models.Model):
    """A call about a delinquency, with what the clerk offered (the script the law asks for)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collection_calls")
    on = models.DateField()
    reached = models.BooleanField(help_text="Spoke with the customer (not a message left).")
    options_offered = models.JSONField(default=list, blank=True)
    willing_to_arrange = models.BooleanField(
        default=False, help_text="The customer is willing to enter an alternative payment arrangement."
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"Call {self.on:%m/%d/%Y}"

    @property
    def policy_offered(self) -> bool:
        return self.reached and {key for key, _ in PHONE_OPTIONS} <= set(self.options_offered)


class HoldKind(models.TextChoices):
    DISPUTE = "dispute", "Bill dispute or appeal"
    EXTENSION = "extension", "Extension of time to pay"


class Hold(models.Model):
    """A bill dispute or an extension: collection steps pause while it is open (Gov. Code 60372)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collection_holds")
    kind = models.CharField(max_length=10, choices=HoldKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="An extension's last day; blank: until closed."
    )
    closed_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    outcome = models.CharField(max_length=300, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="hold_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.starts_on:%m/%d/%Y}"

    @property
    def last_day(self):
        """The last day it holds collection: closed, else its planned end, else open (None)."""
        days = [d for d in (self.closed_on, self.ends_on) if d is not None]
        return min(days) if days else None


class LockoffListStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"


class LockoffList(models.Model):
    """The accounts that may be locked off on a day, proposed by the daily run and confirmed by a lead."""

    day = models.DateField(unique=True)
    status = models.CharField(
        max_length=10, choices=LockoffListStatus.choices, default=LockoffListStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        permissions = [("confirm_lockofflist", "Can confirm a lock-off list (creates lock-off orders)")]

    def __str__(self):
        return f"Lock-off list {self.day:%m/%d/%Y}"


class LockoffCandidate(models.Model):
    """An account on a day's lock-off list, included or excluded, with the amount, the notices and the rule
    trace the policy gave when the list was made."""

    lockoff_list = models.ForeignKey(LockoffList, on_delete=models.CASCADE, related_name="candidates")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    included = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is excluded.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    delinquent_since = models.DateField()
    notices = models.JSONField(default=list)
    trace = models.JSONField(default=list)
    order = models.ForeignKey(
        "fieldwork.ServiceOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-included", "account__premise__zip_code", "account__number"]
        constraints = [
            models.UniqueConstraint(fields=["lockoff_list", "account"], name="one_candidate_per_list_account")
        ]

    def __str__(self):
        return f"{self.account_id} on {self.lockoff_list}"

    @property
    def days_delinquent(self) -> int:
        return (self.lockoff_list.day - self.delinquent_since).days + 1


class CollectionRun(models.Model):
    """One day's collection run, with its counts (count in, count out)."""

    day = models.DateField()
    dry_run = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        permissions = [("run_collections", "Can run the day's collection steps")]

    def __str__(self):
        return f"Collections {self.day:%m/%d/%Y}"


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DEFAULTED = "defaulted", "Defaulted"
    CANCELLED = "cancelled", "Cancelled"


class Arrangement(models.Model):
    """A past-due balance spread over monthly installments (the law's alternative payment schedule). The
    balance is moved in the ledger from the charges it was on to the installments, each due on its day, so the
    account is not delinquent while it keeps them and pays its current bills."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="arrangements")
    starts_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="The past-due balance arranged.")
    installment_count = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE
    )
    reason = models.CharField(max_length=300)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+",
        help_text="The entry that moved the balance to the installments.",
    )  # fmt: skip
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="active"), name="one_active_arrangement_per_account"
            ),
            models.CheckConstraint(
                condition=Q(installment_count__gte=1, installment_count__lte=12),
                name="arrangement_1_to_12_installments",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"Arrangement of {self.amount} from {self.starts_on:%m/%d/%Y}"


class ArrangementInstallment(models.Model):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="one_installment_per_number")
        ]

    def __str__(self):
        return f"Installment {self.number} due {self.due_on:%m/%d/%Y}"


# --- write-offs of final accounts and collection-agency referrals ------------------------------------------


class WriteOffStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


class WriteOff(models.Model):
    """A final account's balance written off to bad debt: posted at once within the requester's write-off
    authority, else waiting for a user whose limit covers it and who is not the requester. One waiting per
    account; a balance owed after a posted write-off may be written off again."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="write_offs")
    final_bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="The balance written off.")
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=WriteOffStatus.choices, default=WriteOffStatus.PENDING)
    why_approval = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who posted it under their authority, approved it, or rejected it.",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_writeoff", "Can approve write-offs above the requester's limit")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_positive"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="pending"), name="one_pending_write_off_per_account"
            ),
            models.CheckConstraint(
                condition=Q(status="posted", entry__isnull=False)
                | (~Q(status="posted") & Q(entry__isnull=True)),
                name="write_off_posted_has_entry",
            ),
        ]

    def __str__(self):
        return f"Write-off ${self.amount} of {self.account.number}"


class ReferralBatch(models.Model):
    """One file of accounts referred to a collection agency, kept as it was sent."""

    agency = models.CharField(max_length=120)
    referred_on = models.DateField()
    count = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=12, decimal_places=2)
    content = models.TextField(help_text="The CSV file as exported.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self):
        return f"Referral file {self.pk} to {self.agency} ({self.referred_on:%m/%d/%Y})"


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "With the agency"
    PAID = "paid", "Paid in full"


class AgencyReferral(models.Model):
    """A written-off account referred to a collection agency (once per account), with what the agency has
    collected and kept as its commission (the sums of its payments)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="agency_referrals")
    write_off = models.ForeignKey(WriteOff, on_delete=models.PROTECT, related_name="referrals")
    batch = models.ForeignKey(ReferralBatch, on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField()
    agency = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="The balance referred.")
    status = models.CharField(max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    collected = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="What the agency collected (gross)."
    )
    commission = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="What the agency kept of it."
    )

    class Meta:
        ordering = ["-referred_on", "-id"]
        permissions = [("export_agencyreferral", "Can refer written-off accounts to a collection agency")]
        constraints = [
            models.UniqueConstraint(fields=["account"], name="one_referral_per_account"),
            models.CheckConstraint(
                condition=Q(collected__gte=0, commission__gte=0, commission__lte=models.F("collected"))
                & Q(collected__lte=models.F("amount")),
                name="referral_collected_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.account.number} referred to {self.agency}"

    @property
    def left(self):
        return self.amount - self.collected


class AgencyPayment(models.Model):
    """Money a collection agency collected on a referred account: the gross it collected, the commission it
    kept, and the entries that reinstated the balance written off, paid it and booked the commission."""

    referral = models.ForeignKey(AgencyReferral, on_delete=models.PROTECT, related_name="payments")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="agency_payments")
    received_on = models.DateField()
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    commission = models.DecimalField(max_digits=12, decimal_places=2)
    agency_reference = models.CharField(max_length=60)
    recovery_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    payment_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    commission_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("post_agencypayment", "Can post a collection agency's payments")]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency_reference"], name="one_agency_payment_per_reference"
            ),
            models.CheckConstraint(
                condition=Q(gross__gt=0, commission__gte=0, commission__lte=models.F("gross")),
                name="agency_commission_within_gross",
            ),
        ]

    def __str__(self):
        return f"Agency payment ${self.gross} on {self.account.number}"

    @property
    def net(self):
        """What reached the district's cash: collected less the commission."""
        return self.gross - self.commission
