"""Money in: drawer sessions at the counter, payments and their tenders, receipts, bank deposits, returned
payments (NSF checks and ACH returns), the lockbox, autopay and refunds.

A payment is posted as one journal entry (debit where the money is: undeposited funds for the counter, the
bank for the lockbox, a clearing account for autopay and the processor; credit each account's receivable).
Nothing here is edited once posted: a void, a reversal or a return is a reversing entry, and the payment's
status says which.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account, Customer
from cistern.ledger.models import JournalEntry


class Channel(models.TextChoices):
    """How the money reached the district."""

    COUNTER = "counter", "At the counter"
    MAIL = "mail", "By mail"
    DROP_BOX = "drop_box", "Drop box"
    LOCKBOX = "lockbox", "Bank lockbox"
    AUTOPAY = "autopay", "Autopay (ACH debit)"
    ONLINE = "online", "Online"
    PHONE = "phone", "Pay by phone"
    ACH = "ach", "ACH (bank bill pay)"
    CONVERSION = "conversion", "Prior system (converted)"


# Channels a cashier posts in a drawer session (the mail and the drop box are opened at the counter).
DRAWER_CHANNELS = (Channel.COUNTER, Channel.MAIL, Channel.DROP_BOX)
# Channels the payments API takes (the processor and the IVR), as its `method`.
API_CHANNELS = (Channel.ONLINE, Channel.PHONE, Channel.ACH)


class TenderKind(models.TextChoices):
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    MONEY_ORDER = "money_order", "Money order"
    CARD = "card", "Card (processor reference)"
    ELECTRONIC = "electronic", "Electronic (processor or bank)"


# What a drawer holds at the count: cash, and checks with money orders (counted as items with the checks).
DRAWER_TENDERS = (TenderKind.CASH, TenderKind.CHECK, TenderKind.MONEY_ORDER)


class PaymentStatus(models.TextChoices):
    POSTED = "posted", "Posted"
    VOIDED = "voided", "Voided"  # in its own open session, by its cashier or a lead
    REVERSED = "reversed", "Reversed"  # after its session closed, by a lead: a reversing entry
    RETURNED = "returned", "Returned"  # a check returned unpaid (NSF) or an ACH debit returned


class DrawerStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed, waiting for a lead's audit"
    AUDITED = "audited", "Audited"


class BankDeposit(models.Model):
    """One deposit taken to the bank: the cash and checks of closed, audited drawer sessions."""

    deposit_date = models.DateField()
    cash_total = models.DecimalField(max_digits=12, decimal_places=2)
    check_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    denominations = models.JSONField(default=dict, help_text="Cash by denomination, as the slip lists it.")
    checks = models.JSONField(default=list, help_text="Each check and money order: number, amount, payment.")
    bank_reference = models.CharField(max_length=60, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deposit_date", "-id"]
        permissions = [("prepare_deposit", "Can assemble a bank deposit from audited drawers")]

    def __str__(self):
        return f"Deposit {self.pk} {self.deposit_date:%m/%d/%Y} ${self.total:,.2f}"


class DrawerSession(models.Model):
    """A cashier's drawer from opening float to close and a lead's audit. The float is not revenue: it is
    counted back at the close and stays with the drawer."""

    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawer = models.CharField(max_length=30, help_text="Which drawer, e.g. Counter 1.")
    business_day = models.DateField()
    opening_float = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=DrawerStatus.choices, default=DrawerStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    # The blind count, entered before the expected figures are shown.
    closed_at = models.DateTimeField(null=True, blank=True)
    count = models.JSONField(null=True, blank=True, help_text="Notes, coins, rolls and the list of checks.")
    counted_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    counted_checks = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_checks = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    variance = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Counted less expected: over positive."
    )  # fmt: skip
    variance_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    variance_note = models.CharField(max_length=300, blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audited_at = models.DateTimeField(null=True, blank=True)
    audit_note = models.CharField(max_length=300, blank=True)
    deposit = models.ForeignKey(
        BankDeposit, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cashier"], condition=Q(status="open"), name="one_open_drawer_per_cashier"
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="drawer_float_not_negative"),
        ]
        permissions = [
            ("use_drawer", "Can open a drawer and take payments at the counter"),
            ("audit_drawer", "Can audit others' closed drawers and reverse their payments"),
        ]

    def __str__(self):
        return f"Drawer {self.drawer} {self.business_day:%m/%d/%Y} ({self.get_status_display()})"


class Payment(models.Model):
    """Money received from one customer in one go: one or more tenders, split across one or more of the
    customer's accounts (its parts), posted as one journal entry. The receipt number is the payment's."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    session = models.ForeignKey(
        DrawerSession, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField(help_text="The payment's date in the books.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.POSTED)
    cash_tendered = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    change_given = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    reference = models.CharField(
        max_length=60, blank=True, help_text="The processor's reference, the lockbox item or the ACH trace."
    )  # fmt: skip
    # The API's Idempotency-Key (with the body it came with), so a retry returns the same payment.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True, help_text="Why it was voided or reversed.")

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["session", "status"], name="payment_session_idx"),
            models.Index(fields=["received_on", "channel"], name="payment_day_channel_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_more_than_zero"),
            models.CheckConstraint(condition=Q(change_given__gte=0), name="payment_change_not_negative"),
            # A drawer's payments are in a session; nothing else is.
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in DRAWER_CHANNELS], session__isnull=False)
                | (~Q(channel__in=[c.value for c in DRAWER_CHANNELS]) & Q(session__isnull=True)),
                name="payment_session_iff_drawer_channel",
            ),
        ]
        permissions = [
            ("post_remote_payment", "Can post payments from the processor and the IVR (API)"),
            ("reverse_payment", "Can reverse a payment whose drawer session is closed"),
        ]

    def __str__(self):
        return f"Payment {self.receipt_number} ${self.amount:,.2f}"

    @property
    def receipt_number(self) -> str:
        return f"R{self.pk:08d}"


