"""Background work through Django's Tasks API: a bill run's calculation and posting (the page enqueues
them) and its e-bills. With the immediate backend (the default) they run in the caller; with the database
backend a `manage.py db_worker` process runs them and the run page shows progress."""

from django.contrib.auth import get_user_model
from django_tasks import task

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
