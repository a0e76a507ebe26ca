"""The lead's "Lock-off lists to confirm" queue on the home page (see core/queues.py)."""

from cistern.core import queues

from . import selectors


def _to_confirm(user) -> int:
    return selectors.lists_to_confirm()


lockoff_lists_queue = queues.WorkQueue(
    key="lockoff_lists", title="Lock-off lists to confirm", permission="collections.confirm_lockofflist",
    count=_to_confirm, url_name="collections:lockoff_lists",
    hint="Accounts the shutoff policy allows to be locked off today; confirm to send the orders.",
)  # fmt: skip
