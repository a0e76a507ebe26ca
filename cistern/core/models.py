from datetime import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator
from django.db import models


class DistrictSettings(models.Model):
    """The district itself: one row. Read with `core.selectors.district_settings()`."""

    name = models.CharField(max_length=120, default="Cistern Water District")
    short_name = models.CharField(max_length=30, default="Cistern")
    street = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=40, default="America/Los_Angeles")
    office_opens = models.TimeField(default=time(8, 0))
    office_closes = models.TimeField(default=time(17, 0))
    # Start-service amounts until the fee catalog (rates) takes them over.
    account_setup_fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("35.00"))
    guarantee_deposit = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("200.00"))
    # Proration: a service period of this many days bills one full month; shorter or longer ones scale the
    # basic fee and each usage block by days / 30.
    regular_period_min_days = models.PositiveSmallIntegerField(default=27)
    regular_period_max_days = models.PositiveSmallIntegerField(default=33)
    # Bills: due this many days after the bill date; a trial bill this much above the same period last year
    # is flagged for review.
    bill_due_days = models.PositiveSmallIntegerField(default=20)
    bill_high_percent = models.PositiveSmallIntegerField(
        default=50, help_text="Flag a bill this many percent above the same period last year."
    )
    # Set by the conversion from the previous system: that system billed the converted reads up to this date,
    # so a converted meter's first bill here starts at its last converted read on or before it.
    converted_on = models.DateField(
        "conversion date",
        null=True,
        blank=True,
        help_text="The --as-of date of the conversion from the previous system (blank: never converted).",
    )
    due_on_business_day = models.BooleanField(
        default=True,
        help_text="A bill falling due on a day the office is closed is due the next business day.",
    )
    final_bill_days = models.PositiveSmallIntegerField(
        default=10,
        help_text="A stopped account with no final bill this many days after its stop is listed "
        "on Accounts not billed.",
    )
    # Good-payment rule: a guarantee deposit is credited back to the account after this many months of service
    # with at most this many late payments (and no lock-off, when asked). Defaults from domain/district.md.
    deposit_refund_months = models.PositiveSmallIntegerField(default=24)
    deposit_refund_max_late = models.PositiveSmallIntegerField(default=2)
    deposit_refund_no_lockoff = models.BooleanField(default=True)
    holiday_subdivision = models.CharField(
        max_length=2, default="CA", help_text="US state whose holidays close the office, with federal ones."
    )
    # How customers may pay: the bill's "how to pay" names only the channels turned on here.
    pay_at_office = models.BooleanField(default=True, help_text="Cash, check and card at the counter.")
    pay_by_mail = models.BooleanField(default=True, help_text="Checks mailed with the bill's stub.")
    pay_drop_box = models.BooleanField(default=False, help_text="A night drop box at the office.")
    pay_online_url = models.URLField(
        blank=True, help_text="The processor's payment page; blank: no online payment."
    )
    pay_by_phone_number = models.CharField(
        max_length=20, blank=True, help_text="Blank: no pay-by-phone line."
    )
    pay_autopay = models.BooleanField(default=True, help_text="Automatic bank debit (ACH) on the due date.")
    # Payments: the order a payment pays charges due on the same day, and the cash-only rule after returns.
    payment_priority = models.CharField(
        max_length=100, default="deposit,fees,water",
        help_text="Charge kinds paid first on the same due date, comma separated (deposit, fees, water).",
    )  # fmt: skip
    cash_only_after_returns = models.PositiveSmallIntegerField(
        default=2, help_text="Returned payments in 12 months that make an account cash-only."
    )
    cash_only_months = models.PositiveSmallIntegerField(default=12, help_text="How long cash-only lasts.")
    standard_float = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("150.00"),
        help_text="A drawer's usual opening float.",
    )
    # Autopay: the NACHA file's ids (from the district's bank agreement).
    ach_company_name = models.CharField(max_length=16, default="CISTERN WATER")
    ach_company_id = models.CharField(max_length=10, default="1953000000", help_text="Usually 1 + the EIN.")
    ach_odfi_routing = models.CharField(max_length=9, default="122000247", help_text="The district's bank.")
    ach_destination_name = models.CharField(max_length=23, default="DISTRICT BANK")
    ach_origin_name = models.CharField(max_length=23, default="CISTERN WATER DISTRICT")

    # Collections (SB 998). The law's figures are floors: the validators refuse less, and the policy
    # (collections/policy.py) raises anything looser to the floor again.
    reminder_days = models.PositiveSmallIntegerField(
        default=10, help_text="The past-due reminder is mailed this many days after the due date."
    )
    shutoff_notice_days = models.PositiveSmallIntegerField(
        default=30, help_text="The shutoff notice is mailed this many days after the due date."
    )
    shutoff_delinquent_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(60)],
        help_text="No shutoff until a bill is this many days delinquent (the law: at least 60).",
    )  # fmt: skip
    shutoff_notice_business_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(7)],
        help_text="The notice is mailed at least this many business days before a shutoff (the law: 7).",
    )  # fmt: skip
    shutoff_notice_calendar_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(10)],
        help_text="... and at least this many days before it (the law: 10).",
    )  # fmt: skip
    occupant_notice_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(10)],
        help_text="Occupants of a landlord's premises are told at least this many days before (the law: 10).",
    )  # fmt: skip
    door_hanger_hours = models.PositiveSmallIntegerField(
        default=48, validators=[MinValueValidator(48)],
        help_text="A door-hanger is left at least this many hours before a shutoff.",
    )  # fmt: skip
    final_notice_business_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(5)],
        help_text="A broken arrangement: the final notice is posted this many business days before (law: 5).",
    )  # fmt: skip
    shutoff_minimum_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="No shutoff notice or lock-off for less past due than this.",
    )  # fmt: skip
    reconnect_cutoff = models.TimeField(
        default=time(15, 0), help_text="Paid before this hour: reconnected the same business day."
    )
    collections_phone = models.CharField(
        max_length=20, blank=True, help_text="The number on notices for discussing payment options."
    )
    write_off_days = models.PositiveSmallIntegerField(
        default=90,
        help_text="A final account still owing this many days after its final bill's due date may be written "
        "off to bad debt (and referred to a collection agency).",
    )

    class Meta:
        verbose_name = "district settings"
        verbose_name_plural = "district settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="district_settings_single_row")]

    def __str__(self):
        return self.name


