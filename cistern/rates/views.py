from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from cistern.core import badinput, clock

from . import engine, selectors
from .forms import EstimateForm
from .models import BasicFee, RateSchedule, UsageBlock


@permission_required("rates.view_rateschedule", raise_exception=True)
def estimate(request):
    """What a bill would be for so many units: every line with its arithmetic, at the rates billed then."""
    form = EstimateForm(request.GET or None)
    quote = error = None
    if form.is_valid() and not badinput.date_in_range(form.cleaned_data["on"]):  # 0001-01-01 answered 500
        form.add_error(
            "on", f"A date between {badinput.FIRST_DAY:%m/%d/%Y} and {badinput.LAST_DAY:%m/%d/%Y}."
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = selectors.quote(
                rate_class=data["rate_class"], meter_size=data["meter_size"], units=data["units"],
                days=data["days"], on=data["on"],
            )  # fmt: skip
        except engine.RatingError as exc:
            error = str(exc)
    status = 400 if form.is_bound and not form.is_valid() else 200  # values that do not fit answer 400
    return render(
        request, "rates/estimate.html", {"form": form, "quote": quote, "error": error}, status=status
    )


@permission_required("rates.view_rateschedule", raise_exception=True)
def rate_tables(request):
    """The schedules, which one is billed from when, each version's tables and the fee catalog."""
    today = clock.today()
    timeline = selectors.billed_versions()
    in_force = next((version for begins, version in reversed(timeline) if begins <= today), None)
    versions = []
    for begins, version in timeline:
        fees = BasicFee.objects.filter(version=version).order_by("rate_class", "monthly_amount", "meter_size")
        blocks = UsageBlock.objects.filter(version=version).order_by("rate_class", "meter_size", "tier")
        versions.append({"begins": begins, "version": version, "fees": fees, "blocks": blocks})
    context = {
        "schedules": RateSchedule.objects.prefetch_related("versions"),
        "billed": selectors.billed_schedule_history(),
        "versions": versions[::-1],
        "in_force": in_force,
        "fees": selectors.fee_catalog(today),
    }
    return render(request, "rates/rate_tables.html", context)
