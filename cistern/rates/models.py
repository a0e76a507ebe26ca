"""Rate schedules with effective-dated versions, and the fee catalog. Every figure is data, never code."""

from django.db import models
from django.db.models import Q

from cistern.metering.models import MeterSize


class RateClass(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"
    IRRIGATION = "irrigation", "Irrigation"
    FIRE_LINE = "fire_line", "Fire line"


class ScheduleKind(models.TextChoices):
    MAXIMUM = "maximum", "Maximum adopted"  # the ceiling a Proposition 218 hearing allows
    BILLED = "billed", "Billed"  # what the board chose to bill (at most the maximum)


class RateSchedule(models.Model):
    """A schedule the board adopted (e.g. Scenario A, the maximum; Scenario C, billed)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=ScheduleKind.choices)
    resolution = models.CharField(
        max_length=60, blank=True, help_text="The board resolution that adopted it."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class RateScheduleVersion(models.Model):
    """The rates of a schedule from a date on."""

    schedule = models.ForeignKey(RateSchedule, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField()
    notes = models.TextField(blank=True)
    basic_gl = models.CharField("GL account, basic fees", max_length=20, default="4100")
    usage_gl = models.CharField("GL account, usage", max_length=20, default="4110")

    class Meta:
        ordering = ["schedule", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "effective_from"], name="rate_version_once_per_date")
        ]

    def __str__(self):
        return f"{self.schedule.name} from {self.effective_from:%m/%d/%Y}"


class BilledSchedule(models.Model):
    """Which schedule is billed from which date (the board may bill below the maximum 'until further
    notice'); the rows in date order are the district's billing history."""

    effective_from = models.DateField(unique=True)
    schedule = models.ForeignKey(RateSchedule, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=120, blank=True, help_text="Board action or note.")

    class Meta:
        ordering = ["effective_from"]

    def __str__(self):
        return f"{self.schedule.name} billed from {self.effective_from:%m/%d/%Y}"


class BasicFee(models.Model):
    version = models.ForeignKey(RateScheduleVersion, on_delete=models.CASCADE, related_name="basic_fees")
    rate_class = models.CharField(max_length=12, choices=RateClass.choices)
    meter_size = models.CharField(max_length=6, choices=MeterSize.choices)
    monthly_amount = models.DecimalField(max_digits=12, decimal_places=2)
    assumed = models.BooleanField(
        default=False, help_text="Not published by the district: an assumed figure."
    )

    class Meta:
        ordering = ["version", "rate_class", "meter_size"]
        constraints = [
            models.UniqueConstraint(fields=["version", "rate_class", "meter_size"], name="basic_fee_once"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="basic_fee_not_negative"),
        ]

    def __str__(self):
        return f'{self.get_rate_class_display()} {self.meter_size}": ${self.monthly_amount} a month'


class UsageBlock(models.Model):
    """Units after `after_units` through `through_units` (blank: and up) at `price_per_unit`. Tier 1 of
    "units 1-5" is after 0 through 5; a flat rate is one block after 0 with no end."""

    version = models.ForeignKey(RateScheduleVersion, on_delete=models.CASCADE, related_name="usage_blocks")
    rate_class = models.CharField(max_length=12, choices=RateClass.choices)
    meter_size = models.CharField(max_length=6, choices=MeterSize.choices)
    tier = models.PositiveSmallIntegerField()
    after_units = models.DecimalField(max_digits=12, decimal_places=2)
    through_units = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_per_unit = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["version", "rate_class", "meter_size", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "rate_class", "meter_size", "tier"], name="usage_block_once"
            ),
            models.CheckConstraint(
                condition=Q(through_units__isnull=True) | Q(through_units__gt=models.F("after_units")),
                name="usage_block_has_width",
            ),
        ]

    def __str__(self):
        through = f"-{self.through_units}" if self.through_units is not None else " and up"
        return f'{self.get_rate_class_display()} {self.meter_size}" tier {self.tier}: {self.after_units}{through}'


class FeeKind(models.TextChoices):
    FIXED = "fixed", "Fixed amount"
    GREATER_OF = "greater_of", "Greater of an amount or a percent"


class Fee(models.Model):
    """A charge of the fee catalog (account set-up, deposit, late penalty, notice, reconnection, NSF, meter
    test), from a date on. Services look fees up by code and date; a new amount is a new row."""

    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=FeeKind.choices, default=FeeKind.FIXED)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Of the past-due amount (greater of).",
    )
    after_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days past due before it applies (late penalty)."
    )
    gl_account = models.CharField(max_length=20, default="4200")
    effective_from = models.DateField()
    source = models.CharField(max_length=120, blank=True, help_text="Where the figure comes from.")
    is_interest = models.BooleanField(
        default=False,
        help_text="A late charge that is interest: waived once in any 12 months for a low-income customer "
        "(HSC 116914).",
    )

    class Meta:
        ordering = ["code", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="fee_once_per_date")]

    def __str__(self):
        return self.name


class FeeCap(models.Model):
    """The most a low-income customer is charged for a fee of the catalog, from a date on: the law's caps on
    reconnection (HSC 116914: $50 during operating hours, $150 outside them, adjusted each year for inflation
    from 2021). The district adds a row from the date a new figure applies; a cap in force keeps its amount."""

    fee_code = models.SlugField(max_length=30, help_text="The code of the fee it caps.")
    starts_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from.")

    class Meta:
        ordering = ["fee_code", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["fee_code", "starts_on"], name="fee_cap_once_per_date"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_cap_not_negative"),
        ]

    def __str__(self):
        return f"Cap on {self.fee_code} from {self.starts_on:%m/%d/%Y}"
