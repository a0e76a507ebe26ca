import secrets

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cistern.core import clock
from cistern.core.badinput import MAX_ID
from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account

from . import lifecycle, merge, selectors, services
from .forms import AdhocForm, PrintBatchForm, ResolveForm, ReturnedForm, TemplateVersionForm
from .models import Channel, Correspondence, LetterTemplate, PrintBatch


def _get(queryset, pk):
    if not 1 <= pk <= MAX_ID:
        raise Http404("No such record")
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404("No such record") from None


def _account(number: str) -> Account:
    try:
        return customer_selectors.account_get(number.strip())
    except (InvalidAccountNumber, Account.DoesNotExist, ValueError):
        raise Http404(f"No account {number[:20]}") from None


def _errors(form) -> str:
    return "; ".join(
        f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
        for k, v in form.errors.items()
    )


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- templates -------------------------------------------------------------------------------------------


@permission_required("correspondence.view_lettertemplate", raise_exception=True)
def template_list(request):
    return render(request, "correspondence/template_list.html", {"templates": selectors.template_list()})


@permission_required("correspondence.view_lettertemplate", raise_exception=True)
def template_detail(request, pk):
    template = _get(LetterTemplate.objects.all(), pk)
    versions = list(template.versions.select_related("created_by").order_by("-number"))
    return render(
        request, "correspondence/template_detail.html",
        {"template": template, "versions": versions, "current": versions[0] if versions else None},
    )  # fmt: skip


@permission_required("correspondence.add_templateversion", raise_exception=True)
def template_version_new(request, pk):
    template = _get(LetterTemplate.objects.all(), pk)
    current = selectors.current_version(template)
    initial = {"subject": current.subject, "body": current.body} if current else {}
    form = TemplateVersionForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            try:
                version = services.template_version_add(
                    actor=request.user, template=template, subject=data["subject"], body=data["body"],
                    note=data["note"],
                )  # fmt: skip
            except services.CorrespondenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Version {version.number} of {template.name} saved: it is used from now on."
                )
                return redirect("correspondence:template_detail", template.pk)
        else:
            preview = _preview(form, template, data)
    return render(
        request, "correspondence/template_version_new.html",
        {"template": template, "form": form, "current": current, "preview": preview},
    )  # fmt: skip


def _preview(form, template, data):
    on = clock.today()
    context = merge.sample_context(on)
    number = data["account_number"].strip()
    if number:
        try:
            account = customer_selectors.account_get(number)
        except (InvalidAccountNumber, Account.DoesNotExist, ValueError):
            form.add_error("account_number", "No such account (check the number and its check digit).")
            return None
        context.update(merge.account_context(account, on))
    try:
        subject, body = services.preview(
            subject=data["subject"], body=data["body"], context=context, language=template.language, on=on
        )
    except services.CorrespondenceError as exc:
        form.add_error(None, str(exc))
        return None
    return {"subject": subject, "body": body}


# --- one letter ------------------------------------------------------------------------------------------


@permission_required("correspondence.view_correspondence", raise_exception=True)
def letter_detail(request, pk):
    letter = _get(Correspondence.objects.select_related(
        "account__customer", "template_version__template", "print_batch", "created_by", "returned_resolved_by"
    ), pk)  # fmt: skip
    return render(
        request, "correspondence/letter_detail.html",
        {"letter": letter, "can_return": lifecycle.can(letter.status, lifecycle.RETURN),
         "can_retry": letter.channel == Channel.EMAIL and letter.status == lifecycle.FAILED,
         "can_resolve": letter.status == lifecycle.RETURNED and letter.returned_resolved_at is None,
         "returned_form": ReturnedForm(initial={"returned_on": clock.today()}), "resolve_form": ResolveForm()},
    )  # fmt: skip


@permission_required("correspondence.view_correspondence", raise_exception=True)
def letter_pdf(request, pk):
    letter = _get(Correspondence.objects.select_related("account"), pk)
    return _pdf(services.correspondence_pdf(letter), f"letter-{letter.pk}.pdf")


def _back(pk):
    return redirect(reverse("correspondence:letter_detail", args=[pk]))


