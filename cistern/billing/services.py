"""Writes for billing: bill runs (create, calculate, approve, post, cancel), final bills, cancel and rebill.

The work lives by what it does, and every public name stays importable from here:
- runs.py: a run's steps; the trial is rated on every core by trial.py from the pure calculation module;
- posting.py: the posting pipeline (batches of bills, meter spans, lines and journal entries, each batch its
  own transaction, so a run killed anywhere resumes to the same books) and the bill rows every bill is made of;
- bill_actions.py: one account's bills outside a run (final bill, cancel and rebill) and the not-billed queue.
"""

from .bill_actions import (
    SETTLEMENT_SOURCE,
    bill_cancel,
    bill_cancel_decide,
    bill_cancel_request,
    bill_final,
    final_bill_after_final_read,
    unbilled_review_update,
)
from .calculation import Rating
from .errors import BillingError
from .posting import BILL_SOURCE, POST_BATCH
from .runs import (
    TRANSITIONS,
    Progress,
    bill_date_for,
    bill_run_approve,
    bill_run_calculate,
    bill_run_cancel,
    bill_run_check,
    bill_run_create,
    bill_run_post,
    rating_for,
)

__all__ = [
    "BILL_SOURCE", "POST_BATCH", "SETTLEMENT_SOURCE", "TRANSITIONS", "BillingError", "Progress", "Rating",
    "bill_cancel", "bill_cancel_decide", "bill_cancel_request", "bill_date_for", "bill_final", "bill_run_approve",
    "bill_run_calculate", "bill_run_cancel", "bill_run_check", "bill_run_create", "bill_run_post",
    "final_bill_after_final_read", "rating_for", "unbilled_review_update",
]  # fmt: skip
