from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from cistern.core import clock

from . import actions, chart, selectors, services
from .forms import ReviewForm
from .models import Meter, Read, ReadStatus, Route

PAGE_SIZE = 25  # a screenful to review; rendering, not the database, is most of the page's time
QUEUE_CHART_MONTHS = 13
DETAIL_CHART_MONTHS = 36


def _svg(svg: str):
    return mark_safe(svg)  # noqa: S308 (chart.usage_chart escapes every text it draws)


_SENTINEL = "987654321"


class _UrlMaker:
    """The queue's links, reversed once per page and filled in per row: a page of rows x 8 links of reverse() would
    cost more than the queries."""

    def __init__(self):
        self._patterns = {}

    def _pattern(self, name: str, sample: str = _SENTINEL) -> tuple[str, str]:
        if name not in self._patterns:
            head, _, tail = reverse(name, args=[sample]).partition(sample)
            self._patterns[name] = (head, tail)
        return self._patterns[name]

    def url(self, name: str, value) -> str:
        head, tail = self._pattern(name)
        return f"{head}{value}{tail}"

    def for_read(self, read: Read, extra_actions) -> dict:
        account = self._pattern("customers:account", "1000000000")  # an account number's shape
        return {
            "detail": self.url("metering:exception", read.pk),
            "accept": self.url("metering:exception_accept", read.pk),
            "reject": self.url("metering:exception_reject", read.pk),
            "estimate": self.url("metering:exception_estimate", read.pk),
            "meter": self.url("metering:meter", read.meter.serial),
            "account": f"{account[0]}{read.account.number}{account[1]}" if read.account else "",
            "actions": [(a.label, self.url(a.url_name, read.pk)) for a in extra_actions],
        }


@permission_required("metering.review_read", raise_exception=True)
def exception_queue(request):
    route_code = request.GET.get("route", "").strip()
    extra_actions = actions.actions_for(request.user)
    paginator = Paginator(selectors.exception_queue_ids(route_code), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    reads = selectors.exceptions_by_ids(list(page.object_list))
    rows = []
    urls = _UrlMaker()
    if reads:
        since = chart.add_months(chart.month_start(reads[0].read_on), -(QUEUE_CHART_MONTHS - 1))
        histories = selectors.read_histories({r.meter_id for r in reads}, since)
        for read in reads:
            month = chart.month_start(read.read_on)
            history = [h for h in histories[read.meter_id] if h.read_on <= read.read_on]
            bars = selectors.usage_bars(history, read, last_month=month, months=QUEUE_CHART_MONTHS)
            svg = chart.usage_chart(
                bars, title=f"Meter {read.meter.serial}, last 13 months", width=200, height=44,
                compact=True, highlight=month, chart_id=f"q{read.pk}",
            )  # fmt: skip
            rows.append((read, _svg(svg), urls.for_read(read, extra_actions)))
    return render(
        request,
        "metering/exceptions.html",
        {
            "page": page,
            "rows": rows,
            "routes": list(Route.objects.order_by("code")),
            "route_code": route_code,
            "next": request.get_full_path(),
        },
    )


@permission_required("metering.review_read", raise_exception=True)
def exception_detail(request, read_id):
    read = get_object_or_404(
        Read.objects.select_related(
            "meter", "account__customer", "installation__service_point__premise",
            "installation__service_point__route", "reviewed_by",
        ),
        pk=read_id,
    )  # fmt: skip
    month = chart.month_start(read.read_on)
    since = chart.add_months(month, -(DETAIL_CHART_MONTHS - 1))
    history = selectors.read_histories([read.meter_id], since)[read.meter_id]
    upto = [h for h in history if h.read_on <= read.read_on]
    bars = selectors.usage_bars(upto, read, last_month=month, months=DETAIL_CHART_MONTHS)
    svg = chart.usage_chart(
        bars, title=f"Meter {read.meter.serial} by month", highlight=month, chart_id=f"d{read.pk}"
    )
    estimate = selectors.estimate_for(read) if read.status == ReadStatus.EXCEPTION else None
    return render(
        request,
        "metering/exception.html",
        {
            "read": read,
            "chart": _svg(svg),
            "history": list(reversed(history))[:24],
            "estimate": estimate if not isinstance(estimate, str) else None,
            "estimate_refusal": estimate if isinstance(estimate, str) else "",
            "urls": _UrlMaker().for_read(read, actions.actions_for(request.user)),
            "next": reverse("metering:exceptions"),
            "form": ReviewForm(),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    # A path of ours only: redirect() would take other text for a view name (NoReverseMatch: a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect("metering:exceptions")


def _review(request, read_id, service, done: str):
    read = get_object_or_404(Read.objects.select_related("meter"), pk=read_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Meter {read.meter.serial}: " + "; ".join(form.errors["reason"]))
        return _back(request)
    try:
        service(actor=request.user, read=read, reason=form.cleaned_data["reason"])
    except services.MeteringError as exc:
        messages.error(request, f"Meter {read.meter.serial}, {read.read_on:%m/%d/%Y}: {exc}")
    else:
        messages.success(request, f"Read of meter {read.meter.serial} on {read.read_on:%m/%d/%Y} {done}.")
    return _back(request)


@require_POST
@permission_required("metering.review_read", raise_exception=True)
def exception_accept(request, read_id):
    return _review(request, read_id, services.read_accept, "accepted")


@require_POST
@permission_required("metering.review_read", raise_exception=True)
def exception_reject(request, read_id):
    return _review(request, read_id, services.read_reject, "rejected")


@require_POST
@permission_required("metering.review_read", raise_exception=True)
def exception_estimate(request, read_id):
    return _review(request, read_id, services.read_estimate, "replaced with an estimate")


@permission_required("metering.view_meter", raise_exception=True)
def meter_page(request, serial):
    try:
        meter = selectors.meter_page(serial)
    except Meter.DoesNotExist:
        raise Http404(f"No meter {serial}") from None
    today = clock.today()
    month = chart.month_start(today)
    since = chart.add_months(month, -(DETAIL_CHART_MONTHS - 1))
    history = selectors.read_histories([meter.pk], since - timedelta(days=1))[meter.pk]
    bars = selectors.usage_bars(history, last_month=month, months=DETAIL_CHART_MONTHS)
    svg = chart.usage_chart(bars, title=f"Meter {meter.serial} by month", chart_id=f"m{meter.pk}")
    return render(
        request,
        "metering/meter.html",
        {
            "meter": meter,
            "installations": selectors.meter_installations(meter),
            "chart": _svg(svg),
            "history": list(reversed(history))[:36],
        },
    )
