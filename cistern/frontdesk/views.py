"""The front desk's pages: the counter page (the call form, today's calls, who is in the building, open cases),
calls and call-backs, cases, visitors and the radio log. Thin: forms check input, services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock

from . import lifecycle, selectors, services, sla
from .forms import (
    CallForm,
    CaseForm,
    NoteForm,
    NotifyForm,
    OrderFromCallForm,
    RadioForm,
    ReasonForm,
    ReassignForm,
    ResolveForm,
    VisitorForm,
)
from .models import Call, Case, CaseStatus, Visit


def _pk(value) -> int:
    if not 1 <= int(value) <= badinput.MAX_ID:
        raise Http404("No such record")
    return int(value)


def _day(request):
    return badinput.query_date(request.GET.get("date"), name="date", default=clock.today())


# --- the counter ------------------------------------------------------------------------------------------------


def _desk(request, form=None, status=200):
    today = clock.today()
    context = {
        "form": form or CallForm(),
        "calls": selectors.calls_on(today, limit=100),
        "visits": selectors.in_building(),
        "cases": selectors.open_cases() if request.user.has_perm("frontdesk.view_case") else [],
        "today": today,
    }
    return render(request, "frontdesk/desk.html", context, status=status)


@permission_required("frontdesk.view_call", raise_exception=True)
def desk(request):
    return _desk(request)


@require_POST
@permission_required("frontdesk.add_call", raise_exception=True)
def call_log(request):
    form = CallForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            call = services.call_log(
                actor=request.user, reason=data["reason"], outcome=data["outcome"], caller_name=data["caller_name"],
                caller_phone=data["caller_phone"], account=data["account"], routed_to=data["routed_to"],
            )  # fmt: skip
        except services.FrontDeskError as error:
            form.add_error(None, str(error))
        else:
            matched = f" on account {call.account.number}" if call.account_id else ""
            messages.success(request, f"Call {call.pk} logged{matched}.")
            return redirect("frontdesk:desk")
    return _desk(request, form)


@permission_required("frontdesk.view_call", raise_exception=True)
def call_match(request):
    """The accounts the number typed so far belongs to (htmx, as the clerk types)."""
    text = (request.GET.get("caller_phone") or "")[:40]
    return render(
        request,
        "frontdesk/_phone_matches.html",
        {"accounts": selectors.accounts_for_phone(text), "text": text},
    )


@permission_required("frontdesk.view_call", raise_exception=True)
def call_list(request):
    day = _day(request)
    return render(request, "frontdesk/call_list.html", {"calls": selectors.calls_on(day), "day": day})


def _call_or_404(pk) -> Call:
    try:
        return selectors.call_get(_pk(pk))
    except Call.DoesNotExist:
        raise Http404("No such call") from None


@permission_required("frontdesk.view_call", raise_exception=True)
def call(request, pk):
    found = _call_or_404(pk)
    user = request.user
    return render(
        request, "frontdesk/call.html",
        {"call": found, "order_form": OrderFromCallForm(), "note_form": NoteForm(),
         "can_contact": found.account_id and not found.contact_entry_id and user.has_perm("frontdesk.change_call")
         and user.has_perm("customers.add_contactentry"),
         "can_case": not found.case_id and user.has_perm("frontdesk.add_case"),
         "can_order": found.account_id and not found.order_id and user.has_perm("fieldwork.add_serviceorder")
         and user.has_perm("frontdesk.change_call"),
         "can_done": found.callback_open and user.has_perm("frontdesk.change_call")},
    )  # fmt: skip


def _call_action(request, pk, action, done: str):
    found = _call_or_404(pk)
    try:
        action(found)
        messages.success(request, done)
    except (services.FrontDeskError, PermissionDenied) as error:
        messages.error(request, str(error))
    return redirect("frontdesk:call", pk=found.pk)


@require_POST
@permission_required(["frontdesk.change_call", "customers.add_contactentry"], raise_exception=True)
def call_contact(request, pk):
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _call_action(
        request, pk, lambda c: services.call_to_contact(actor=request.user, call=c, note=note),
        "The call is in the account's contact log.",
    )  # fmt: skip


@require_POST
@permission_required(["frontdesk.change_call", "fieldwork.add_serviceorder"], raise_exception=True)
def call_order(request, pk):
    form = OrderFromCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick the order type and its priority.")
        return redirect("frontdesk:call", pk=_call_or_404(pk).pk)
    data = form.cleaned_data

    def make(c):
        made = services.call_to_order(
            actor=request.user,
            call=c,
            order_type=data["order_type"],
            priority=data["priority"],
            notes=data["notes"],
        )
        messages.info(request, f"Service order {made.order.number} opened.")

    return _call_action(request, pk, make, "The call became a service order.")


@require_POST
@permission_required("frontdesk.change_call", raise_exception=True)
def callback_done(request, pk):
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _call_action(
        request,
        pk,
        lambda c: services.callback_done(actor=request.user, call=c, note=note),
        "Call-back done.",
    )


@permission_required("frontdesk.change_call", raise_exception=True)
def callbacks(request):
    return render(request, "frontdesk/callbacks.html", {"calls": selectors.callbacks_for(request.user)})


# --- cases ------------------------------------------------------------------------------------------------------

CASE_FILTERS = [
    ("active", "Open (any level)"),
    *[(s, lifecycle.LABELS[s]) for s in lifecycle.STATUSES],
    ("", "All"),
]


@permission_required("frontdesk.view_case", raise_exception=True)
def case_list(request):
    status = request.GET.get("status", "active")
    if status not in {key for key, _ in CASE_FILTERS}:
        status = "active"
    mine = request.GET.get("mine") == "1"
    found = selectors.cases(status, owner=request.user if mine else None)[:300]
    return render(
        request, "frontdesk/case_list.html",
        {"cases": list(found), "status": status, "mine": mine, "filters": CASE_FILTERS, "today": clock.today()},
    )  # fmt: skip


@permission_required("frontdesk.change_case", raise_exception=True)
def case_queue(request):
    today = clock.today()
    return render(
        request,
        "frontdesk/case_queue.html",
        {"cases": selectors.case_queue(request.user, today), "today": today},
    )


@permission_required("frontdesk.add_case", raise_exception=True)
def case_new(request):
    source = None
    initial = {}
    if request.method == "GET":
        if request.GET.get("call"):
            source = _call_or_404(badinput.query_id(request.GET["call"], name="call"))
            initial = {"call": source.pk, "contact_name": source.caller_name, "contact_phone": source.caller_phone,
                       "account": source.account.number if source.account_id else "", "description": source.reason}  # fmt: skip
        elif request.GET.get("account"):
            initial = {"account": request.GET["account"][:20]}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source = Call.objects.get(pk=data["call"]) if data["call"] else None
            case = services.case_open(
                actor=request.user, category=data["category"], description=data["description"],
                priority=data["priority"], account=data["account"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], call=source,
            )  # fmt: skip
        except Call.DoesNotExist:
            form.add_error("call", "That call is not on file.")
        except (services.FrontDeskError, PermissionDenied) as error:
            form.add_error(None, str(error))
        else:
            held = " Collection steps pause on the account until it is resolved." if case.hold_id else ""
            messages.success(request, f"Case {case.number} opened, due {case.due_on:%m/%d/%Y}.{held}")
            return redirect("frontdesk:case", pk=case.pk)
    return render(request, "frontdesk/case_new.html", {"form": form, "source": source})


def _case_or_404(pk) -> Case:
    try:
        return selectors.case_get(_pk(pk))
    except Case.DoesNotExist:
        raise Http404("No such case") from None


@permission_required("frontdesk.view_case", raise_exception=True)
def case(request, pk):
    found = _case_or_404(pk)
    user, status = request.user, found.status
    work = user.has_perm("frontdesk.change_case")
    can_escalate = (
        lifecycle.can(status, lifecycle.ESCALATE)
        and user.has_perm("frontdesk.escalate_case")
        and (status != CaseStatus.CSS_II or user.has_perm("frontdesk.reassign_case"))
    )
    level_perm = {
        CaseStatus.CSS_II: "frontdesk.reassign_case",
        CaseStatus.SUPERVISOR: "frontdesk.supervise_case",
    }
    return render(
        request, "frontdesk/case.html",
        {"case": found, "events": selectors.case_events(found), "today": clock.today(),
         "due_state": sla.due_state(found.due_on, clock.today()) if found.active else "",
         "can_escalate": can_escalate,
         "can_take": work and lifecycle.can(status, lifecycle.ASSIGN) and found.owner_id != user.pk
         and user.has_perm(level_perm.get(status, "frontdesk.change_case")) and found.owner_id is None,
         "can_reassign": lifecycle.can(status, lifecycle.ASSIGN) and user.has_perm("frontdesk.reassign_case"),
         "can_resolve": work and lifecycle.can(status, lifecycle.RESOLVE),
         "can_notify": work and lifecycle.can(status, lifecycle.NOTIFY),
         "can_reopen": work and lifecycle.can(status, lifecycle.REOPEN),
         "reason_form": ReasonForm(), "resolve_form": ResolveForm(), "notify_form": NotifyForm(),
         "reassign_form": ReassignForm()},
    )  # fmt: skip


def _case_action(request, pk, form_class, action, done: str):
    found = _case_or_404(pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        labels = {name: field.label for name, field in form.fields.items()}
        messages.error(
            request, "; ".join(f"{labels.get(k, 'Form')}: {' '.join(v)}" for k, v in form.errors.items())
        )
        return redirect("frontdesk:case", pk=found.pk)
    try:
        action(found, form.cleaned_data if form is not None else {})
        messages.success(request, done)
    except (services.FrontDeskError, PermissionDenied) as error:
        messages.error(request, str(error))
    return redirect("frontdesk:case", pk=found.pk)


@require_POST
@permission_required("frontdesk.escalate_case", raise_exception=True)
def case_escalate(request, pk):
    return _case_action(
        request, pk, ReasonForm, lambda c, d: services.case_escalate(actor=request.user, case=c, reason=d["reason"]),
        "Escalated: it waits at the next level.",
    )  # fmt: skip


@require_POST
@permission_required("frontdesk.change_case", raise_exception=True)
def case_take(request, pk):
    return _case_action(
        request, pk, None, lambda c, d: services.case_take(actor=request.user, case=c), "The case is yours."
    )


@require_POST
@permission_required("frontdesk.reassign_case", raise_exception=True)
def case_reassign(request, pk):
    return _case_action(
        request, pk, ReassignForm,
        lambda c, d: services.case_reassign(actor=request.user, case=c, to_user=d["to_user"], reason=d["reason"]),
        "The case changed hands.",
    )  # fmt: skip


@require_POST
@permission_required("frontdesk.change_case", raise_exception=True)
def case_resolve(request, pk):
    return _case_action(
        request, pk, ResolveForm,
        lambda c, d: services.case_resolve(actor=request.user, case=c, resolution=d["resolution"]),
        "Resolved. Record how the customer was told.",
    )  # fmt: skip


@require_POST
@permission_required("frontdesk.change_case", raise_exception=True)
def case_notify(request, pk):
    return _case_action(
        request, pk, NotifyForm,
        lambda c, d: services.case_notify(actor=request.user, case=c, how=d["how"], note=d["note"]),
        "Recorded on the case and in the account's contact log.",
    )  # fmt: skip


@require_POST
@permission_required("frontdesk.change_case", raise_exception=True)
def case_reopen(request, pk):
    return _case_action(
        request, pk, ReasonForm, lambda c, d: services.case_reopen(actor=request.user, case=c, reason=d["reason"]),
        "Reopened.",
    )  # fmt: skip


# --- visitors ---------------------------------------------------------------------------------------------------


def _visitors(request, form=None):
    return render(
        request, "frontdesk/visitors.html", {"form": form or VisitorForm(), "visits": selectors.in_building()}
    )


@permission_required("frontdesk.view_visit", raise_exception=True)
def visitors(request):
    return _visitors(request)


@require_POST
@permission_required("frontdesk.add_visit", raise_exception=True)
def visitor_sign_in(request):
    form = VisitorForm(request.POST)
    if form.is_valid():
        try:
            visit = services.visitor_sign_in(actor=request.user, **form.cleaned_data)
        except services.FrontDeskError as error:
            form.add_error("badge", str(error))
        else:
            messages.success(request, f"{visit.name} signed in with badge {visit.badge}.")
            return redirect("frontdesk:visitors")
    return _visitors(request, form)


@require_POST
@permission_required("frontdesk.change_visit", raise_exception=True)
def visitor_sign_out(request, pk):
    visit = get_object_or_404(Visit, pk=_pk(pk))
    try:
        services.visitor_sign_out(actor=request.user, visit=visit)
        messages.success(request, f"{visit.name} signed out (badge {visit.badge} is free).")
    except services.FrontDeskError as error:
        messages.error(request, str(error))
    return redirect(request.POST.get("next") == "desk" and "frontdesk:desk" or "frontdesk:visitors")


@permission_required("frontdesk.view_visit", raise_exception=True)
def visitor_log(request):
    day = _day(request)
    return render(request, "frontdesk/visitor_log.html", {"visits": selectors.visits_on(day), "day": day})


# --- the radio log ----------------------------------------------------------------------------------------------


def _radio(request, day, form=None):
    return render(
        request, "frontdesk/radio.html",
        {"entries": selectors.radio_on(day), "day": day, "form": form or RadioForm(),
         "today": clock.today()},
    )  # fmt: skip


@permission_required("frontdesk.view_radioentry", raise_exception=True)
def radio(request):
    return _radio(request, _day(request))


@require_POST
@permission_required("frontdesk.add_radioentry", raise_exception=True)
def radio_add(request):
    form = RadioForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.radio_log(
                actor=request.user, unit=data["unit"], message=data["message"], heard_at=data["heard_at"],
                order=data["order"],
            )  # fmt: skip
        except services.FrontDeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Logged.")
            return redirect("frontdesk:radio")
    return _radio(request, clock.today(), form)
