from collections import Counter
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.correspondence.services import CorrespondenceError
from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.fieldwork.services import FieldworkError
from cistern.ledger.services import LedgerError

from . import selectors, services
from .forms import HoldCloseForm, HoldForm, PhoneContactForm, RunForm
from .models import CollectionRun, Hold, LockoffCandidate, LockoffList, LockoffListStatus, NoticeKind

# What a run may refuse with: its own steps, and the letters, orders and late fees it makes through other apps.
RUN_ERRORS = (services.CollectionsError, CorrespondenceError, FieldworkError, LedgerError, PermissionDenied)


def _account_or_404(number: str) -> Account:
    try:
        return customer_selectors.account_get(number)
    except (InvalidAccountNumber, Account.DoesNotExist):
        raise Http404(f"No account {number}") from None


def _list_or_404(day: str) -> LockoffList:
    on = badinput.query_date(day, name="day", default=None)
    if on is None:
        raise Http404("No lock-off list")
    try:
        return LockoffList.objects.select_related("confirmed_by").get(day=on)
    except LockoffList.DoesNotExist:
        raise Http404(f"No lock-off list for {on:%m/%d/%Y}") from None


def _errors(form) -> str:
    return "; ".join(f"{form.fields[k].label or k if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                     for k, v in form.errors.items())  # fmt: skip


def _to_account(account: Account):
    return redirect(f"{reverse('customers:account', args=[account.number])}#panel-notices")


# --- lock-off lists ---------------------------------------------------------------------------------------


@permission_required("collections.view_lockofflist", raise_exception=True)
def lockoff_lists(request):
    lists = selectors.lockoff_lists()
    counts: Counter = Counter()
    for list_id, included, n in (
        LockoffCandidate.objects.filter(lockoff_list__in=lists)
        .values_list("lockoff_list_id", "included")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[list_id, included] = n
    rows = [(lst, counts[lst.pk, True], counts[lst.pk, False]) for lst in lists]
    return render(request, "collections/lockoff_lists.html", {"rows": rows, "today": clock.today()})


def _notice_rows(candidate: LockoffCandidate) -> list[dict]:
    """The notices the list recorded (JSON), with their kinds named and their dates as dates."""
    labels = dict(NoticeKind.choices)

    def day(value):
        return date.fromisoformat(value) if value else None

    return [
        {"kind": labels.get(n.get("kind"), n.get("kind")), "sent_on": day(n.get("sent_on")),
         "shutoff_on": day(n.get("shutoff_on")), "returned": n.get("returned", False)}
        for n in candidate.notices
    ]  # fmt: skip


@permission_required("collections.view_lockofflist", raise_exception=True)
def lockoff_list(request, day):
    current = _list_or_404(day)
    candidates = selectors.lockoff_candidates(current)
    for candidate in candidates:
        candidate.notice_rows = _notice_rows(candidate)
    included = [c for c in candidates if c.included]
    proposed = current.status == LockoffListStatus.PROPOSED
    return render(
        request, "collections/lockoff_list.html",
        {"list": current, "included": included, "excluded": [c for c in candidates if not c.included],
         "can_confirm": proposed and bool(included) and request.user.has_perm("collections.confirm_lockofflist"),
         "gone_by": current.day < clock.today()},
    )  # fmt: skip


@require_POST
@permission_required("collections.confirm_lockofflist", raise_exception=True)
def lockoff_list_confirm(request, day):
    current = _list_or_404(day)
    back = redirect("collections:lockoff_list", current.day.isoformat())
    picked = {int(v) for v in request.POST.getlist("account") if v.isascii() and v.isdigit()}
    if not picked:
        messages.error(request, "No account ticked: nothing confirmed. Tick the accounts to lock off.")
        return back
    try:
        done = services.lockoff_list_confirm(actor=request.user, lockoff_list=current, account_ids=picked)
    except (services.CollectionsError, PermissionDenied) as exc:
        messages.error(request, str(exc) or "You may not create lock-off orders.")
        return back
    n = len(done.orders)
    messages.success(
        request,
        f"Lock-off list for {current.day:%m/%d/%Y} confirmed: {n} lock-off order{'s' if n != 1 else ''} created"
        + (": " + ", ".join(o.label for o in done.orders) if done.orders else "")
        + ".",
    )
    for number, why in done.set_aside:
        messages.warning(request, f"Account {number} set aside at confirmation: {why}")
    return back


# --- the daily run ----------------------------------------------------------------------------------------


@permission_required("collections.run_collections", raise_exception=True)
def run(request):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.collections_run(actor=request.user, on=data["on"], dry_run=data["dry_run"])
        except RUN_ERRORS as exc:
            form.add_error(None, str(exc) or "The run was refused.")
        else:
            messages.success(request, result.line())
            if result.lockoff_list is not None:
                messages.info(request, f"Lock-off list for {result.lockoff_list.day:%m/%d/%Y} proposed.")
            return redirect("collections:run")
    runs = list(CollectionRun.objects.select_related("created_by")[:30])
    for row in runs:
        row.count_line = ", ".join(
            f"{row.counts[key]} {name}" for key, name in services.COUNT_NAMES if row.counts.get(key)
        )
    return render(request, "collections/run.html", {"form": form, "runs": runs})


# --- the account page's collections panel: calls, disputes and extensions ---------------------------------


@require_POST
@permission_required("collections.add_phonecontact", raise_exception=True)
def call_add(request, number):
    account = _account_or_404(number)
    form = PhoneContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _to_account(account)
    data = form.cleaned_data
    try:
        services.phone_contact_record(
            actor=request.user, account=account, on=clock.today(), reached=data["reached"],
            options_offered=data["options_offered"], willing_to_arrange=data["willing_to_arrange"], note=data["note"],
        )  # fmt: skip
    except services.CollectionsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Collections call logged.")
    return _to_account(account)


@require_POST
@permission_required("collections.add_hold", raise_exception=True)
def hold_open(request, number):
    account = _account_or_404(number)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _to_account(account)
    try:
        hold = services.hold_open(actor=request.user, account=account, **form.cleaned_data)
    except services.CollectionsError as exc:
        messages.error(request, str(exc))
    else:
        until = f" to {hold.ends_on:%m/%d/%Y}" if hold.ends_on else ""
        messages.success(
            request,
            f"{hold.get_kind_display()} opened from {hold.starts_on:%m/%d/%Y}{until}: collection paused.",
        )
    return _to_account(account)


@require_POST
@permission_required("collections.change_hold", raise_exception=True)
def hold_close(request, number, hold_id):
    account = _account_or_404(number)
    pk = badinput.query_id(hold_id, name="hold")
    try:
        hold = Hold.objects.get(pk=pk, account=account)
    except Hold.DoesNotExist:
        raise Http404(f"No hold {pk} on account {account.number}") from None
    form = HoldCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _to_account(account)
    try:
        closed = services.hold_close(actor=request.user, hold=hold, **form.cleaned_data)
    except services.CollectionsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{closed.get_kind_display()} closed on {closed.closed_on:%m/%d/%Y}.")
    return _to_account(account)
