"""Every write of correspondence: issuing letters and e-mails from templates (one, or thousands in one
statement per table), printing the day's letters, returned mail, and a template's new version. Each checks the
actor's permission, runs in one transaction and is audited; e-mail goes to the mail server after the commit of
the record that says it is to go, and its outcome (sent, or failed with why) is written back."""

import logging
from collections.abc import Iterable
from datetime import date
from functools import partial

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_event, audit_record
from cistern.core.models import AuditEvent
from cistern.core.permissions import require
from cistern.core.selectors import district_settings

from . import letter_pdf, lifecycle, rendering
from .models import Channel, Correspondence, CorrespondenceStatus, LetterTemplate, PrintBatch, TemplateVersion
from .signals import letter_returned
from .values import LetterRequest, Recipient

__all__ = [
    "CorrespondenceError", "LetterRequest", "Recipient", "correspondence_pdf", "correspondence_retry",
    "correspondence_send", "letter_issue", "letters_issue", "mark_returned", "preview", "print_batch_create",
    "print_batch_pdf", "returned_resolve", "template_version_add",
]  # fmt: skip

log = logging.getLogger(__name__)

ISSUE = "correspondence.add_correspondence"
MARK_RETURNED = "correspondence.mark_returned"
RESOLVE_RETURNED = "correspondence.resolve_returned"
PRINT = "correspondence.add_printbatch"
NEW_VERSION = "correspondence.add_templateversion"

CHUNK = 2000


class CorrespondenceError(Exception):
    """A letter that cannot be written, sent, printed or marked as asked; the message says what to do."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- templates and rendering -----------------------------------------------------------------------------


def district_context(district=None) -> dict:
    from .merge import district_context as build

    return build(district)


def _versions(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str, str], TemplateVersion]:
    """The current version of each active template with these (code, channel): {(code, channel, language)}."""
    pairs = set(pairs)
    codes = {code for code, _ in pairs}
    templates = {
        t.pk: t
        for t in LetterTemplate.objects.filter(code__in=codes, active=True)
        if (t.code, t.channel) in pairs
    }
    if not templates:
        return {}
    latest = dict(
        TemplateVersion.objects.filter(template_id__in=templates)
        .values("template_id")
        .annotate(top=Max("number"))
        .values_list("template_id", "top")
    )
    found = {}
    for version in TemplateVersion.objects.filter(template_id__in=templates).select_related("template"):
        if latest.get(version.template_id) == version.number:
            t = version.template
            found[(t.code, t.channel, t.language)] = version
    return found


def _pick(versions: dict, request: LetterRequest) -> tuple[TemplateVersion, str]:
    for language in (request.language, "en"):
        version = versions.get((request.template_code, request.channel, language))
        if version is not None:
            return version, language
    raise CorrespondenceError(
        f"There is no active {request.channel} template {request.template_code!r} (in {request.language} or "
        "English): add it, or turn it on, on the templates page.",
        "template_code",
    )


def preview(*, subject: str, body: str, context: dict, language: str = "en", on: date | None = None):
    """(subject, body) as a letter would read, rendered against `context` with the district's fields."""
    full = {"district": district_context(), "today": on or clock.today(), **context}
    try:
        return rendering.render(subject, body, full, language)
    except rendering.TemplateTextError as exc:
        raise CorrespondenceError(f"The template does not read: {exc}") from None


