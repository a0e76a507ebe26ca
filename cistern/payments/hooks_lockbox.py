"""The lockbox's place on the home page: the suspense queue, for those who apply its items."""

from cistern.core import queues


def suspense_waiting(user) -> int:
    from .lockbox_services import suspense_count

    return suspense_count()


def register_all() -> None:
    queues.register(
        queues.WorkQueue(
            key="lockbox_suspense", title="Lockbox suspense", permission="payments.change_lockboxitem",
            count=suspense_waiting, url_name="payments:lockbox_suspense",
            hint="Checks the bank deposited that no account was credited for: apply each or send it back.",
        )
    )  # fmt: skip
