"""A payment arrangement made or cancelled from the account page's Collections panel."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.views.decorators.http import require_POST

from cistern.core import badinput, clock
from cistern.core.money import format_money
from cistern.ledger.services import LedgerError

from . import arrangements
from .forms import ArrangementCancelForm, ArrangementForm
from .models import Arrangement
from .views import _account_or_404, _errors, _to_account


@require_POST
@permission_required("collections.add_arrangement", raise_exception=True)
def arrangement_new(request, number):
    account = _account_or_404(number)
    form = ArrangementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _to_account(account)
    data = form.cleaned_data
    try:
        made = arrangements.arrangement_create(
            actor=request.user, account=account, installments=data["installments"], first_due=data["first_due"],
            on=clock.today(), reason=data["reason"],
        )  # fmt: skip
    except (arrangements.ArrangementError, LedgerError) as exc:
        messages.error(request, str(exc))
    else:
        first = made.installments.first()
        messages.success(
            request,
            f"Arrangement made: {format_money(made.amount)} in {made.installment_count} installments, the first "
            f"{format_money(first.amount)} due {first.due_on:%m/%d/%Y}.",
        )
    return _to_account(account)


@require_POST
@permission_required("collections.change_arrangement", raise_exception=True)
def arrangement_cancel(request, number, arrangement_id):
    account = _account_or_404(number)
    pk = badinput.query_id(arrangement_id, name="arrangement")
    arrangement = Arrangement.objects.filter(pk=pk, account=account).first()
    form = ArrangementCancelForm(request.POST)
    if arrangement is None:
        messages.error(request, "No such arrangement on this account.")
    elif not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            arrangements.arrangement_cancel(
                actor=request.user,
                arrangement=arrangement,
                on=clock.today(),
                reason=form.cleaned_data["reason"],
            )
        except (arrangements.ArrangementError, LedgerError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Arrangement cancelled: what is still owed is due as it was.")
    return _to_account(account)
