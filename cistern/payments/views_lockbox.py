"""The lockbox pages: the bank's files uploaded (remittance detail, BAI2), a file's items, the suspense queue
where a clerk applies an item to an account or returns it to the bank, and the BAI2 reconciliation report."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import lockbox_services as services
from .models import Bai2Reconciliation, LockboxFile, LockboxItem, LockboxStatus
from .services import PaymentError

PAGE_SIZE = 50


class UploadForm(forms.Form):
    file = forms.FileField(label="Remittance file (CSV)")

    def clean_file(self):
        """The upload cap (settings.CISTERN_UPLOAD_MAX_BYTES); the import service checks it too, and rows."""
        upload = self.cleaned_data["file"]
        limit = settings.CISTERN_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read. "
                "Split it into smaller files."
            )
        return upload


class Bai2Form(forms.Form):
    file = forms.FileField(label="BAI2 file from the bank")


class ApplyForm(forms.Form):
    account = forms.CharField(label="Account number", max_length=20)
    note = forms.CharField(label="Note", max_length=200, required=False)


class ReturnForm(forms.Form):
    note = forms.CharField(label="Why it goes back to the bank", max_length=200)


def _page_context(**extra):
    return {
        "recent": LockboxFile.objects.select_related("imported_by")[:10],
        "waiting": services.suspense_count(),
        "reconciliations": Bai2Reconciliation.objects.all()[:5],
        "max_megabytes": settings.CISTERN_UPLOAD_MAX_BYTES // 2**20,
        "max_rows": settings.CISTERN_UPLOAD_MAX_ROWS,
        "bai2_form": Bai2Form(),
        **extra,
    }


@permission_required("payments.import_lockbox", raise_exception=True)
def lockbox_home(request):
    """The upload page: the remittance file (and the BAI2 form, which posts to the reconciliation report)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.lockbox_import(actor=request.user, file_name=upload.name, content=upload)
        except services.ImportRefused as exc:
            refused = exc
        else:
            messages.success(request, result.summary)
            return redirect("payments:lockbox_file", result.file.pk)
    return render(request, "payments/lockbox/home.html", _page_context(form=form, refused=refused))


@permission_required("payments.view_lockboxitem", raise_exception=True)
def lockbox_file(request, file_id):
    record = get_object_or_404(LockboxFile.objects.select_related("imported_by"), pk=file_id)
    items = record.lockbox_items.select_related("account", "payment").order_by("line")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/lockbox/file.html", {"record": record, "page": page})


@permission_required("payments.view_lockboxitem", raise_exception=True)
def suspense(request):
    """The suspense queue: items the bank deposited that no account was credited for, oldest first."""
    waiting = LockboxItem.objects.filter(status=LockboxStatus.SUSPENSE).select_related("file", "account")
    totals = waiting.aggregate(n=Count("id"), total=Sum("amount"))
    page = Paginator(waiting.order_by("deposit_date", "file_id", "line"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    resolved = (
        LockboxItem.objects.filter(status__in=[LockboxStatus.APPLIED, LockboxStatus.RETURNED])
        .select_related("account", "resolved_by")
        .order_by("-resolved_at", "-id")[:10]
    )
    return render(
        request, "payments/lockbox/suspense.html", {"page": page, "totals": totals, "resolved": resolved}
    )


@permission_required("payments.view_lockboxitem", raise_exception=True)
def suspense_item(request, item_id):
    item = get_object_or_404(
        LockboxItem.objects.select_related("file", "account", "payment", "resolved_by"), pk=item_id
    )
    can_act = item.status == LockboxStatus.SUSPENSE and request.user.has_perm("payments.change_lockboxitem")
    initial = {"account": item.account.number} if item.account_id else {}
    return render(
        request,
        "payments/lockbox/item.html",
        {
            "item": item,
            "can_act": can_act,
            "apply_form": ApplyForm(initial=initial),
            "return_form": ReturnForm(),
        },
    )


@require_POST
@permission_required("payments.change_lockboxitem", raise_exception=True)
def suspense_apply(request, item_id):
    item = get_object_or_404(LockboxItem, pk=item_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the account number to apply the item to.")
        return redirect("payments:lockbox_item", item.pk)
    try:
        item = services.suspense_apply(
            actor=request.user,
            item=item,
            account_number=form.cleaned_data["account"],
            note=form.cleaned_data["note"],
        )
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:lockbox_item", item.pk)
    messages.success(
        request,
        f"${item.amount:,.2f} applied to account {item.account.number}: receipt R{item.payment_id:08d}.",
    )
    return redirect("payments:lockbox_suspense")


@require_POST
@permission_required("payments.change_lockboxitem", raise_exception=True)
def suspense_return(request, item_id):
    item = get_object_or_404(LockboxItem, pk=item_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the item goes back to the bank.")
        return redirect("payments:lockbox_item", item.pk)
    try:
        item = services.suspense_return(actor=request.user, item=item, note=form.cleaned_data["note"])
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("payments:lockbox_item", item.pk)
    messages.success(
        request, f"${item.amount:,.2f} (check {item.check_number}) marked as sent back to the bank."
    )
    return redirect("payments:lockbox_suspense")


@permission_required("payments.view_lockboxitem", raise_exception=True)
def reconciliations(request):
    """The BAI2 report (GET); a BAI2 file to reconcile (POST, from the lockbox page)."""
    form = Bai2Form(request.POST or None, request.FILES or None)
    problem = ""
    if request.method == "POST":
        if not request.user.has_perm("payments.import_lockbox"):
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > settings.CISTERN_UPLOAD_MAX_BYTES:
                    raise PaymentError(f"{upload.name} is too big for a BAI2 day file.", "file")
                made = services.bai2_import(actor=request.user, file_name=upload.name, content=upload.read())
            except PaymentError as exc:
                problem = str(exc)
            else:
                for r in made:
                    state = "balances" if r.difference == 0 else f"difference ${r.difference:,.2f}"
                    messages.success(request, f"BAI2 {r.as_of:%m/%d/%Y}: {state}.")
                return redirect("payments:lockbox_reconciliations")
    page = Paginator(Bai2Reconciliation.objects.select_related("imported_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/lockbox/reconciliations.html",
        {
            "page": page,
            "bai2_form": form,
            "problem": problem,
            "can_import": request.user.has_perm("payments.import_lockbox"),
        },
    )
