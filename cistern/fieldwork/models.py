from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from cistern.customers.models import Account, Premise
from cistern.metering.models import MeterInstallation, MeterSize, Read, ServicePoint

from . import lifecycle


class ServiceOrderType(models.Model):
    """A kind of field work. Data, not code: seeded by migration 0002, the district may add its own."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    default_duration = models.PositiveSmallIntegerField(help_text="Minutes on site, for planning a day.")
    requires_read = models.BooleanField(default=False, help_text="Completion needs a meter read.")
    requires_meter_swap = models.BooleanField(
        default=False, help_text="Completion sets a new meter (change-out or new installation)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    OPEN = lifecycle.OPEN, "Open"
    SCHEDULED = lifecycle.SCHEDULED, "Scheduled"
    DISPATCHED = lifecycle.DISPATCHED, "Dispatched"
    COMPLETED = lifecycle.COMPLETED, "Completed"
    CLOSED = lifecycle.CLOSED, "Closed"
    VOIDED = lifecycle.VOIDED, "Voided"


class Priority(models.TextChoices):
    EMERGENCY = "1", "Emergency"
    URGENT = "2", "Urgent"
    ROUTINE = "3", "Routine"


class OrderOrigin(models.TextChoices):
    MANUAL = "manual", "Entered by staff"
    START = "start", "Start service"
    TRANSFER = "transfer", "Transfer service"
    STOP = "stop", "Stop service"
    PROGRAM = "program", "Special program"
    READ_EXCEPTION = "read_exception", "Read exception"
    CONNECTION = "connection", "New connection"
    COLLECTIONS = "collections", "Collections"


class ServiceOrder(models.Model):
    """Typed work for a field technician at a premise, with a lifecycle (lifecycle.py) and completion data."""

    number = models.PositiveIntegerField(unique=True)
    order_type = models.ForeignKey(ServiceOrderType, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    priority = models.CharField(max_length=1, choices=Priority.choices, default=Priority.ROUTINE)
    origin = models.CharField(max_length=14, choices=OrderOrigin.choices, default=OrderOrigin.MANUAL)

    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="service_orders")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="service_orders"
    )
    service_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="service_orders"
    )
    # The read exception a re-read order answers (one live order per exception: see constraints).
    source_read = models.ForeignKey(
        Read, null=True, blank=True, on_delete=models.PROTECT, related_name="service_orders"
    )

    requested_on = models.DateField()
    scheduled_on = models.DateField(null=True, blank=True)
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
    )
    notes = models.TextField(blank=True, help_text="Instructions for the technician.")
    follow_up = models.BooleanField(
        default=False, help_text="Customer service calls the customer back when the order is completed."
    )

    completed_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(
        null=True, blank=True, help_text="The day the work was done in the field (the completion's day)."
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field_notes = models.TextField(blank=True)
    read = models.ForeignKey(Read, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    installation = models.ForeignKey(
        MeterInstallation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    photo = models.ImageField(
        upload_to="fieldwork/photos/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "heic"])],
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=200, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["status", "scheduled_on"], name="order_status_day_idx"),
            models.Index(fields=["technician", "scheduled_on"], name="order_tech_day_idx"),
            models.Index(fields=["account", "-number"], name="order_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="voided") | ~Q(void_reason=""), name="order_void_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "closed"]) | Q(completed_at__isnull=False),
                name="order_completed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "dispatched"]) | Q(scheduled_on__isnull=False),
                name="order_scheduled_has_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="dispatched") | Q(technician__isnull=False),
                name="order_dispatched_has_technician",
            ),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_end__gt=models.F("window_start")),
                name="order_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(followed_up_at__isnull=True) | Q(follow_up=True),
                name="order_followed_up_if_asked",
            ),
            # A read exception gets at most one live re-read order (a program run twice creates nothing new).
            models.UniqueConstraint(
                fields=["source_read"],
                condition=Q(source_read__isnull=False) & ~Q(status="voided"),
                name="order_one_live_per_read",
            ),
        ]
        permissions = [
            ("dispatch_serviceorder", "Can assign and dispatch service orders (dispatcher board)"),
            ("complete_serviceorder", "Can complete service orders in the field"),
            ("void_serviceorder", "Can void service orders"),
            ("run_order_program", "Can generate service orders in bulk (special programs)"),
        ]

    def __str__(self):
        return f"SO-{self.number} {self.order_type.name}"

    @property
    def label(self) -> str:
        return f"SO-{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in lifecycle.ACTIVE


class ServiceOrderEvent(models.Model):
    """The history of an order: one row per change of status, schedule or assignment. Append-only."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order.label} {self.action} {self.from_status}->{self.to_status}"


class ConnectionApplication(models.Model):
    """A development inquiry: a new connection to the system, its charges and the meter-install order."""

    job_number = models.CharField(max_length=12, unique=True)
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="connection_applications")
    applicant_name = models.CharField(max_length=120)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    meter_size = models.CharField(max_length=6, choices=MeterSize.choices)
    capacity_charge = models.DecimalField(max_digits=12, decimal_places=2)
    meter_installation_fee = models.DecimalField(max_digits=12, decimal_places=2)
    notes = models.TextField(blank=True)
    order = models.OneToOneField(
        ServiceOrder, on_delete=models.PROTECT, related_name="connection_application"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_charge__gte=0), name="connection_capacity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(meter_installation_fee__gte=0), name="connection_install_fee_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.job_number} {self.applicant_name}"
