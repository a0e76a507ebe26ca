"""The "Leak relief to decide" queue on the home page (see core/queues.py)."""

from cistern.core import queues

from . import selectors


def _under_review(user) -> int:
    return selectors.under_review_count()


leak_relief_queue = queues.WorkQueue(
    key="leak_relief", title="Leak relief to decide", permission="assistance.decide_leakreliefapplication",
    count=_under_review, url_name="assistance:queue",
    hint="Applications for high-bill relief after a leak: no late fee and no collection step while they wait.",
)  # fmt: skip