class DistrictSuspension(models.Model):
    """A board's district-wide suspension of late fees, shutoffs or both, from one day through another (an
    emergency, a heat wave). The late-fee assessment and the shutoff policy both honour it."""

    starts_on = models.DateField()
    ends_on = models.DateField()
    late_fees = models.BooleanField(default=True, help_text="No late fee is charged in the span.")
    shutoffs = models.BooleanField(default=True, help_text="No shutoff for nonpayment in the span.")
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="suspension_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(late_fees=True) | models.Q(shutoffs=True),
                name="suspension_suspends_something",
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%m/%d/%Y}-{self.ends_on:%m/%d/%Y} {self.reason}"


class ClosureDay(models.Model):
    """A day the office is closed beyond the federal and state holidays (board decision, emergency)."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.reason}"


class HolidaySource(models.TextChoices):
    PACKAGE = "package", "Federal or state list"
    DISTRICT = "district", "Added by the district"


class Holiday(models.Model):
    """A holiday on the district's list: observed ones close the office. Package rows are loaded from the
    `holidays` package (federal and the district's state; federal ones the state skips load as not observed)
    by `core.services.holidays_load`, which never changes a row that exists; the district toggles `observed`
    and adds its own."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=120)
    observed = models.BooleanField(default=True, help_text="The office is closed that day.")
    source = models.CharField(max_length=10, choices=HolidaySource.choices, default=HolidaySource.DISTRICT)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=HolidaySource.values), name="holiday_source_known"
            )
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.name}"


class AuditEvent(models.Model):
    """Who changed what, when and why. Append-only: database triggers refuse UPDATE and DELETE."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    # The customer account the change concerns, so the account page can show its trail. A plain id:
    # core sits below the customers app and cannot point a foreign key at it.
    account_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account_id", "-created_at"], name="audit_account_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]
        permissions = [
            ("view_user_audit", "Can view the audit trail of any user"),
            ("view_team", "Can view the team page (each member's queues and owned work) and hand work on"),
            ("view_dashboard", "Can view the dashboard (the day's payments, orders, exceptions, trends)"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class AuthorityKind(models.TextChoices):
    ADJUSTMENT = "adjustment", "Largest adjustment without approval"
    PAYMENT_VOID = "payment_void", "Largest payment void without approval"
    WRITE_OFF = "write_off", "Largest write-off without approval"


class AuthorityLimit(models.Model):
    """How far a role may go on its own. Rows, so the district changes them without a release."""

    role = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="authority_limits")
    kind = models.CharField(max_length=30, choices=AuthorityKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["kind", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["role", "kind"], name="authority_limit_role_kind_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="authority_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.role.name}: {self.get_kind_display()} ${self.amount}"


class NumberSequence(models.Model):
    """A named counter handed out under a row lock (account numbers, later order and receipt numbers)."""

    name = models.CharField(max_length=40, primary_key=True)
    next_value = models.BigIntegerField()

    def __str__(self):
        return f"{self.name} → {self.next_value}"


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life: `manage.py db_worker` writes its row every minute, and /healthz fails
    when the newest row is too old. Rows of workers that stopped are pruned by the running ones."""

    worker = models.CharField(max_length=255, unique=True, help_text="hostname:pid")
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker} {self.last_seen:%Y-%m-%d %H:%M:%S}"
