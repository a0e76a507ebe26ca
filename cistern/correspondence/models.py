"""Letter and e-mail templates (per language, versioned), the correspondence sent from them, and print batches."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class TemplateLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class LetterTemplate(models.Model):
    """One letter (or e-mail, or text) in one language; its wording is in its versions, the highest current."""

    code = models.SlugField(max_length=40)
    language = models.CharField(
        max_length=2, choices=TemplateLanguage.choices, default=TemplateLanguage.ENGLISH
    )
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.LETTER)
    name = models.CharField(max_length=120)
    help_text = models.TextField(
        blank=True, help_text="When it is sent and which merge fields its caller gives."
    )
    active = models.BooleanField(default=True)
    adhoc = models.BooleanField(
        default=False, help_text="Offered on the account page for a letter or memo written there."
    )

    class Meta:
        ordering = ["code", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language", "channel"], name="letter_template_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display().lower()}, {self.language})"


class TemplateVersion(models.Model):
    """A template's wording at one time: append-only (a change is a new, higher number)."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="template_version_number_positive"),
        ]

    def __str__(self):
        return f"{self.template.code}/{self.template.language} v{self.number}"


class CorrespondenceStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    PRINTED = "printed", "Printed"
    RETURNED = "returned", "Returned undeliverable"
    FAILED = "failed", "Failed"


class PrintBatch(models.Model):
    """A day's letters printed together: one PDF in mailing (ZIP) order after a cover sheet."""

    day = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    letter_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name_plural = "print batches"

    def __str__(self):
        return f"Print batch {self.pk} of {self.day:%m/%d/%Y} ({self.letter_count} letters)"


class Correspondence(models.Model):
    """A letter or e-mail as it was written to a customer (or an occupant), and what became of it."""

    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="correspondence"
    )
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    status = models.CharField(
        max_length=8, choices=CorrespondenceStatus.choices, default=CorrespondenceStatus.QUEUED
    )
    recipient_name = models.CharField(max_length=200)
    address_lines = models.TextField(blank=True, help_text="The mailing lines after the name, one a line.")
    zip_code = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    language = models.CharField(max_length=2, default="en")
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    source_kind = models.CharField(max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    issued_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    returned_on = models.DateField(null=True, blank=True)
    returned_reason = models.CharField(max_length=200, blank=True)
    returned_resolved_at = models.DateTimeField(null=True, blank=True)
    returned_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_note = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name_plural = "correspondence"
        indexes = [
            models.Index(fields=["account", "issued_on"], name="corr_account_issued_idx"),
            models.Index(fields=["status", "channel"], name="corr_status_channel_idx"),
            models.Index(fields=["source_kind", "source_id"], name="corr_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | Q(returned_on__isnull=False), name="corr_returned_has_day"
            ),
            models.CheckConstraint(
                condition=~Q(status="printed") | Q(print_batch__isnull=False), name="corr_printed_in_batch"
            ),
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(email=""), name="corr_email_has_address"
            ),
        ]
        permissions = [
            ("mark_returned", "Can mark a letter returned undeliverable"),
            ("resolve_returned", "Can resolve returned mail"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.pk}: {self.subject}"

    @property
    def lines(self) -> list[str]:
        return [line for line in self.address_lines.splitlines() if line.strip()]


class FormDocument(models.Model):
    """A blank form the counter hands out (a start-service application, a payment arrangement request...) in one
    language; its PDF is in its versions, the highest current."""

    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    language = models.CharField(
        max_length=2, choices=TemplateLanguage.choices, default=TemplateLanguage.ENGLISH
    )
    description = models.TextField(blank=True, help_text="What the form is for and who fills it in.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="form_document_unique"),
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"


class FormVersion(models.Model):
    """One upload of a form's PDF: append-only (a new PDF is a new, higher number; the earlier stay)."""

    form = models.ForeignKey(FormDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="correspondence/forms/%Y/%m/", max_length=200)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="form_version_number_positive"),
        ]

    def __str__(self):
        return f"{self.form.code}/{self.form.language} v{self.number}"

    @property
    def filename(self) -> str:
        """The name the PDF is served under: the form's code (a slug), language and version, nothing typed."""
        return f"{self.form.code}-{self.form.language}-v{self.number}.pdf"