def _record(actor, request: LetterRequest, versions: dict, district: dict, on: date) -> Correspondence:
    if request.channel not in Channel.values:
        raise CorrespondenceError(f"Unknown channel {request.channel!r}.", "channel")
    if request.channel == Channel.TEXT:
        raise CorrespondenceError("Text messages are not sent yet: send a letter or an e-mail.", "channel")
    recipient = request.recipient
    if request.channel == Channel.EMAIL and not recipient.email.strip():
        raise CorrespondenceError(
            f"{recipient.name} has no e-mail address: send a letter instead.", "channel"
        )
    if request.channel == Channel.LETTER and not any(line.strip() for line in recipient.lines):
        raise CorrespondenceError(f"{recipient.name} has no mailing address.", "recipient")
    version, language = _pick(versions, request)
    context = {"district": district, "today": on, **request.context}
    try:
        subject, body = rendering.render(version.subject, version.body, context, language)
    except Exception as exc:  # a template that compiled but cannot render these values
        raise CorrespondenceError(
            f"Template {request.template_code!r} version {version.number} could not be written: {exc}"
        ) from None
    return Correspondence(
        account_id=request.account_id, template_version=version, channel=request.channel,
        status=CorrespondenceStatus.QUEUED, recipient_name=recipient.name[:200],
        address_lines="\n".join(line for line in recipient.lines if line.strip()), zip_code=recipient.zip_code[:10],
        email=recipient.email.strip() if request.channel == Channel.EMAIL else recipient.email.strip()[:254],
        subject=subject[:300], body=body, language=language, key=request.key or None,
        source_kind=request.source_kind, source_id=request.source_id, issued_on=on,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip


def _issued(actor, record: Correspondence) -> AuditEvent:
    return audit_event(
        actor=actor, action="correspondence.issue", obj=record, account_id=record.account_id,
        after={"template": record.template_version.template.code, "version": record.template_version.number,
               "channel": record.channel, "language": record.language, "recipient": record.recipient_name,
               "subject": record.subject, "key": record.key, "source": f"{record.source_kind}:{record.source_id}"
               if record.source_kind else ""},
    )  # fmt: skip


def _send_after_commit(records: Iterable[Correspondence]) -> None:
    ids = [record.pk for record in records if record.channel == Channel.EMAIL]
    if ids:
        transaction.on_commit(partial(_enqueue_emails, ids))


def _enqueue_emails(ids: list[int]) -> None:
    from .tasks import send_emails

    send_emails.enqueue(ids)


# --- issuing ---------------------------------------------------------------------------------------------


def letter_issue(*, actor, request: LetterRequest, on: date | None = None) -> Correspondence:
    """Write one letter or e-mail from its template's current version. A request whose key was issued before
    answers with that record (nothing written, nothing sent again). E-mail goes after the commit."""
    require(actor, ISSUE)
    on = on or clock.today()
    if request.key:
        existing = Correspondence.objects.filter(key=request.key).first()
        if existing is not None:
            return existing
    versions = _versions([(request.template_code, request.channel)])
    record = _record(actor, request, versions, district_context(), on)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
            _issued(actor, record).save(force_insert=True)
            _send_after_commit([record])
    except IntegrityError:
        existing = Correspondence.objects.filter(key=request.key).first() if request.key else None
        if existing is None:
            raise
        return existing
    return record


def letters_issue(*, actor, requests: list[LetterRequest], on: date | None = None) -> list[Correspondence]:
    """Many letters at once (a day's notices): the templates read once, the records and their audit rows
    written in one transaction a table at a time; a request whose key exists (before, or earlier in the list)
    answers with that record. Returns a record per request, in the requests' order. Renders no PDF."""
    require(actor, ISSUE)
    on = on or clock.today()
    if not requests:
        return []
    for attempt in range(2):
        try:
            return _letters_issue(actor, requests, on)
        except IntegrityError:
            if attempt:  # another writer issued the same keys twice in a row: say so
                raise CorrespondenceError("Another run is issuing the same letters: try again.") from None
    raise AssertionError("unreachable")


def _letters_issue(actor, requests: list[LetterRequest], on: date) -> list[Correspondence]:
    keys = list({r.key for r in requests if r.key})
    existing: dict[str, Correspondence] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing.update((c.key, c) for c in Correspondence.objects.filter(key__in=chunk).defer("body"))
    versions = _versions((r.template_code, r.channel) for r in requests)
    district = district_context()
    out, new = [], []
    for request in requests:
        found = existing.get(request.key) if request.key else None
        if found is None:
            found = _record(actor, request, versions, district, on)
            new.append(found)
            if request.key:
                existing[request.key] = found
        out.append(found)
    with transaction.atomic():
        Correspondence.objects.bulk_create(new, batch_size=1000)
        AuditEvent.objects.bulk_create([_issued(actor, r) for r in new], batch_size=1000)
        _send_after_commit(new)
    return out


# --- e-mail ----------------------------------------------------------------------------------------------


def correspondence_send(correspondence_id: int) -> Correspondence:
    """Send a queued (or failed) e-mail now, with its letter as a PDF: under the record's lock, so two senders
    never both send it. Sent: status sent and when; refused: status failed and the server's answer."""
    with transaction.atomic():
        record = (
            Correspondence.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=correspondence_id)
        )
        if record.channel != Channel.EMAIL or not lifecycle.can(record.status, lifecycle.SEND):
            return record
        before = {"status": record.status}
        try:
            message = EmailMessage(subject=record.subject, body=record.body, to=[record.email])
            message.attach(f"letter-{record.pk}.pdf", correspondence_pdf(record), "application/pdf")
            message.send()
        except Exception as exc:  # the mail server's refusal, a network failure: kept, shown, retried by hand
            log.warning("E-mail %s to %s failed: %s", record.pk, record.email, exc)
            record.status = lifecycle.after(record.status, lifecycle.FAIL)
            record.error = f"{type(exc).__name__}: {exc}"[:2000]
            record.save(update_fields=["status", "error"])
            action = "correspondence.send_failed"
        else:
            record.status = lifecycle.after(record.status, lifecycle.SEND)
            record.sent_at, record.error = timezone.now(), ""
            record.save(update_fields=["status", "sent_at", "error"])
            action = "correspondence.sent"
        audit_record(
            actor=None, action=action, obj=record, account_id=record.account_id, before=before,
            after={"status": record.status, "email": record.email, "error": record.error},
        )  # fmt: skip
    return record


