"""The account page's "Reconnect" form (in the collections panel): a clerk orders the reconnection of a
locked-off account whose past due is paid, with its fee (reconnection.reconnect_request)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.views.decorators.http import require_POST

from cistern.core import clock
from cistern.core.money import format_money
from cistern.fieldwork.services import FieldworkError
from cistern.ledger.services import LedgerError

from . import reconnection
from .views import _account_or_404, _errors, _to_account


class ReconnectForm(forms.Form):
    after_hours = forms.BooleanField(required=False, label="After hours (the customer asks for it)")
    actual_cost = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="Actual cost (optional)"
    )


@require_POST
@permission_required("fieldwork.add_serviceorder", raise_exception=True)
def reconnect(request, number):
    account = _account_or_404(number)
    form = ReconnectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _to_account(account)
    data = form.cleaned_data
    try:
        order = reconnection.reconnect_request(
            actor=request.user, account=account, after_hours=data["after_hours"], on=clock.today(),
            actual_cost=data["actual_cost"],
        )  # fmt: skip
    except (reconnection.ReconnectionError, FieldworkError, LedgerError) as exc:
        messages.error(request, str(exc))
    else:
        fee = order.account.journal_lines.filter(entry__source_kind=reconnection.RECONNECTION_FEE,
                                                 entry__source_id=order.pk).first()  # fmt: skip
        messages.success(
            request,
            f"{order.label} reconnect ordered for {order.requested_on:%m/%d/%Y}; "
            f"reconnection fee {format_money(fee.amount) if fee else '$0.00'}.",
        )
    return _to_account(account)
