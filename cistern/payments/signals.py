"""What payments tells the apps above it. Receivers run inside the posting transaction: what they write commits
with the payment, and a receiver that raises undoes it, so a receiver keeps to what it must (collections: a
reconnect order for a locked-off account whose past due is paid) and costs one indexed query otherwise."""

from django.dispatch import Signal

# Sent once per payment by `services.payment_post` and once per batch by `batch.payments_post_batch`, after the
# payment's rows are written, with:
#   actor        who posted it
#   payment      the Payment (None for a batch)
#   account_ids  the accounts paid (a batch: every account of its items), ascending
#   amounts      {account id: Decimal paid to it by this payment or batch}
#   on           the payment's date (a batch: its date, or its items' latest)
payment_posted = Signal()
