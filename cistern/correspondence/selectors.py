from django.db.models import Max, Q

from .models import Channel, Correspondence, CorrespondenceStatus, LetterTemplate, PrintBatch, TemplateVersion


def correspondence_get(pk: int) -> Correspondence:
    return Correspondence.objects.select_related(
        "account__customer", "template_version__template", "print_batch", "created_by", "returned_resolved_by"
    ).get(pk=pk)


def account_correspondence(account, limit: int = 50):
    return (
        Correspondence.objects.filter(account=account)
        .select_related("template_version__template")
        .defer("body")
        .order_by("-issued_on", "-id")[:limit]
    )


def returned_waiting():
    """Returned mail no one has dealt with yet: the returned-mail queue."""
    return Correspondence.objects.filter(
        status=CorrespondenceStatus.RETURNED, returned_resolved_at__isnull=True
    )


def queued_letters(on):
    return Correspondence.objects.filter(
        channel=Channel.LETTER, status=CorrespondenceStatus.QUEUED, issued_on__lte=on
    )


def failed_emails():
    return Correspondence.objects.filter(channel=Channel.EMAIL, status=CorrespondenceStatus.FAILED)


def template_list():
    return LetterTemplate.objects.annotate(current=Max("versions__number")).order_by(
        "code", "channel", "language"
    )


def current_version(template: LetterTemplate) -> TemplateVersion | None:
    return template.versions.order_by("-number").first()


def adhoc_templates(channel: str | None = None):
    found = LetterTemplate.objects.filter(adhoc=True, active=True)
    return found.filter(channel=channel) if channel else found


def adhoc_codes() -> list[tuple[str, str]]:
    """(code, name) of the templates offered on the account page (any language or channel)."""
    seen = {}
    for code, name in adhoc_templates().order_by("code", "language").values_list("code", "name"):
        seen.setdefault(code, name)
    return list(seen.items())


def print_batches(limit: int = 60):
    return PrintBatch.objects.select_related("created_by")[:limit]


def search(q: str):
    return Correspondence.objects.filter(Q(recipient_name__icontains=q) | Q(subject__icontains=q))
