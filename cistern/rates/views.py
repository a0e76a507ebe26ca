from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from cistern.core import clock

from . import engine, selectors
from .forms import EstimateForm
from .models import BasicFee, RateSchedule, UsageBlock


@permission_required("rates.view_rateschedule", raise_exception=True)
def estimate(request):
    """What a bill would be for so many units: every line with its arithmetic, at the rates billed then."""
    form = EstimateForm(request.GET or None)
    quote = error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = selectors.quote(
                rate_class=data["rate_class"], meter_size=data["meter_size"], units=data["units"],
                days=data["days"], on=data["on"],
            )  # fmt: skip
        except engine.RatingError as exc:
            error = str(exc)
    return render(request, "rates/estimate.html", {"form": form, "quote": quote, "error": error})


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
