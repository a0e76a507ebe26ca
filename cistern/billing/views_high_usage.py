"""High usage: the "High usage to call" queue (CSS I and up). A notice is closed by the clerk's "done" with what
was said (the account page's panel and the home page's count: high_usage_hooks)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from . import high_usage_selectors, high_usage_services
from .errors import BillingError
from .high_usage_hooks import VIEW, WORK
from .models import HighUsageNotice


@permission_required(VIEW, raise_exception=True)
def high_usage_queue(request):
    rows = high_usage_selectors.open_notices()
    return render(
        request, "billing/high_usage.html", {"rows": rows, "count": high_usage_selectors.open_count()}
    )


@require_POST
@permission_required(WORK, raise_exception=True)
def high_usage_done(request, notice_id):
    notice = get_object_or_404(HighUsageNotice, pk=notice_id)
    try:
        high_usage_services.high_usage_done(
            actor=request.user, notice=notice, note=request.POST.get("note", "")
        )
    except BillingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"High usage on bill {notice.bill_id}: done.")
    return redirect("billing:high_usage")


urlpatterns = [
    path("high-usage/", high_usage_queue, name="high_usage"),
    path("high-usage/<int:notice_id>/done/", high_usage_done, name="high_usage_done"),
]
