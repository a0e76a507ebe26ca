"""Start and transfer of service post their money. customers sends these signals inside its own transaction,
so the start charges (or the deposit moved) commit or roll back with the start or transfer itself."""

from . import services


def on_service_started(sender, *, actor, account, **kwargs):
    services.start_charges_post(actor=actor, account=account)


def on_service_transferred(sender, *, actor, old_account, new_account, **kwargs):
    services.deposit_transfer(actor=actor, old_account=old_account, new_account=new_account)
