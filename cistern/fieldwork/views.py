from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.customers import selectors as customer_selectors
from cistern.customers.account_number import InvalidAccountNumber
from cistern.customers.models import Account
from cistern.metering.models import Read

from . import lifecycle, routesheet, selectors, services
from .forms import CompleteForm, ConnectionForm, FollowUpForm, OrderForm, ProgramForm, ScheduleForm, VoidForm
from .models import ConnectionApplication, OrderStatus, ServiceOrder, ServiceOrderType


def _order_or_404(number) -> ServiceOrder:
    try:
        return selectors.order_get(int(number))
    except (ValueError, ServiceOrder.DoesNotExist):
        raise Http404(f"No order {number}") from None


def _day(value, name: str = "date") -> date:
    """The day a page shows (today when none is given); a date that does not fit answers 400."""
    return badinput.query_date(value, name=name, default=clock.today())


def _back(request, default: str):
    """Where to go after a POST: the page it came from (when it is ours), else `default`."""
    target = request.POST.get("next", "")
    # A path of ours only: redirect() would take other text for a view name (NoReverseMatch: a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _errors(form) -> str:
    return "; ".join(f"{form.fields[k].label or k if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                     for k, v in form.errors.items())  # fmt: skip


# --- staff pages ----------------------------------------------------------------------------------


@permission_required("fieldwork.view_serviceorder", raise_exception=True)
def order_list(request):
    status = request.GET.get("status", "active")
    type_code = request.GET.get("type", "")
    orders = selectors.order_list(status=status, type_code=type_code)
    return render(
        request, "fieldwork/order_list.html",
        {"orders": orders[:200], "count": orders.count(), "status": status, "type_code": type_code,
         "statuses": OrderStatus.choices, "types": ServiceOrderType.objects.all()},
    )  # fmt: skip


@permission_required("fieldwork.view_serviceorder", raise_exception=True)
def order_detail(request, number):
    order = _order_or_404(number)
    status = order.status
    return render(
        request, "fieldwork/order_detail.html",
        {"order": order, "events": order.events.select_related("actor"), "meter": selectors.current_meter(order),
         "can_schedule": lifecycle.can(status, lifecycle.SCHEDULE),
         "can_dispatch": lifecycle.can(status, lifecycle.DISPATCH),
         "can_void": lifecycle.can(status, lifecycle.VOID), "can_close": lifecycle.can(status, lifecycle.CLOSE),
         "can_complete": lifecycle.can(status, lifecycle.COMPLETE),
         "schedule_form": ScheduleForm(initial={
             "scheduled_on": order.scheduled_on or order.requested_on, "window_start": order.window_start,
             "window_end": order.window_end, "technician": order.technician_id}),
         "void_form": VoidForm(), "complete_form": CompleteForm(), "follow_up_form": FollowUpForm(
             initial={"subject": f"Follow-up on {order.label} {order.order_type.name.lower()}"}),
         "today": clock.today()},
    )  # fmt: skip


@permission_required("fieldwork.view_serviceorder", raise_exception=True)
def order_photo(request, number):
    order = _order_or_404(number)
    if not order.photo:
        raise Http404("No photo")
    return FileResponse(order.photo.open("rb"), filename=order.photo.name.rsplit("/", 1)[-1])


@permission_required("fieldwork.add_serviceorder", raise_exception=True)
def order_new(request):
    initial = {"account_number": request.GET.get("account", "")}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = customer_selectors.account_get(data["account_number"].strip())
        except (InvalidAccountNumber, Account.DoesNotExist):
            form.add_error("account_number", "No such account (check the number and its check digit).")
        else:
            try:
                order = services.order_create(
                    actor=request.user, order_type=data["order_type"], premise=account.premise, account=account,
                    requested_on=data["requested_on"], priority=data["priority"], notes=data["notes"],
                    follow_up=data["follow_up"],
                )  # fmt: skip
            except services.FieldworkError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{order.label} {order.order_type.name} created.")
                return redirect("fieldwork:order_detail", order.number)
    return render(request, "fieldwork/order_new.html", {"form": form})


@require_POST
@permission_required("fieldwork.change_serviceorder", raise_exception=True)
def order_schedule(request, number):
    order = _order_or_404(number)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(request, reverse("fieldwork:order_detail", args=[order.number]))
    data = form.cleaned_data
    kwargs = {}
    if request.user.has_perm("fieldwork.dispatch_serviceorder") and "technician" in request.POST:
        kwargs["technician"] = data["technician"]
    try:
        services.order_schedule(
            actor=request.user, order=order, scheduled_on=data["scheduled_on"], window_start=data["window_start"],
            window_end=data["window_end"], **kwargs,
        )  # fmt: skip
    except services.FieldworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{order.label} scheduled for {data['scheduled_on']:%m/%d/%Y}.")
    return _back(request, reverse("fieldwork:order_detail", args=[order.number]))


def _simple(request, number, call, done: str):
    order = _order_or_404(number)
    try:
        call(order)
    except services.FieldworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{order.label} {done}.")
    return _back(request, reverse("fieldwork:order_detail", args=[order.number]))


@require_POST
@permission_required("fieldwork.dispatch_serviceorder", raise_exception=True)
def order_dispatch(request, number):
    return _simple(
        request, number, lambda o: services.order_dispatch(actor=request.user, order=o), "dispatched"
    )


@require_POST
@permission_required("fieldwork.void_serviceorder", raise_exception=True)
def order_void(request, number):
    reason = request.POST.get("reason", "")
    return _simple(
        request, number, lambda o: services.order_void(actor=request.user, order=o, reason=reason), "voided"
    )


@require_POST
@permission_required("fieldwork.change_serviceorder", raise_exception=True)
def order_close(request, number):
    return _simple(request, number, lambda o: services.order_close(actor=request.user, order=o), "closed")


@require_POST
@permission_required("fieldwork.complete_serviceorder", raise_exception=True)
def order_complete(request, number):
    order = _order_or_404(number)
    form = CompleteForm(request.POST, request.FILES)
    staff = request.user.has_perm("fieldwork.view_serviceorder")
    back = (reverse("fieldwork:order_detail", args=[order.number]) if staff
            else f"{reverse('fieldwork:tech_today')}?order={order.number}")  # fmt: skip
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        services.order_complete(
            actor=request.user, order=order,
            completion=services.Completion(
                on=clock.today(), read_value=data["read_value"], new_meter_serial=data["new_meter_serial"],
                new_initial_value=data["new_initial_value"], field_notes=data["field_notes"], photo=data["photo"],
            ),
        )  # fmt: skip
    except services.FieldworkError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"{order.label} completed.")
    return redirect(back if staff else "fieldwork:tech_today")


