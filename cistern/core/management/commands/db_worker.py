"""`manage.py db_worker`: django-tasks-db's worker, all its options kept, writing a heartbeat every minute
(/healthz fails "worker" when the newest is older than CISTERN_WORKER_HEARTBEAT_MAX_AGE seconds).

The heartbeat is written by a thread of its own, not between tasks: a bill run that takes ten minutes is a
worker at work, not a dead one. A worker that stopped stops beating, whatever its task was doing."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from cistern.core.logs import log_event
from cistern.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 60
PRUNE_AFTER = timedelta(days=1)  # rows of workers gone this long are deleted (the newest row counts anyway)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def heartbeat_write(name: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"last_seen": now})
    WorkerHeartbeat.objects.filter(last_seen__lt=now - PRUNE_AFTER).delete()


class Heartbeat(threading.Thread):
    def __init__(self, name: str, every: float = HEARTBEAT_SECONDS):
        super().__init__(name="cistern-heartbeat", daemon=True)
        self.worker = name
        self.every = every
        self.stopped = threading.Event()

    def run(self):
        try:
            while True:
                try:
                    heartbeat_write(self.worker)
                except DatabaseError as exc:  # the database is away: try again next minute
                    log_event("worker.heartbeat_failed", level=logging.WARNING, worker=self.worker,
                              error=type(exc).__name__)  # fmt: skip
                finally:
                    connection.close()  # this thread's own connection; one a minute is nothing
                if self.stopped.wait(self.every):
                    return
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()


class Command(db_worker.Command):
    help = db_worker.Command.help + ", writing a heartbeat every minute for /healthz"

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            # The worker's "Task id=... state=..." lines say what task.started and task.finished already say.
            logging.getLogger(db_worker.TASKS_LOGGER).setLevel(logging.WARNING)

    def handle(self, *args, **options):
        # With --reload the first process only watches the files; the one it starts runs the tasks and beats.
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)
        name = worker_name()
        beat = Heartbeat(name)
        beat.start()
        log_event("worker.started", user=None, worker=name, queues=options.get("queue_name"))
        try:
            return super().handle(*args, **options)
        finally:
            beat.stop()
            beat.join(timeout=10)  # a beat being written is finished (a --batch run beats at least once)
            log_event("worker.stopped", user=None, worker=name)