class PaymentTender(models.Model):
    """How part of a payment was paid. Card data is the processor's reference, the brand and the last four
    digits only (PCI DSS SAQ A): no card number, expiry or security code is ever taken."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="tenders")
    kind = models.CharField(max_length=12, choices=TenderKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    check_number = models.CharField(max_length=20, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last_four = models.CharField(max_length=4, blank=True)
    reference = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["payment_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tender_more_than_zero"),
            models.CheckConstraint(
                condition=Q(card_last_four="") | Q(card_last_four__regex=r"^[0-9]{4}$"),
                name="tender_card_last_four_digits",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ${self.amount:,.2f}"


class PaymentPart(models.Model):
    """What of a payment went to one account, and how it was applied to the account's open charges (oldest
    due first; on one due date by the district's priority); what is left over is a credit on the account."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="parts")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payment_parts")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    applied = models.JSONField(default=list, help_text="[{line, kind, due, amount}] in payment order.")
    credit = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["payment_id", "id"]
        indexes = [models.Index(fields=["account", "payment"], name="payment_part_account_idx")]
        constraints = [
            models.UniqueConstraint(fields=["payment", "account"], name="one_part_per_account"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="part_more_than_zero"),
        ]

    def __str__(self):
        return f"{self.payment} to account {self.account_id}: ${self.amount:,.2f}"


class ReceiptPrint(models.Model):
    """Each time a receipt was printed: the first is the original, every later one says COPY."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="prints")
    size = models.CharField(max_length=10)  # "80mm" or "letter"
    copy = models.BooleanField()
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payment_id", "id"]

    def __str__(self):
        return f"Receipt {self.payment_id} {self.size}{' (copy)' if self.copy else ''}"


class ReturnKind(models.TextChoices):
    NSF_CHECK = "nsf_check", "Returned check"
    ACH = "ach", "ACH return"


class PaymentReturn(models.Model):
    """A payment the bank returned unpaid: the payment reversed, the returned-payment fee charged, a letter."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="returned")
    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    returned_on = models.DateField()
    reason_code = models.CharField(max_length=10, blank=True, help_text="The ACH return code (R01...).")
    reason = models.CharField(max_length=200)
    fee_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_language = models.CharField(max_length=5, default="en")
    letter_pdf = models.BinaryField(null=True, blank=True, help_text="The returned-payment letter, as sent.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-returned_on", "-id"]
        permissions = [("record_return", "Can record a returned check or ACH return")]

    def __str__(self):
        return f"{self.get_kind_display()} of payment {self.payment_id} on {self.returned_on:%m/%d/%Y}"


# --- the lockbox -----------------------------------------------------------------------------------------


class LockboxFile(models.Model):
    """A remittance detail file from the bank, imported whole or not at all."""

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    items = models.PositiveIntegerField()
    posted = models.PositiveIntegerField()
    suspense = models.PositiveIntegerField()
    already = models.PositiveIntegerField(help_text="Items posted before (the same file again).")
    total = models.DecimalField(max_digits=14, decimal_places=2)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        permissions = [("import_lockbox", "Can import the bank's lockbox and BAI2 files")]

    def __str__(self):
        return f"Lockbox file {self.file_name}"


class LockboxStatus(models.TextChoices):
    POSTED = "posted", "Posted"
    SUSPENSE = "suspense", "In suspense"
    APPLIED = "applied", "Applied from suspense"
    RETURNED = "returned", "Sent back to the bank"


class LockboxItem(models.Model):
    """One remittance of a lockbox file: posted to the account its scanline names, or held in suspense with
    the reason until a clerk applies it."""

    file = models.ForeignKey(LockboxFile, on_delete=models.PROTECT, related_name="lockbox_items")
    line = models.PositiveIntegerField()
    scanline = models.CharField(max_length=60)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    check_number = models.CharField(max_length=20)
    deposit_date = models.DateField()
    status = models.CharField(max_length=10, choices=LockboxStatus.choices)
    reason = models.CharField(max_length=200, blank=True, help_text="Why it is in suspense.")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="lockbox_item"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["file_id", "line"]
        indexes = [models.Index(fields=["status", "deposit_date"], name="lockbox_status_idx")]
        constraints = [
            # The same remittance is never posted twice, whichever file brings it again.
            models.UniqueConstraint(
                fields=["scanline", "check_number", "amount", "deposit_date"], name="lockbox_item_once"
            ),
        ]

    def __str__(self):
        return f"Lockbox item {self.scanline} ${self.amount:,.2f} ({self.get_status_display()})"


