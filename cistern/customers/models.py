from django.conf import settings
from django.db import models
from django.db.models import Q

from . import status as account_status


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class CustomerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Customer(models.Model):
    """A person or organisation that receives (or received) service. Never holds a full SSN."""

    kind = models.CharField(max_length=12, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(
        max_length=120, help_text="As printed on the bill: 'Maria Lopez', 'Desert Inn LLC'."
    )
    phone = models.CharField(max_length=20, blank=True)
    phone_alt = models.CharField("alternate phone", max_length=20, blank=True)
    email = models.EmailField(blank=True)
    mailing_street = models.CharField(max_length=120)
    mailing_unit = models.CharField(max_length=30, blank=True)
    mailing_city = models.CharField(max_length=60)
    mailing_state = models.CharField(max_length=2, default="CA")
    mailing_zip = models.CharField(max_length=10)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    paperless = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(paperless=True, email=""), name="customer_paperless_needs_email"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def mailing_address(self) -> str:
        unit = f" {self.mailing_unit}" if self.mailing_unit else ""
        return f"{self.mailing_street}{unit}, {self.mailing_city}, {self.mailing_state} {self.mailing_zip}"


class OccupancyType(models.TextChoices):
    OWNER_OCCUPIED = "owner", "Owner-occupied"
    RENTAL = "rental", "Rental (tenant)"
    VACATION_RENTAL = "vacation", "Vacation rental"
    COMMERCIAL = "commercial", "Commercial / industrial / institutional"


class Premise(models.Model):
    """A service address on a parcel. Accounts come and go at a premise; the premise stays."""

    street = models.CharField(max_length=120)
    unit = models.CharField(max_length=30, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10)
    parcel_number = models.CharField("parcel number (APN)", max_length=20, blank=True, db_index=True)
    zone = models.CharField(max_length=20, blank=True, help_text="Pressure or service zone.")
    occupancy_type = models.CharField(
        max_length=12, choices=OccupancyType.choices, default=OccupancyType.OWNER_OCCUPIED
    )

    class Meta:
        ordering = ["street", "unit"]

    def __str__(self):
        return self.service_address

    @property
    def service_address(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}"


class AccountStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # applied; water not yet on in the customer's name
    ACTIVE = "active", "Active"
    FINAL = "final", "Final"  # service stopped; final bill and closing balance to settle
    CLOSED = "closed", "Closed"


# An open account: the customer is (or is about to be) in service at the premise; at most one per premise.
OPEN_STATUSES = (AccountStatus.PENDING, AccountStatus.ACTIVE)


class AccountRelationship(models.TextChoices):
    OWNER = "owner", "Owner"
    TENANT = "tenant", "Tenant"


class CreditDecision(models.TextChoices):
    ACCEPTABLE = "acceptable", "Acceptable credit (no deposit)"
    DEPOSIT_REQUIRED = "deposit", "Deposit required"
    NO_SSN = "no_ssn", "No SSN given: in-person ID and deposit"
    NOT_CHECKED = "not_checked", "Not checked"


class IdentityMethod(models.TextChoices):
    CREDIT_CHECK = "credit_check", "Soft credit check"
    GOVERNMENT_ID = "government_id", "Government ID in person"
    CLOSING_DISCLOSURE = "closing", "Closing disclosure (owner)"
    EXISTING_CUSTOMER = "existing", "Existing customer in good standing"


class Account(models.Model):
    """A customer receiving service at a premise from a start date to an end date: what is billed and paid."""

    number = models.CharField(max_length=8, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="accounts")
    relationship = models.CharField(max_length=8, choices=AccountRelationship.choices)
    occupancy_type = models.CharField(max_length=12, choices=OccupancyType.choices)
    status = models.CharField(max_length=8, choices=AccountStatus.choices, default=AccountStatus.PENDING)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    # The application: who checked identity and credit (never an SSN), deposit and set-up fee.
    identity_method = models.CharField(max_length=14, choices=IdentityMethod.choices)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_decision = models.CharField(max_length=12, choices=CreditDecision.choices)
    credit_decided_on = models.DateField(null=True, blank=True)
    credit_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deposit_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    deposit_waived_reason = models.CharField(max_length=200, blank=True)
    setup_fee_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    forwarding_street = models.CharField(max_length=120, blank=True)
    forwarding_unit = models.CharField(max_length=30, blank=True)
    forwarding_city = models.CharField(max_length=60, blank=True)
    forwarding_state = models.CharField(max_length=2, blank=True)
    forwarding_zip = models.CharField(max_length=10, blank=True)

    # The account's number in the previous system, kept by the conversion: searchable, and how the legacy
    # system's bills are matched to Cistern's while the two run in parallel.
    legacy_number = models.CharField("number in the previous system", max_length=30, blank=True)

    # Lower-cased name, addresses, phones, parcel and number: what the global search box looks in.
    # Kept by the services that change any of them (and indexed per database in migration 0002).
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["premise", "start_date"], name="account_premise_start_idx"),
            models.Index(fields=["customer", "status"], name="account_customer_status_idx"),
            models.Index(
                fields=["legacy_number"], name="account_legacy_number_idx", condition=~Q(legacy_number="")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="account_end_not_before_start",
            ),
            models.CheckConstraint(condition=Q(deposit_amount__gte=0), name="account_deposit_not_negative"),
            models.CheckConstraint(
                condition=Q(setup_fee_amount__gte=0), name="account_setup_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["final", "closed"], end_date__isnull=False)
                | Q(status__in=["pending", "active"], end_date__isnull=True),
                name="account_end_date_matches_status",
            ),
            # One account in service at a premise at a time (owner or tenant, not both).
            models.UniqueConstraint(
                fields=["premise"],
                condition=Q(status__in=["pending", "active"]),
                name="account_one_open_per_premise",
            ),
        ]
        permissions = [
            ("start_service", "Can start service"),
            ("transfer_service", "Can transfer service"),
            ("stop_service", "Can stop service"),
            ("place_shutoff_hold", "Can place a do-not-shut-off hold"),
        ]

    def __str__(self):
        return f"{self.number} {self.customer.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def status_on(self, day) -> str:
        """The status on `day`: final on its stop date, not before (status.py)."""
        return account_status.status_on(self.status, self.end_date, day)

    def status_label_on(self, day) -> str:
        return AccountStatus(self.status_on(day)).label

    def in_service_on(self, day) -> bool:
        """Open, or stopped on or after `day`: water used that day (a final read on the stop date) was used
        in service."""
        return self.is_open or (self.end_date is not None and day <= self.end_date)

    @property
    def forwarding_address(self) -> str:
        if not self.forwarding_street:
            return ""
        unit = f" {self.forwarding_unit}" if self.forwarding_unit else ""
        return f"{self.forwarding_street}{unit}, {self.forwarding_city}, {self.forwarding_state} {self.forwarding_zip}"


