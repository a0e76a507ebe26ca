from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account, Premise


class Route(models.Model):
    """A meter reader's route: service points in read sequence. When it is read is its bill cycle's read day
    (billing.CycleRoute)."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ServicePointKind(models.TextChoices):
    DOMESTIC = "domestic", "Domestic"
    IRRIGATION = "irrigation", "Irrigation"
    FIRE_LINE = "fire_line", "Fire line"


class ServicePoint(models.Model):
    """Where water is delivered at a premise; meters are installed here over time."""

    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="service_points")
    kind = models.CharField(
        max_length=12, choices=ServicePointKind.choices, default=ServicePointKind.DOMESTIC
    )
    route = models.ForeignKey(
        Route, null=True, blank=True, on_delete=models.PROTECT, related_name="service_points"
    )
    read_sequence = models.PositiveIntegerField(default=0)
    location_note = models.CharField(
        max_length=120, blank=True, help_text="Where the box is: 'front yard, left'."
    )

    class Meta:
        ordering = ["route", "read_sequence"]
        indexes = [models.Index(fields=["route", "read_sequence"], name="sp_route_seq_idx")]

    def __str__(self):
        return f"{self.premise.service_address} ({self.get_kind_display()})"


class MeterSize(models.TextChoices):
    # Written as the district and the rate tables write them.
    FIVE_EIGHTHS = "5/8", '5/8"'
    THREE_QUARTER = "3/4", '3/4"'
    ONE = "1", '1"'
    ONE_HALF = "1 1/2", '1 1/2"'
    TWO = "2", '2"'
    THREE = "3", '3"'
    FOUR = "4", '4"'
    SIX = "6", '6"'
    EIGHT = "8", '8"'
    TEN = "10", '10"'


class MeterStatus(models.TextChoices):
    IN_STOCK = "stock", "In stock"
    INSTALLED = "installed", "Installed"
    RETIRED = "retired", "Retired"


class Meter(models.Model):
    serial = models.CharField(max_length=30, unique=True)
    size = models.CharField(max_length=6, choices=MeterSize.choices)
    make = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=40, blank=True)
    dials = models.PositiveSmallIntegerField(
        default=6, help_text="Register digits: the register rolls over at 10^dials."
    )
    multiplier = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal("1"))
    unit = models.CharField(max_length=8, default="HCF")
    status = models.CharField(max_length=10, choices=MeterStatus.choices, default=MeterStatus.IN_STOCK)
    purchased_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(condition=Q(dials__gte=3, dials__lte=9), name="meter_dials_3_9"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="meter_multiplier_positive"),
        ]

    def __str__(self):
        return f'{self.serial} ({self.size}")'


class MeterInstallation(models.Model):
    """A meter at a service point from one date to another; a change-out ends one and starts the next."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="installations")
    installed_on = models.DateField()
    initial_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    removed_on = models.DateField(null=True, blank=True)
    final_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-installed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter"], condition=Q(removed_on__isnull=True), name="installation_one_open_per_meter"
            ),
            models.UniqueConstraint(
                fields=["service_point"],
                condition=Q(removed_on__isnull=True),
                name="installation_one_open_per_point",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("installed_on")),
                name="installation_removed_after_installed",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True, final_value__isnull=True)
                | Q(removed_on__isnull=False, final_value__isnull=False),
                name="installation_final_value_with_removal",
            ),
        ]

    def __str__(self):
        return f"{self.meter.serial} at {self.service_point} from {self.installed_on}"


class ReadKind(models.TextChoices):
    ACTUAL = "actual", "Actual"
    ESTIMATED = "estimated", "Estimated"
    CUSTOMER = "customer", "Customer"
    FIELD = "field", "Field"
    INITIAL = "initial", "Initial"
    FINAL = "final", "Final"


class ReadSource(models.TextChoices):
    HANDHELD = "handheld", "Handheld"
    AMR = "amr", "AMR drive-by"
    AMI = "ami", "AMI"
    MANUAL = "manual", "Manual entry"
    SERVICE_ORDER = "service_order", "Service order"
    ESTIMATE = "estimate", "Estimated by Cistern"
    CONVERSION = "conversion", "Converted from the previous system"


class ReadStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    EXCEPTION = "exception", "Exception"
    REJECTED = "rejected", "Rejected"


class ReadImport(models.Model):
    """One read file taken in. The file's hash is unique, so the same file imported again changes nothing."""

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.file_name} ({self.rows} reads)"


class Read(models.Model):
    """A register value of a meter on a date. Consumption is the difference of accepted reads."""

    # No single-column indexes where a composite one below leads with the column, and none on who entered or
    # reviewed a read: every index is paid for on each of a million imported reads.
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="reads", db_index=False)
    installation = models.ForeignKey(
        MeterInstallation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reads",
        db_index=False,
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="reads", db_index=False
    )
    read_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=10, choices=ReadKind.choices, default=ReadKind.ACTUAL)
    source = models.CharField(max_length=14, choices=ReadSource.choices)
    status = models.CharField(max_length=10, choices=ReadStatus.choices)
    # Units since the previous accepted read of this installation (rollover and multiplier applied).
    consumption = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    problems = models.JSONField(
        default=list, blank=True, help_text="What validation found: [{code, message}]."
    )
    reader_code = models.CharField(max_length=10, blank=True)
    note = models.CharField(max_length=200, blank=True)
    read_import = models.ForeignKey(
        ReadImport, null=True, blank=True, on_delete=models.PROTECT, related_name="reads"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-read_on", "-id"]
        indexes = [
            models.Index(fields=["meter", "read_on"], name="read_meter_date_idx"),
            models.Index(fields=["account", "read_on"], name="read_account_date_idx"),
            # An installation's history, as validation reads it (the newest accepted reads).
            models.Index(
                fields=["installation", "read_on"],
                name="read_installation_accepted_idx",
                condition=Q(status="accepted"),
            ),
            models.Index(
                fields=["status", "read_on"], name="read_status_idx", condition=Q(status="exception")
            ),
        ]
        constraints = [
            # One read of a meter per day that counts: a second one is an exception or is rejected.
            models.UniqueConstraint(
                fields=["meter", "read_on"], condition=Q(status="accepted"), name="read_one_accepted_per_day"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="read_value_not_negative"),
        ]
        permissions = [
            ("review_read", "Can review read exceptions"),
            ("import_reads", "Can import read files"),
        ]

    def __str__(self):
        return f"{self.meter.serial} {self.read_on} {self.value}"


class ReadRules(models.Model):
    """The district's read-validation thresholds: one row, data not code."""

    high_percent = models.PositiveIntegerField(
        default=100,
        help_text="A read is high when usage is more than this % above the account's typical usage.",
    )
    low_percent = models.PositiveIntegerField(
        default=70,
        help_text="A read is low when usage is more than this % below the account's typical usage.",
    )
    minimum_typical_units = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("3"),
        help_text="Below this typical usage, high and low are not judged (tiny numbers swing wildly).",
    )  # fmt: skip
    rollover_window_percent = models.PositiveIntegerField(
        default=20,
        help_text="A lower read is a plausible rollover when both reads lie within this % of the register's end.",
    )

    class Meta:
        verbose_name_plural = "read rules"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="read_rules_single_row")]

    def __str__(self):
        return "Read validation rules"
