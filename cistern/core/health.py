"""/healthz: whether this web process can serve the district, for a load balancer or a monitor.

200 `{"status": "ok"}`, or 503 `{"status": "fail", "failing": [...]}` naming what fails: "database" (it does
not answer), "migrations" (some are not applied), "worker" (no task worker wrote its heartbeat within
CISTERN_WORKER_HEARTBEAT_MAX_AGE seconds; only asked when tasks go to the database backend). No sign-in, and
nothing else told: no versions, no counts, no error text. Never cached.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from .logs import log_event
from .models import WorkerHeartbeat


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def migrations_applied() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def worker_expected() -> bool:
    """A worker runs the tasks only on the database backend; the immediate one runs them in the request."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def worker_alive() -> bool:
    """True when no worker is expected, else whether the newest heartbeat is recent enough."""
    if not worker_expected():
        return True
    newest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    max_age = timedelta(seconds=settings.CISTERN_WORKER_HEARTBEAT_MAX_AGE)
    return newest is not None and timezone.now() - newest <= max_age


CHECKS = [("migrations", migrations_applied), ("worker", worker_alive)]


def failing_checks() -> list[str]:
    """The names of the checks that fail. Without a database the others cannot be asked: only it is named. A
    check the database refuses (a table not migrated yet) fails."""
    if not database_answers():
        return ["database"]
    failing = []
    for name, check in CHECKS:
        try:
            passed = check()
        except DatabaseError:
            passed = False
        if not passed:
            failing.append(name)
    return failing


@login_not_required
@never_cache
@require_safe
def healthz(request):
    failing = failing_checks()
    if not failing:
        return JsonResponse({"status": "ok"})
    log_event("healthz.failing", level=logging.WARNING, failing=failing)
    return JsonResponse({"status": "fail", "failing": failing}, status=503)
