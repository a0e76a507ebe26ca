"""Seams for later work. Sent inside the service's transaction, so what a receiver writes (a turn-on
service order, a final bill) commits or rolls back with the start, transfer or stop itself."""

from django.dispatch import Signal

# kwargs: actor, account
service_started = Signal()
# kwargs: actor, old_account, new_account
service_transferred = Signal()
# kwargs: actor, account
service_stopped = Signal()
