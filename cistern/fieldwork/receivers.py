"""Start, transfer and stop service create their service orders. customers sends these signals inside its
own transaction, so an order is made exactly when the start, transfer or stop commits."""

from . import services


def on_service_started(sender, *, actor, account, **kwargs):
    services.orders_for_start(actor=actor, account=account)


def on_service_transferred(sender, *, actor, old_account, new_account, **kwargs):
    services.orders_for_transfer(actor=actor, old_account=old_account, new_account=new_account)


def on_service_stopped(sender, *, actor, account, **kwargs):
    services.orders_for_stop(actor=actor, account=account)
