"""Seams for the apps that act on bills. Sent inside the bill's transaction, so what a receiver writes (the
refund a final bill owes) commits or rolls back with the bill itself."""

from django.dispatch import Signal

# kwargs: actor, bill (its `refund` more than zero), entry_id (the settlement entry that moved the refund to
# refunds payable)
final_bill_refunded = Signal()
