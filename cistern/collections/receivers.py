"""What collections does when other apps tell it something happened (connected in CollectionsConfig.ready)."""

import logging

from django.db import transaction

from cistern.core import clock
from cistern.customers.models import Account
from cistern.fieldwork.services import FieldworkError
from cistern.ledger.services import LedgerError
from cistern.payments.signals import payment_posted

from . import reconnection, selectors

log = logging.getLogger(__name__)


def reconnect_when_paid(sender, *, actor, payment, account_ids, on, amounts=None, **kwargs) -> None:
    """A payment on a locked-off account whose past due it pays: the reconnect order and fee, committed with the
    payment (`reconnection.reconnect`). "Paid" is the policy's delinquency on today: nothing that fell due before
    today left open (selectors.open_charges, policy.decide). An account with a reconnect order open, or still
    owing past due (a partial payment), is left as it is.

    On the payment path: one indexed query (`reconnection.ever_locked_off`) when no account paid was ever locked
    off. A reconnection refused here (a fee missing from the catalog) leaves the payment posted and the account
    on the clerk's page to reconnect by hand."""
    if not reconnection.ever_locked_off(list(account_ids)):
        return
    locked = selectors.locked_off_accounts(account_ids)
    if not locked:
        return
    today = clock.today()
    waiting = locked - reconnection.open_reconnects(locked)
    for account in Account.objects.select_related("premise").filter(pk__in=sorted(waiting)).order_by("pk"):
        if reconnection.past_due(account, today).delinquent_since is not None:
            continue
        try:
            with transaction.atomic():
                reconnection.reconnect(
                    actor=actor, account=account, after_hours=False, on=today,
                    paid=(amounts or {}).get(account.pk),
                )  # fmt: skip
        except (reconnection.ReconnectionError, FieldworkError, LedgerError) as exc:
            log.warning("Account %s paid but not reconnected: %s", account.number, exc)


def connect() -> None:
    """Connect collections' receivers to the signals of the apps below it."""
    payment_posted.connect(reconnect_when_paid, dispatch_uid="collections.reconnect_when_paid")