class Bai2Reconciliation(models.Model):
    """The bank's BAI2 day against the lockbox items posted for it: the difference goes on a report."""

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    as_of = models.DateField()
    bank_lockbox_total = models.DecimalField(max_digits=14, decimal_places=2)
    posted_lockbox_total = models.DecimalField(max_digits=14, decimal_places=2)
    difference = models.DecimalField(max_digits=14, decimal_places=2)
    details = models.JSONField(default=dict)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self):
        return f"BAI2 {self.as_of:%m/%d/%Y}: difference ${self.difference:,.2f}"


# --- autopay -------------------------------------------------------------------------------------------


class BankAccountType(models.TextChoices):
    CHECKING = "checking", "Checking"
    SAVINGS = "savings", "Savings"


class EnrolmentStatus(models.TextChoices):
    PRENOTE = "prenote", "Prenote pending"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class AutopayEnrolment(models.Model):
    """An account's authorisation to debit a bank account for each bill. The bank account number is stored
    encrypted and shown masked; it is decrypted only to write the NACHA file."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="autopay_enrolments")
    holder_name = models.CharField(max_length=22)
    routing_number = models.CharField(max_length=9)
    bank_account_encrypted = models.TextField()
    bank_account_last_four = models.CharField(max_length=4)
    bank_account_type = models.CharField(max_length=10, choices=BankAccountType.choices)
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PRENOTE)
    live_from = models.DateField(null=True, blank=True, help_text="3 banking days after the prenote settles.")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["account_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=~Q(status="ended"), name="one_autopay_enrolment_per_account"
            ),
        ]
        permissions = [("export_autopay", "Can write the autopay NACHA file")]

    def __str__(self):
        return f"Autopay for account {self.account_id} ({self.get_status_display()})"


class AchFile(models.Model):
    """A NACHA file written for the bank. The file itself is sensitive: only its totals are kept here."""

    settle_on = models.DateField()
    file_id_modifier = models.CharField(max_length=1)
    entries = models.PositiveIntegerField()
    total_debits = models.DecimalField(max_digits=14, decimal_places=2)
    entry_hash = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"ACH file {self.settle_on:%m/%d/%Y} {self.file_id_modifier}"


class DebitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent to the bank"
    RETURNED = "returned", "Returned"
    CANCELLED = "cancelled", "Cancelled"


class AutopayDebit(models.Model):
    """A debit (or the enrolment's zero-dollar prenote) scheduled for a settlement day, then sent in a file."""

    enrolment = models.ForeignKey(AutopayEnrolment, on_delete=models.PROTECT, related_name="debits")
    prenote = models.BooleanField(default=False)
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    settle_on = models.DateField()
    status = models.CharField(max_length=10, choices=DebitStatus.choices, default=DebitStatus.SCHEDULED)
    presentment = models.PositiveSmallIntegerField(
        default=1, help_text="2 and 3: presented again after R01/R09."
    )
    file = models.ForeignKey(AchFile, null=True, blank=True, on_delete=models.PROTECT, related_name="debits")
    trace_number = models.CharField(max_length=15, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="autopay_debit"
    )
    return_code = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["settle_on", "id"]
        indexes = [models.Index(fields=["status", "settle_on"], name="autopay_debit_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "presentment"],
                condition=Q(bill__isnull=False),
                name="one_debit_per_bill_presentment",
            ),
            models.UniqueConstraint(
                fields=["trace_number"], condition=~Q(trace_number=""), name="autopay_trace_unique"
            ),
        ]

    def __str__(self):
        return f"{'Prenote' if self.prenote else 'Debit'} ${self.amount:,.2f} on {self.settle_on:%m/%d/%Y}"


# --- refunds ------------------------------------------------------------------------------------------


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPORTED = "exported", "Sent to accounts payable"


class Refund(models.Model):
    """A credit balance paid back to the customer by accounts payable: approved by a lead within their
    authority, then exported as a CSV. Approval moves the credit from the receivable to refunds payable."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    payee = models.CharField(max_length=120)
    mailing_address = models.CharField(max_length=300)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(null=True, blank=True)
    export_batch = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_more_than_zero"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="pending"), name="one_pending_refund_per_account"
            ),
        ]
        permissions = [
            ("approve_refund", "Can approve refunds within their authority"),
            ("export_refunds", "Can export approved refunds for accounts payable"),
        ]

    def __str__(self):
        return f"Refund ${self.amount:,.2f} to account {self.account_id} ({self.get_status_display()})"
