"""What metering tells the counter: the read exceptions waiting for review, on the home page
(core/queues.py). Registered from the app's ready()."""

from cistern.core import queues

from .models import Read, ReadStatus


def exceptions_waiting(user) -> int:
    return Read.objects.filter(status=ReadStatus.EXCEPTION).count()


def register_all() -> None:
    queues.register(
        queues.WorkQueue(
            key="read_exceptions", title="Read exceptions to review", permission="metering.review_read",
            count=exceptions_waiting, url_name="metering:exceptions",
            hint="High, low, zero and negative reads held from billing until reviewed.",
        )
    )  # fmt: skip