@require_POST
@permission_required("fieldwork.change_serviceorder", raise_exception=True)
def order_follow_up(request, number):
    order = _order_or_404(number)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.order_follow_up_record(actor=request.user, order=order, **form.cleaned_data)
        except (services.FieldworkError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Follow-up on {order.label} logged on account {order.account.number}.")
    return _back(request, reverse("fieldwork:follow_ups"))


@permission_required("fieldwork.change_serviceorder", raise_exception=True)
def follow_ups(request):
    orders = selectors.follow_up_queue()
    forms_ = [(o, FollowUpForm(initial={"subject": f"Follow-up on {o.label} {o.order_type.name.lower()}"}))
              for o in orders[:100]]  # fmt: skip
    return render(request, "fieldwork/follow_ups.html", {"items": forms_})


@require_POST
@permission_required("fieldwork.add_serviceorder", raise_exception=True)
def reread_from_read(request, read_id):
    read = get_object_or_404(Read, pk=read_id)
    try:
        order = services.reread_from_read(actor=request.user, read=read)
    except services.FieldworkError as exc:
        messages.error(request, str(exc))
        return _back(request, reverse("home"))
    messages.success(request, f"{order.label} re-read sent for meter {read.meter.serial}.")
    return _back(request, reverse("fieldwork:order_detail", args=[order.number]))


# --- the dispatcher -------------------------------------------------------------------------------


@permission_required("fieldwork.dispatch_serviceorder", raise_exception=True)
def board(request):
    day = _day(request.GET.get("date"))
    scheduled, waiting = selectors.board(day)
    techs = list(selectors.technicians())
    lanes = {t.pk: [] for t in techs}
    unassigned = []
    for order in scheduled:
        if order.technician_id:
            lanes.setdefault(order.technician_id, []).append(order)
        else:
            unassigned.append(order)
    by_id = {t.pk: t for t in techs}
    for order in scheduled:  # an order can still be with a technician who has since left the role
        if order.technician_id:
            by_id.setdefault(order.technician_id, order.technician)
    columns = [(by_id[tid], orders) for tid, orders in lanes.items()]
    waiting_list = list(waiting[:100])
    return render(
        request, "fieldwork/board.html",
        {"day": day, "prev": day - timedelta(days=1), "next": day + timedelta(days=1), "columns": columns,
         "unassigned": unassigned, "waiting": waiting_list, "waiting_count": waiting.count(), "technicians": techs},
    )  # fmt: skip


@permission_required("fieldwork.dispatch_serviceorder", raise_exception=True)
def route_sheet(request, technician_id, day):
    technician = get_object_or_404(get_user_model(), pk=technician_id)
    on = _day(day, "day")
    orders = list(selectors.technician_day(technician, on).exclude(status=OrderStatus.CLOSED))
    meters = selectors.current_meters(orders)
    pdf = routesheet.render(technician=technician, day=on, orders=orders, meters=meters)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="route-{technician.username}-{on:%Y-%m-%d}.pdf"'
    return response


# --- the technician's phone -----------------------------------------------------------------------


@permission_required("fieldwork.complete_serviceorder", raise_exception=True)
def tech_today(request):
    day = _day(request.GET.get("date"))
    if "order" in request.GET:
        order = _order_or_404(badinput.query_id(request.GET["order"], name="order"))
        if order.technician_id != request.user.pk and not request.user.has_perm(
            "fieldwork.view_serviceorder"
        ):
            raise Http404("No such order on your list")
        return render(
            request, "fieldwork/tech_order.html",
            {"order": order, "meter": selectors.current_meter(order), "form": CompleteForm(),
             "can_complete": lifecycle.can(order.status, lifecycle.COMPLETE)},
        )  # fmt: skip
    orders = list(selectors.technician_day(request.user, day))
    todo = [o for o in orders if o.is_active]
    done = [o for o in orders if not o.is_active]
    return render(
        request, "fieldwork/tech_today.html",
        {"day": day, "todo": todo, "done": done, "today": clock.today(),
         "prev": day - timedelta(days=1), "next": day + timedelta(days=1)},
    )  # fmt: skip


# --- special programs and new connections -------------------------------------------------------------


@permission_required("fieldwork.run_order_program", raise_exception=True)
def programs(request):
    form = ProgramForm(request.GET or None)
    preview = None
    if form.is_bound and form.is_valid():
        program = selectors.PROGRAMS[form.cleaned_data["program"]]
        params = form.params()
        preview = {"program": program, "key": form.cleaned_data["program"], "params": params,
                   "candidates": program.candidates(**params)}  # fmt: skip
    return render(request, "fieldwork/programs.html", {"form": form, "preview": preview})


@require_POST
@permission_required("fieldwork.run_order_program", raise_exception=True)
def programs_create(request):
    form = ProgramForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("fieldwork:programs")
    try:
        orders = services.program_run(
            actor=request.user, program=form.cleaned_data["program"], params=form.params(),
            keys=request.POST.getlist("key"),
        )  # fmt: skip
    except services.FieldworkError as exc:
        messages.error(request, str(exc))
        return redirect("fieldwork:programs")
    messages.success(request, f"{len(orders)} orders created.")
    return redirect(f"{reverse('fieldwork:order_list')}?status=open")


@permission_required("fieldwork.view_connectionapplication", raise_exception=True)
def connections(request, form=None):
    applications = ConnectionApplication.objects.select_related("premise", "order__order_type", "created_by")
    return render(
        request, "fieldwork/connections.html",
        {"applications": applications[:200], "form": form or ConnectionForm()},
    )  # fmt: skip


@require_POST
@permission_required("fieldwork.add_connectionapplication", raise_exception=True)
def connection_add(request):
    form = ConnectionForm(request.POST)
    if form.is_valid():
        try:
            application = services.connection_apply(actor=request.user, **form.cleaned_data)
        except (services.FieldworkError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{application.job_number} recorded; {application.order.label} meter install created.",
            )
            return redirect("fieldwork:connections")
    return connections(request, form=form)
