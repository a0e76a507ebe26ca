"""The daily late-fee assessment and deposit credit-back as tasks (Django's Tasks API): on the database backend
each queues itself for the next morning, so one `manage.py assess_late_fees --daily --user U` (and
`credit_back_deposits --daily --user U`) starts it for good."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import default_task_backend, task

from cistern.core import clock

from .services import assess_late_fees, deposits_credit_back

LATE_FEES_AT = time(6, 0)  # each morning, before the office opens
DEPOSITS_AT = time(6, 15)  # after the late fees, so the day's late payments count


@task()
def assess_late_fees_daily(user_id: int, on: str | None = None) -> int:
    """Assess the day's late penalties, then (where the backend can defer work) queue the next day's."""
    today = clock.today() if on is None else datetime.fromisoformat(on).date()
    posted = assess_late_fees(actor=get_user_model().objects.get(pk=user_id), on=today)
    if default_task_backend.supports_defer:
        tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), LATE_FEES_AT))
        assess_late_fees_daily.using(run_after=tomorrow).enqueue(
            user_id, (today + timedelta(days=1)).isoformat()
        )
    return len(posted)


@task()
def credit_back_deposits_daily(user_id: int, on: str | None = None) -> int:
    """Credit back the deposits that meet the good-payment rule today, then (where the backend can defer
    work) queue the next day's."""
    today = clock.today() if on is None else datetime.fromisoformat(on).date()
    done = deposits_credit_back(actor=get_user_model().objects.get(pk=user_id), on=today)
    if default_task_backend.supports_defer:
        tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), DEPOSITS_AT))
        credit_back_deposits_daily.using(run_after=tomorrow).enqueue(
            user_id, (today + timedelta(days=1)).isoformat()
        )
    return len(done.credited)
