"""The front desk: cases (complaints and disputes) with their SLA table and history, calls and where they were
routed, visitors in the building, and the radio log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account

from . import lifecycle
from .sla import PRIORITIES


class CasePriority(models.TextChoices):
    URGENT = PRIORITIES[0], "Urgent"
    HIGH = PRIORITIES[1], "High"
    NORMAL = PRIORITIES[2], "Normal"
    LOW = PRIORITIES[3], "Low"


class CaseCategory(models.Model):
    """A kind of case (data, seeded by a migration; the district's to add to). A bill dispute pauses collection
    steps on the account while its case is open."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80)
    bill_dispute = models.BooleanField(
        default=False, help_text="A case of this kind on an account pauses collection steps until resolved."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "case categories"

    def __str__(self):
        return self.name


class SlaRule(models.Model):
    """The SLA table: a category at a priority is resolved within so many business days."""

    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="sla_rules")
    priority = models.CharField(max_length=8, choices=CasePriority.choices)
    business_days = models.PositiveSmallIntegerField(
        help_text="Business days (district calendar) to resolve."
    )

    class Meta:
        ordering = ["category__name", "priority"]
        verbose_name = "SLA rule"
        constraints = [
            models.UniqueConstraint(fields=["category", "priority"], name="one_sla_per_category_priority"),
            models.CheckConstraint(condition=Q(business_days__lte=365), name="sla_days_within_a_year"),
        ]

    def __str__(self):
        return f"{self.category}, {self.get_priority_display()}: {self.business_days} business days"


class CaseStatus(models.TextChoices):
    OPEN = lifecycle.OPEN, lifecycle.LABELS[lifecycle.OPEN]
    CSS_II = lifecycle.CSS_II, lifecycle.LABELS[lifecycle.CSS_II]
    SUPERVISOR = lifecycle.SUPERVISOR, lifecycle.LABELS[lifecycle.SUPERVISOR]
    RESOLVED = lifecycle.RESOLVED, lifecycle.LABELS[lifecycle.RESOLVED]
    REOPENED = lifecycle.REOPENED, lifecycle.LABELS[lifecycle.REOPENED]


class NotifiedBy(models.TextChoices):
    PHONE = "phone", "Phone"
    LETTER = "mail", "Letter"
    EMAIL = "email", "E-mail"


class CaseCounter(models.Model):
    """The last case number given in a year (locked while the next is taken)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Cases of {self.year}: {self.last}"


class Case(models.Model):
    """A complaint or dispute, with its due date from the SLA table, its owner and level, and its history."""

    number = models.CharField(max_length=14, unique=True, help_text="C-2026-00042: read out to the customer.")
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases")
    priority = models.CharField(max_length=8, choices=CasePriority.choices, default=CasePriority.NORMAL)
    description = models.TextField(max_length=2000)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_owned",
        help_text="Blank: escalated and not yet taken at its level.",
    )  # fmt: skip
    opened_on = models.DateField()
    due_on = models.DateField()
    resolution = models.TextField(max_length=2000, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    notified_by = models.CharField(max_length=6, choices=NotifiedBy.choices, blank=True)
    notified_on = models.DateField(null=True, blank=True)
    hold = models.ForeignKey(
        "collections.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The bill-dispute hold this case keeps open on the account (collection steps pause).",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="case_status_due_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_status_idx"),
        ]
        permissions = [
            ("escalate_case", "Can escalate a case"),
            ("reassign_case", "Can reassign cases and take those escalated to CSS II (lead)"),
            ("supervise_case", "Can take cases escalated to the Supervisor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False), name="case_resolved_has_day"
            ),
        ]

    def __str__(self):
        return f"Case {self.number}"

    @property
    def level(self) -> str:
        return lifecycle.level(self.status)

    @property
    def active(self) -> bool:
        return self.status in lifecycle.ACTIVE


class CaseEventKind(models.TextChoices):
    CREATED = "created", "Created"
    ASSIGNED = "assigned", "Assigned"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    NOTIFIED = "notified", "Customer notified"
    REOPENED = "reopened", "Reopened"


class CaseEvent(models.Model):
    """One change of a case: who, when, from and to what, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The owner after the change.",
    )  # fmt: skip
    reason = models.TextField(max_length=2000, blank=True)
    on = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case}: {self.get_kind_display()}"


class RoutingTarget(models.Model):
    """Where a call is sent: a department or a person (data, seeded; the district's to change)."""

    name = models.CharField(max_length=80, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="A person: their call-backs wait in their queue. Blank: a department.",
    )  # fmt: skip
    phone_extension = models.CharField(max_length=10, blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class CallOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    TRANSFERRED = "transferred", "Transferred"
    MESSAGE = "message", "Message taken"
    CALLBACK = "callback", "Call back"


class Call(models.Model):
    """An incoming call as logged at the desk, and what it became (a contact entry, a case, a service order)."""

    taken_on = models.DateField()
    taken_at = models.DateTimeField()
    caller_name = models.CharField(max_length=120, blank=True)
    caller_phone = models.CharField(max_length=20, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    reason = models.CharField(max_length=300)
    routed_to = models.ForeignKey(
        RoutingTarget, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    outcome = models.CharField(max_length=12, choices=CallOutcome.choices)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    callback_done_at = models.DateTimeField(null=True, blank=True)
    callback_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_note = models.CharField(max_length=300, blank=True)
    contact_entry = models.ForeignKey(
        "customers.ContactEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    order = models.ForeignKey(
        "fieldwork.ServiceOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["taken_on"], name="call_taken_on_idx"),
            models.Index(
                fields=["outcome"], condition=Q(outcome="callback", callback_done_at__isnull=True),
                name="call_callback_open_idx",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"Call {self.pk} from {self.caller_name or self.caller_phone or 'unknown caller'}"

    @property
    def callback_open(self) -> bool:
        return self.outcome == CallOutcome.CALLBACK and self.callback_done_at is None


class Visit(models.Model):
    """A visitor signed in at the desk with a badge, until signed out."""

    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=120, blank=True)
    purpose = models.CharField(max_length=200)
    host = models.CharField(max_length=120, help_text="Whom they visit.")
    badge = models.CharField(max_length=10)
    signed_in_on = models.DateField()
    signed_in_at = models.DateTimeField()
    signed_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_out_at = models.DateTimeField(null=True, blank=True)
    signed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_in_at", "-id"]
        indexes = [models.Index(fields=["signed_in_on"], name="visit_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["badge"], condition=Q(signed_out_at__isnull=True), name="one_badge_in_the_building"
            ),
        ]

    def __str__(self):
        return f"{self.name} (badge {self.badge})"


class RadioEntry(models.Model):
    """A line of the radio log: when, which unit, what was said, and the service order it was about."""

    heard_on = models.DateField()
    heard_at = models.TimeField()
    unit = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    order = models.ForeignKey(
        "fieldwork.ServiceOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["heard_on", "heard_at", "id"]
        indexes = [models.Index(fields=["heard_on", "heard_at"], name="radio_day_idx")]
        verbose_name_plural = "radio entries"

    def __str__(self):
        return f"{self.heard_on:%m/%d/%Y} {self.heard_at:%H:%M} {self.unit}"