@require_POST
@permission_required("correspondence.mark_returned", raise_exception=True)
def letter_returned(request, pk):
    letter = _get(Correspondence.objects.all(), pk)
    form = ReturnedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(letter.pk)
    try:
        services.mark_returned(
            actor=request.user, correspondence=letter, on=form.cleaned_data["returned_on"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except services.CorrespondenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Marked returned undeliverable: it waits in Returned mail.")
    return _back(letter.pk)


@require_POST
@permission_required("correspondence.resolve_returned", raise_exception=True)
def letter_resolve(request, pk):
    letter = _get(Correspondence.objects.all(), pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.returned_resolve(
                actor=request.user, correspondence=letter, note=form.cleaned_data["note"]
            )
        except services.CorrespondenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Returned mail resolved.")
    if request.POST.get("next") == "queue":
        return redirect("correspondence:returned")
    return _back(letter.pk)


@require_POST
@permission_required("correspondence.add_correspondence", raise_exception=True)
def letter_retry(request, pk):
    letter = _get(Correspondence.objects.all(), pk)
    try:
        letter = services.correspondence_retry(actor=request.user, correspondence=letter)
    except services.CorrespondenceError as exc:
        messages.error(request, str(exc))
    else:
        if letter.status == lifecycle.SENT:
            messages.success(request, f"Sent to {letter.email}.")
        else:
            messages.error(request, f"The mail server refused it again: {letter.error}")
    return _back(letter.pk)


@permission_required("correspondence.resolve_returned", raise_exception=True)
def returned(request):
    letters = (
        selectors.returned_waiting().select_related("account__customer").order_by("returned_on", "id")[:300]
    )
    return render(request, "correspondence/returned.html", {"letters": letters, "form": ResolveForm()})


# --- printing --------------------------------------------------------------------------------------------


@permission_required("correspondence.add_printbatch", raise_exception=True)
def print_batches(request):
    today = clock.today()
    return render(
        request, "correspondence/print_batches.html",
        {"batches": selectors.print_batches(), "waiting": selectors.queued_letters(today).count(),
         "form": PrintBatchForm(initial={"day": today}), "failed": selectors.failed_emails().count()},
    )  # fmt: skip


@require_POST
@permission_required("correspondence.add_printbatch", raise_exception=True)
def print_batch_create(request):
    form = PrintBatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("correspondence:print_batches")
    try:
        batch = services.print_batch_create(actor=request.user, on=form.cleaned_data["day"])
    except services.CorrespondenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Print batch {batch.pk}: {batch.letter_count} letters, in ZIP order.")
    return redirect("correspondence:print_batches")


@permission_required("correspondence.add_printbatch", raise_exception=True)
def print_batch_pdf(request, pk):
    batch = _get(PrintBatch.objects.all(), pk)
    return _pdf(services.print_batch_pdf(batch), f"print-batch-{batch.pk}-{batch.day:%Y%m%d}.pdf")


# --- a letter or memo from the account page --------------------------------------------------------------


@permission_required("correspondence.add_correspondence", raise_exception=True)
def adhoc_new(request, number):
    account = _account(number)
    customer = account.customer
    codes = selectors.adhoc_codes()
    initial = {
        "template": codes[0][0] if codes else "", "language": customer.preferred_language or "en",
        "channel": Channel.LETTER, "key": f"adhoc-{secrets.token_hex(12)}",
    }  # fmt: skip
    form = AdhocForm(request.POST or None, initial=initial, codes=codes)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        context = merge.account_context(account, clock.today())
        context.update({"memo_body": data["paragraph"].strip(), "extra_paragraph": data["paragraph"].strip()})
        if data["subject"].strip():
            context["memo_subject"] = data["subject"].strip()
        recipient = merge.recipient_for_customer(account)
        letter_request = services.LetterRequest(
            template_code=data["template"], context=context, recipient=recipient, account_id=account.pk,
            channel=data["channel"], language=data["language"], key=data["key"], source_kind="account_page",
        )  # fmt: skip
        try:
            if request.POST.get("action") == "issue":
                letter = services.letter_issue(actor=request.user, request=letter_request)
                messages.success(
                    request, f"{letter.get_channel_display()} {letter.pk} issued: {letter.subject}."
                )
                return redirect("correspondence:letter_detail", letter.pk)
            preview = _adhoc_preview(letter_request)
        except services.CorrespondenceError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "correspondence/adhoc_new.html", {"account": account, "form": form, "preview": preview}
    )


def _adhoc_preview(letter_request):
    found = {
        t.language: t
        for t in LetterTemplate.objects.filter(
            code=letter_request.template_code,
            channel=letter_request.channel,
            active=True,
            language__in=[letter_request.language, "en"],
        )  # fmt: skip
    }
    template = found.get(letter_request.language) or found.get("en")
    version = selectors.current_version(template) if template else None
    if version is None:
        raise services.CorrespondenceError(
            f"There is no {letter_request.channel} template {letter_request.template_code!r}: pick another."
        )
    subject, body = services.preview(
        subject=version.subject, body=version.body, context=letter_request.context, language=template.language
    )
    return {"subject": subject, "body": body, "language": template.language}