def correspondence_retry(*, actor, correspondence: Correspondence) -> Correspondence:
    """Send a failed e-mail again (after the mail server or the address is fixed)."""
    require(actor, ISSUE)
    if correspondence.channel != Channel.EMAIL or correspondence.status != CorrespondenceStatus.FAILED:
        raise CorrespondenceError("Only a failed e-mail is sent again.")
    return correspondence_send(correspondence.pk)


# --- returned mail ---------------------------------------------------------------------------------------


def _locked(correspondence: Correspondence) -> Correspondence:
    return Correspondence.objects.select_for_update(of=("self",)).get(pk=correspondence.pk)


def mark_returned(*, actor, correspondence: Correspondence, on: date, reason: str) -> Correspondence:
    """The post office sent the letter back undeliverable (or the e-mail bounced): it joins the returned-mail
    queue, and `letter_returned` is sent after the commit."""
    require(actor, MARK_RETURNED)
    reason = (reason or "").strip()
    if not reason:
        raise CorrespondenceError("Say why it came back (the post office's reason).", "reason")
    if not isinstance(on, date):
        raise CorrespondenceError("Give the day it came back.", "on")
    with transaction.atomic():
        record = _locked(correspondence)
        if not lifecycle.can(record.status, lifecycle.RETURN):
            raise CorrespondenceError(
                f"It is {record.get_status_display().lower()}: only a printed letter or a sent e-mail comes back."
            )
        if on < record.issued_on or on > clock.today():
            raise CorrespondenceError(
                f"It was issued on {record.issued_on:%m/%d/%Y}: it comes back on or after that day, and not later "
                "than today.", "on",
            )  # fmt: skip
        before = {"status": record.status}
        record.status = lifecycle.after(record.status, lifecycle.RETURN)
        record.returned_on, record.returned_reason = on, reason[:200]
        record.save(update_fields=["status", "returned_on", "returned_reason"])
        audit_record(
            actor=actor, action="correspondence.returned", obj=record, account_id=record.account_id, reason=reason,
            before=before, after={"status": record.status, "returned_on": on.isoformat()},
        )  # fmt: skip
        transaction.on_commit(lambda: letter_returned.send(sender=Correspondence, correspondence=record))
    return record


def returned_resolve(*, actor, correspondence: Correspondence, note: str) -> Correspondence:
    """Returned mail dealt with (a new address found, the customer called): off the queue, with what was done."""
    require(actor, RESOLVE_RETURNED)
    note = (note or "").strip()
    if not note:
        raise CorrespondenceError("Say what was done (a new address, the customer called...).", "note")
    with transaction.atomic():
        record = _locked(correspondence)
        if record.status != CorrespondenceStatus.RETURNED:
            raise CorrespondenceError("It has not come back: there is nothing to resolve.")
        if record.returned_resolved_at is not None:
            raise CorrespondenceError(
                f"Already resolved on {timezone.localtime(record.returned_resolved_at):%m/%d/%Y}."
            )
        record.returned_resolved_at, record.returned_resolved_by = timezone.now(), actor
        record.returned_note = note[:300]
        record.save(update_fields=["returned_resolved_at", "returned_resolved_by", "returned_note"])
        audit_record(
            actor=actor, action="correspondence.returned_resolved", obj=record, account_id=record.account_id,
            reason=note, after={"resolved": True},
        )  # fmt: skip
    return record


# --- printing --------------------------------------------------------------------------------------------