class ServiceEventKind(models.TextChoices):
    START = "start", "Service started"
    TRANSFER_IN = "transfer_in", "Transferred in"
    TRANSFER_OUT = "transfer_out", "Transferred out"
    STOP = "stop", "Service stopped"
    ACTIVATED = "activated", "Activated"
    CLOSED = "closed", "Closed"


class ServiceEvent(models.Model):
    """The service history of an account: starts, transfers, stops. Append-only."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="service_events")
    kind = models.CharField(max_length=12, choices=ServiceEventKind.choices)
    effective_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    related_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_on}"


class FlagKind(models.TextChoices):
    MEDICAL = "medical", "Medical certification"
    LOW_INCOME = "low_income", "Low-income enrolled"
    CASH_ONLY = "cash_only", "Cash only"
    SHUTOFF_HOLD = "shutoff_hold", "Do-not-shut-off hold"


class AccountFlag(models.Model):
    """A fact about an account for a span of time; collections and payments read these."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=14, choices=FlagKind.choices)
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Blank: until removed.")
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-starts_on"]
        indexes = [models.Index(fields=["account", "kind", "starts_on"], name="flag_account_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("starts_on")),
                name="flag_expiry_not_before_start",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def is_in_force(self, on) -> bool:
        return self.starts_on <= on and (self.expires_on is None or on <= self.expires_on)


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "Email"
    MAIL = "mail", "Mail"
    FAX = "fax", "Fax"
    PORTAL = "portal", "Portal"


class ContactEntry(models.Model):
    """One interaction with a customer about an account. Append-only: a mistake is corrected by a new entry."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=120)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "contact entries"
        indexes = [models.Index(fields=["account", "-created_at"], name="contact_account_idx")]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject}"


class OpeningBalance(models.Model):
    """A balance carried over from the district's previous system at conversion, per account.

    The record of the conversion: each row is posted to the ledger as the account's opening journal entry
    (ledger migration 0009, or ledger.services.opening_balance_post), which is what the account owes; the
    row itself is no balance source. Append-only.
    """

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="opening_balance")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    as_of = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.account.number} {self.amount} as of {self.as_of}"
