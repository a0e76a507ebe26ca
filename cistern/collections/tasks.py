"""The daily collection run as a task (Django's Tasks API): on the database backend it queues itself for the
next morning, so one `manage.py collections_run --daily --user U` starts it for good. It is the district's one
daily path for late fees too (the run assesses them first)."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import default_task_backend, task

from cistern.core import clock
from cistern.core.logs import log_event

from .services import collections_run

RUN_AT = time(6, 0)  # each morning, before the office opens and before the deposits' credit-back (06:15)


@task()
def collections_run_daily(user_id: int, on: str | None = None) -> str:
    """Run the day's collection steps, then (where the backend can defer work) queue the next day's."""
    today = clock.today() if on is None else datetime.fromisoformat(on).date()
    with clock.on(today):
        result = collections_run(actor=get_user_model().objects.get(pk=user_id), on=today)
    log_event("collections.ran", on=today.isoformat(), counts=dict(result.counts))
    if default_task_backend.supports_defer:
        tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), RUN_AT))
        collections_run_daily.using(run_after=tomorrow).enqueue(
            user_id, (today + timedelta(days=1)).isoformat()
        )
    return result.line()