MAILING_ORDER = ("zip_code", "recipient_name", "id")


def print_batch_create(*, actor, on: date) -> PrintBatch:
    """Every queued letter issued on or before `on` into one batch, in mailing order (ZIP code)."""
    require(actor, PRINT)
    with transaction.atomic():
        letters = list(
            Correspondence.objects.select_for_update()
            .filter(channel=Channel.LETTER, status=CorrespondenceStatus.QUEUED, issued_on__lte=on)
            .order_by(*MAILING_ORDER)
            .values_list("pk", "account_id")
        )
        if not letters:
            raise CorrespondenceError(f"No letters are waiting to print on {on:%m/%d/%Y}.")
        batch = PrintBatch.objects.create(day=on, created_by=actor, letter_count=len(letters))
        ids = [pk for pk, _ in letters]
        now = timezone.now()
        for start in range(0, len(ids), CHUNK):
            Correspondence.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                status=CorrespondenceStatus.PRINTED, print_batch=batch, sent_at=now
            )
        events = [audit_event(actor=actor, action="print_batch.create", obj=batch,
                              after={"day": on.isoformat(), "letters": len(letters)})]  # fmt: skip
        stub = Correspondence()
        for pk, account_id in letters:
            stub.pk = pk
            events.append(audit_event(
                actor=actor, action="correspondence.printed", obj=stub, account_id=account_id,
                before={"status": "queued"}, after={"status": "printed", "print_batch": batch.pk},
            ))  # fmt: skip
        AuditEvent.objects.bulk_create(events, batch_size=1000)
    return batch


# --- PDFs ------------------------------------------------------------------------------------------------


def _letterhead(district) -> letter_pdf.Letterhead:
    city = ", ".join(p for p in (district.city, f"{district.state} {district.zip_code}".strip()) if p)
    return letter_pdf.Letterhead(
        name=district.name, address=", ".join(p for p in (district.street, city) if p), phone=district.phone,
        email=district.email,
    )  # fmt: skip


def _letter(record: Correspondence, head: letter_pdf.Letterhead, number: str) -> letter_pdf.Letter:
    return letter_pdf.Letter(
        letterhead=head, letter_date=record.issued_on, recipient_name=record.recipient_name,
        address_lines=tuple(record.lines), subject=record.subject, body=record.body, account_number=number,
        language=record.language if record.language in letter_pdf.LANGUAGES else "en", reference=f"L{record.pk}",
    )  # fmt: skip


def correspondence_pdf(correspondence: Correspondence) -> bytes:
    number = correspondence.account.number if correspondence.account_id else ""
    return letter_pdf.render_letter(_letter(correspondence, _letterhead(district_settings()), number))


def print_batch_pdf(batch: PrintBatch) -> bytes:
    head = _letterhead(district_settings())
    records = list(batch.letters.select_related("account").order_by(*MAILING_ORDER))
    cover = letter_pdf.BatchCover(
        batch_id=batch.pk, day=batch.day, district_name=head.name, letter_count=len(records),
        first_zip=records[0].zip_code if records else "", last_zip=records[-1].zip_code if records else "",
    )  # fmt: skip
    letters = [_letter(r, head, r.account.number if r.account_id else "") for r in records]
    return letter_pdf.render_batch(cover, letters)


# --- templates -------------------------------------------------------------------------------------------


def template_version_add(
    *, actor, template: LetterTemplate, subject: str, body: str, note: str
) -> TemplateVersion:
    """A template's new wording, as its next version (earlier versions stay, as the letters sent from them)."""
    from .merge import sample_context

    require(actor, NEW_VERSION)
    subject, body, note = (
        (subject or "").strip(),
        (body or "").replace("\r\n", "\n").strip(),
        (note or "").strip(),
    )
    problems = rendering.check(subject, body, sample_context(clock.today()), template.language)
    if problems:
        raise CorrespondenceError(" ".join(problems), "body")
    if len(subject) > 200:
        raise CorrespondenceError("Keep the subject to 200 characters.", "subject")
    with transaction.atomic():
        template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
        top = template.versions.aggregate(top=Max("number"))["top"] or 0
        version = TemplateVersion.objects.create(
            template=template, number=top + 1, subject=subject, body=body, note=note[:200], created_by=actor
        )
        audit_record(
            actor=actor, action="template.version_add", obj=version, reason=note,
            after={"template": template.code, "language": template.language, "channel": template.channel,
                   "number": version.number},
        )  # fmt: skip
    return version
