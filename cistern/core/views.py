from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cistern.core import clock, roles

from . import queues, selectors, services
from .forms import ClosureDayForm, DistrictSettingsForm, HolidayForm, SuspensionForm
from .models import ClosureDay, Holiday
from .search import QueryRefused, parse_offset, search_page


def home(request):
    """The start of a clerk's day: what waits for this user (each queue their permissions open, with its
    count and its page: core/queues.py), and the office's calendar."""
    today = clock.today()
    calendar = selectors.district_calendar()
    week = [today + timedelta(days=i) for i in range(14)]
    waiting = queues.queues_for(request.user) if request.user.is_authenticated else []
    return render(
        request,
        "core/home.html",
        {
            "today": today,
            "queues": waiting,
            # what the list shows: its refresh (views_team.home_queues) answers 204 while the counts are the same
            "queues_seen": queues.fingerprint(waiting),
            "today_closed_reason": None
            if calendar.is_business_day(today)
            else (calendar.holiday_name(today) or "Weekend"),
            "next_business_day": calendar.next_business_day(today),
            "closures_ahead": [(d, calendar.holiday_name(d)) for d in week if calendar.holiday_name(d)],
        },
    )


def search(request):
    """The search box's results: the whole page, the list under the box (htmx), or the next hits of that list
    ("show more": htmx with an offset). A query too long to be a search, or a bad offset, answers 400."""
    query = request.GET.get("q", "")
    htmx = bool(request.headers.get("HX-Request"))
    try:
        offset = parse_offset(request.GET.get("offset"))
        results = search_page(request.user, query, offset=offset)
    except (QueryRefused, ValueError) as exc:
        template = "core/_search_results.html" if htmx else "core/search.html"
        return render(request, template, {"query": query[:200], "error": str(exc)}, status=400)
    if htmx:
        template = "core/_search_hits.html" if offset else "core/_search_results.html"
    else:
        template = "core/search.html"
    return render(request, template, {"query": results.query, "results": results, "hits": results.hits})


@permission_required("core.view_user_audit", raise_exception=True)
def user_audit_index(request):
    users = get_user_model().objects.order_by("username")
    return render(request, "core/user_audit_index.html", {"users": users})


@permission_required("core.view_user_audit", raise_exception=True)
def user_audit(request, user_id):
    subject = get_object_or_404(get_user_model(), pk=user_id)
    events = selectors.audit_for_user(subject.pk)
    return render(request, "core/user_audit.html", {"subject": subject, "events": events})


@permission_required("core.view_districtsettings", raise_exception=True)
def district_settings_page(request):
    district = selectors.district_settings()
    can_change = request.user.has_perm("core.change_districtsettings")
    form = DistrictSettingsForm(instance=district)
    closure_form = ClosureDayForm()
    holiday_form = HolidayForm()
    suspension_form = SuspensionForm()
    year = _year(request.GET.get("year"), default=clock.today().year)
    if request.method == "POST" and ("add_holiday" in request.POST or "load_holidays" in request.POST):
        done, holiday_form = _holiday_post(request, year)
        if done:
            return done
    elif request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if "add_suspension" in request.POST:
            suspension_form = SuspensionForm(request.POST)
            if suspension_form.is_valid():
                try:
                    services.suspension_add(actor=request.user, **suspension_form.cleaned_data)
                except services.CoreError as exc:
                    suspension_form.add_error(None, str(exc))
                else:
                    messages.success(request, "Suspension added.")
                    return redirect("district_settings")
        elif "add_closure" in request.POST:
            closure_form = ClosureDayForm(request.POST)
            if closure_form.is_valid():
                try:
                    services.closure_day_add(actor=request.user, **closure_form.cleaned_data)
                except services.CoreError as exc:
                    closure_form.add_error(None, str(exc))
                else:
                    messages.success(request, "Closure day added.")
                    return redirect("district_settings")
        else:
            form = DistrictSettingsForm(request.POST, instance=selectors.district_settings())
            if form.is_valid():
                values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
                try:
                    services.district_settings_update(
                        actor=request.user, reason=form.cleaned_data["reason"], **values
                    )
                except services.CoreError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "District settings saved.")
                    return redirect("district_settings")
    closures = ClosureDay.objects.filter(day__gte=clock.today() - timedelta(days=365))
    return render(
        request,
        "core/district_settings.html",
        {
            "form": form, "closure_form": closure_form, "closures": closures, "can_change": can_change,
            "holiday_form": holiday_form, "year": year, "holidays": selectors.holidays_in(year),
            "suspension_form": suspension_form, "suspensions": selectors.suspensions(),
        },
    )  # fmt: skip


def _holiday_post(request, year):
    """The holiday forms of the district page: add one, or load the package's list for a year."""
    if not request.user.has_perm("core.add_holiday"):
        raise PermissionDenied
    if "load_holidays" in request.POST:
        year = _year(request.POST.get("year"), default=year)
        added = services.holidays_load(actor=request.user, years=[year])
        messages.success(request, f"{added} federal and state holidays of {year} added to the list.")
        return redirect(f"{reverse('district_settings')}?year={year}"), None
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = services.holiday_add(actor=request.user, **form.cleaned_data)
        except services.CoreError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{holiday.day:%m/%d/%Y} {holiday.name} is a holiday: the office is closed."
            )
            return redirect(f"{reverse('district_settings')}?year={holiday.day.year}"), form
    return None, form


def _year(value, *, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 1900 < year < 2200 else default


@require_POST
@permission_required("core.delete_closureday", raise_exception=True)
def closure_day_remove(request, closure_id):
    closure = get_object_or_404(ClosureDay, pk=closure_id)
    services.closure_day_remove(actor=request.user, closure=closure, reason=request.POST.get("reason", ""))
    messages.success(request, f"{closure.day:%m/%d/%Y} is no longer a closure day.")
    return redirect("district_settings")


@require_POST
@permission_required("core.change_holiday", raise_exception=True)
def holiday_observed(request, holiday_id):
    holiday = get_object_or_404(Holiday, pk=holiday_id)
    observed = request.POST.get("observed") == "1"
    services.holiday_set_observed(
        actor=request.user, holiday=holiday, observed=observed, reason=request.POST.get("reason", "")
    )
    state = "observed: the office is closed" if observed else "not observed: the office is open"
    messages.success(request, f"{holiday.day:%m/%d/%Y} {holiday.name} is {state}.")
    return redirect(f"{reverse('district_settings')}?year={holiday.day.year}")


class SignInForm(AuthenticationForm):
    """A machine's user (its only role is Integration) never signs in on the web: it uses its API token."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if roles.integration_only(user):
            raise ValidationError(roles.NO_WEB_SIGN_IN, code="integration")


sign_in = auth_views.LoginView.as_view(authentication_form=SignInForm)
