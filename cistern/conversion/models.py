"""A conversion from the previous system and the parallel bills that prove it: each attempt is kept with its
outcome and its report, refused or dry run included, so the go-live decision has its evidence."""

from django.conf import settings
from django.db import models


class ConversionOutcome(models.TextChoices):
    REFUSED = "refused", "Refused (errors)"
    DRY_RUN = "dry_run", "Dry run: nothing written"
    CONVERTED = "converted", "Converted"


class ConversionRun(models.Model):
    """One run of `convert` (command or page): what was read, what was (or would have been) loaded, the
    reconciliation against the legacy trial balance, the errors and warnings."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    folder = models.CharField(max_length=255, help_text="The folder or uploaded file converted.")
    as_of = models.DateField()
    dry_run = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=ConversionOutcome.choices)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first 1,000, as file:line:field: message."
    )
    warnings = models.JSONField(default=list, blank=True)
    legacy_totals = models.JSONField(
        default=dict, blank=True, help_text="The legacy trial balance, as typed in."
    )
    report = models.JSONField(default=dict, blank=True, help_text="The reconciliation: rows and totals.")

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("run_conversion", "Can convert a district from its previous system")]

    def __str__(self) -> str:
        return f"Conversion of {self.folder} as of {self.as_of} ({self.get_outcome_display()})"


class ParallelRun(models.Model):
    """One comparison of Cistern's trial bills with the legacy system's for a period (`parallel_bills`).
    Nothing is posted; `result` holds the counts per reason and every difference, largest first."""

    created_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    folder = models.CharField(max_length=255)
    period_end = models.DateField()
    cycle = models.CharField(max_length=12, blank=True, help_text="Blank: every cycle billed for the period.")
    compared = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_parallel_bills", "Can compare the previous system's bills with Cistern's")]

    def __str__(self) -> str:
        return f"Parallel bills for {self.period_end}: {self.matched} of {self.compared} match"
