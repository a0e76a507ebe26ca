"""The team's schedule: manual calendar events (the derived ones are computed, never stored), calendar feed
tokens, coverage (staff workweeks, leave, lunches, who is on which position each half-day) and the office's
opening and closing checklist."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import coverage, derive


class EventKind(models.TextChoices):
    """What a manual event is. Derived events (read days, bill print, penalties, notices, lock-offs, scheduled
    change-outs and program orders) have kinds of their own in derive.py and are never stored."""

    MEETING = "meeting", "Meeting"
    CHANGE_OUT = derive.CHANGE_OUT, "Meter change-out day"
    PROGRAM = derive.PROGRAM, "Special program day"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Event(models.Model):
    """A manual calendar event: the team's (no user) or one person's (a training, an appointment)."""

    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=EventKind.choices, default=EventKind.OTHER)
    day = models.DateField()
    at = models.TimeField(null=True, blank=True, help_text="Blank: all day.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="schedule_events",
        help_text="Blank: a team event.",
    )  # fmt: skip
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "at", "pk"]
        indexes = [models.Index(fields=["day"], name="schedule_event_day_idx")]
        permissions = [
            ("use_feed", "Can subscribe to the schedule's calendar feeds (own feed URL)"),
            ("rotate_team_feed", "Can rotate the team's calendar feed URL"),
        ]

    def __str__(self):
        return f"{self.title} {self.day:%m/%d/%Y}"


class FeedToken(models.Model):
    """A calendar feed's secret: one per user, one for the team (user empty). Only its SHA-256 is stored; the
    URL is shown once, when the token is made. Rotating replaces the row, which ends the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedule_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=True), name="schedule_one_team_feed"
            )
        ]

    def __str__(self):
        return f"{self.prefix}… feed of {self.user or 'the team'}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Pattern(models.TextChoices):
    FIVE_EIGHT = coverage.FIVE_EIGHT, "5/8 (Monday to Friday, 8 hours)"
    FOUR_TEN = coverage.FOUR_TEN, "4/10 (four 10-hour days, one weekday off)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class Workweek(models.Model):
    """A staff member's workweek from a day on (the latest one started applies)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workweeks")
    pattern = models.CharField(max_length=4, choices=Pattern.choices, default=Pattern.FIVE_EIGHT)
    day_off = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    starts_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["user", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "starts_on"], name="schedule_one_workweek_a_day"),
            models.CheckConstraint(
                condition=(Q(pattern="4x10") & Q(day_off__isnull=False) & Q(day_off__lte=4))
                | (Q(pattern="5x8") & Q(day_off__isnull=True)),
                name="schedule_workweek_day_off",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_pattern_display()} from {self.starts_on:%m/%d/%Y}"


class Half(models.TextChoices):
    AM = coverage.AM, "Morning"
    PM = coverage.PM, "Afternoon"


class Leave(models.Model):
    """Leave of a whole day or days, or half of one day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leaves")
    first_day = models.DateField()
    last_day = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices, blank=True, help_text="Blank: whole days.")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["first_day", "user"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="schedule_leave_span"
            ),
            models.CheckConstraint(
                condition=Q(half="") | Q(last_day=models.F("first_day")),
                name="schedule_half_day_leave_one_day",
            ),
        ]

    def __str__(self):
        return f"Leave of {self.user} {self.first_day:%m/%d/%Y}-{self.last_day:%m/%d/%Y}"


class Lunch(models.Model):
    """A person's lunch on a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lunches")
    day = models.DateField()
    starts_at = models.TimeField()
    minutes = models.PositiveSmallIntegerField(default=30)

    class Meta:
        ordering = ["day", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="schedule_one_lunch_a_day"),
            models.CheckConstraint(
                condition=Q(minutes__gte=15, minutes__lte=90), name="schedule_lunch_length"
            ),
        ]

    def __str__(self):
        return f"Lunch of {self.user} {self.day:%m/%d/%Y} {self.starts_at:%H:%M}"


class Position(models.TextChoices):
    COUNTER = coverage.COUNTER, "Counter"
    PHONES = coverage.PHONES, "Phones"
    DRAWER = coverage.DRAWER, "Drawer"
    RADIO = coverage.RADIO, "Radio"


class Assignment(models.Model):
    """Who covers a position on a half-day."""

    day = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices)
    position = models.CharField(max_length=8, choices=Position.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["day", "half", "position"]
        constraints = [
            models.UniqueConstraint(fields=["day", "half", "position"], name="schedule_one_per_slot"),
        ]
        permissions = [("manage_coverage", "Can assign coverage, workweeks, leave and lunches")]

    def __str__(self):
        return f"{self.get_position_display()} {self.day:%m/%d/%Y} {self.get_half_display()}: {self.user}"


class ChecklistPart(models.TextChoices):
    OPENING = "opening", "Opening"
    CLOSING = "closing", "Closing"


class ChecklistStep(models.Model):
    """A step of opening or closing the office (seeded; the district may add or retire steps in admin)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80)
    part = models.CharField(max_length=8, choices=ChecklistPart.choices)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["part", "position", "pk"]

    def __str__(self):
        return f"{self.get_part_display()}: {self.name}"


class ChecklistRecord(models.Model):
    """A step done on a day: by whom and when."""

    day = models.DateField()
    step = models.ForeignKey(ChecklistStep, on_delete=models.PROTECT, related_name="records")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day", "step"]
        constraints = [models.UniqueConstraint(fields=["day", "step"], name="schedule_step_once_a_day")]
        permissions = [("acknowledge_checklist_miss", "Can acknowledge a missed opening or closing step")]

    def __str__(self):
        return f"{self.step.name} {self.day:%m/%d/%Y}"


class ChecklistMiss(models.Model):
    """A supervisor's acknowledgement of a step not recorded on a business day, with a note."""

    day = models.DateField()
    step = models.ForeignKey(ChecklistStep, on_delete=models.PROTECT, related_name="misses")
    note = models.CharField(max_length=300)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "step"]
        constraints = [
            models.UniqueConstraint(fields=["day", "step"], name="schedule_miss_acknowledged_once"),
            models.CheckConstraint(condition=~Q(note=""), name="schedule_miss_has_note"),
        ]

    def __str__(self):
        return f"Missed {self.step.name} {self.day:%m/%d/%Y}"
