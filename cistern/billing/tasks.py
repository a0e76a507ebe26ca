"""Background work through Django's Tasks API: a bill run's calculation and posting (the page enqueues
them), and the daily late-fee assessment. With the immediate backend (the default) they run in the caller;
with the database backend a `manage.py db_worker` process runs them and the run page shows progress."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import default_task_backend, task

from cistern.ledger.services import assess_late_fees

from . import documents, services
from .models import BillRun


def _actor(user_id: int):
    return get_user_model().objects.get(pk=user_id)


@task()
def calculate_run(run_id: int, user_id: int) -> int:
    return services.bill_run_calculate(actor=_actor(user_id), run=BillRun.objects.get(pk=run_id))


@task()
def post_run(run_id: int, user_id: int) -> str:
    """Post the run, then e-mail the paperless customers their bills."""
    run = services.bill_run_post(actor=_actor(user_id), run=BillRun.objects.get(pk=run_id))
    send_ebills.enqueue(run.pk)
    return run.status


@task()
def send_ebills(run_id: int) -> int:
    return documents.send_ebills(BillRun.objects.get(pk=run_id))


LATE_FEES_AT = time(6, 0)  # each morning, before the office opens


@task()
def assess_late_fees_daily(user_id: int, on: str | None = None) -> int:
    """Assess today's late penalties, then (where the backend can defer work) queue tomorrow's."""
    today = timezone.localdate() if on is None else datetime.fromisoformat(on).date()
    posted = assess_late_fees(actor=_actor(user_id), on=today)
    if default_task_backend.supports_defer:
        tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), LATE_FEES_AT))
        assess_late_fees_daily.using(run_after=tomorrow).enqueue(user_id)
    return len(posted)
