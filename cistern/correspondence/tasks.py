"""E-mail as background work (Django's Tasks API): the letters a transaction wrote are sent after its commit,
in the caller with the immediate backend (the default), by `manage.py db_worker` with the database backend,
so a daily run writing thousands of notices does not wait on the mail server."""

from django_tasks import task


@task()
def send_emails(correspondence_ids: list[int]) -> int:
    """Send each queued e-mail (each under its own lock: one sent twice never goes twice)."""
    from .models import CorrespondenceStatus
    from .services import correspondence_send

    sent = 0
    for pk in correspondence_ids:
        sent += correspondence_send(pk).status == CorrespondenceStatus.SENT
    return sent
