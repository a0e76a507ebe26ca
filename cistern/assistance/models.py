"""The Customer Account Assistance Program for leaks: its terms (data, by effective date) and the applications."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account

# Proof of repair: a receipt, an invoice or a photo.
PROOF_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
PROOF_TYPES = {"application/pdf", "image/jpeg", "image/png"}
PROOF_MAX_BYTES = 5 * 1024 * 1024


class LeakReliefTerms(models.Model):
    """The program's thresholds and relief settings from a day on (the latest in force applies)."""

    effective_on = models.DateField(unique=True)
    bill_increase_minimum = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("700.00"),
        help_text="How much a bill must be above the same period last year.",
    )  # fmt: skip
    max_per_5_years = models.PositiveSmallIntegerField(
        default=2, help_text="Reliefs in 5 years per customer, and per address."
    )
    max_consecutive_cycles = models.PositiveSmallIntegerField(default=2)
    forgiven_share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        help_text="Percent of the excess units forgiven.",
    )
    relief_price = models.DecimalField(
        max_digits=12, decimal_places=4, default=Decimal("8.00"),
        help_text="The price per unit the forgiven units are billed at (e.g. the first tier's).",
    )  # fmt: skip
    adjustment_reason = models.SlugField(
        max_length=30,
        default="leak_adjustment",
        help_text="The adjustment reason code the relief posts with.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on"]
        verbose_name = "leak relief terms"
        verbose_name_plural = "leak relief terms"
        constraints = [
            models.CheckConstraint(
                condition=Q(forgiven_share__gte=0, forgiven_share__lte=100),
                name="leak_forgiven_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(relief_price__gte=0, bill_increase_minimum__gte=0), name="leak_terms_not_negative"
            ),
        ]

    def __str__(self):
        return f"Leak relief terms from {self.effective_on:%m/%d/%Y}"


class ApplicationStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class LeakReliefApplication(models.Model):
    """A customer's application for leak relief on one or two bills, with proof of the repair. While under
    review no late fee is charged and no collection step is taken on the account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="leak_relief_applications")
    bills = models.ManyToManyField("billing.Bill", related_name="leak_relief_applications")
    repair_proof = models.FileField(
        upload_to="assistance/repair_proof/%Y/%m/", validators=[FileExtensionValidator(PROOF_EXTENSIONS)]
    )
    repaired_on = models.DateField()
    primary_residence = models.BooleanField(
        default=False, help_text="The owner declares the premise their primary residence."
    )
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.UNDER_REVIEW
    )
    applied_on = models.DateField(help_text="The district's date of the application: the review starts.")
    eligible = models.BooleanField(default=False)
    checks = models.JSONField(default=list, help_text="[{rule, label, passed, detail}, ...] as judged.")
    relief_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    terms = models.ForeignKey(LeakReliefTerms, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True, help_text="Approved, denied or withdrawn on.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    adjustment = models.OneToOneField(
        "ledger.Adjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="leak_relief",
        help_text="The relief's credit (posted, or waiting for approval above the approver's limit).",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["status", "account"], name="leak_app_status_account_idx")]
        permissions = [("decide_leakreliefapplication", "Can approve or deny leak relief")]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="under_review"), name="one_leak_review_per_account"
            ),
            models.CheckConstraint(condition=Q(relief_amount__gte=0), name="leak_relief_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(adjustment__isnull=False, decided_on__isnull=False),
                name="leak_approved_has_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(status="under_review") | Q(decided_on__isnull=False), name="leak_decided_has_day"
            ),
        ]

    def __str__(self):
        return f"Leak relief application {self.pk} ({self.get_status_display()})"
