"""/healthz: 200 {"status": "ok"}, or 503 naming what fails (the database, unapplied migrations, a task worker
whose heartbeat is too old under the database backend). No sign-in, nothing else told, never cached."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.utils import timezone

from cistern.core import roles
from cistern.core.management.commands.db_worker import PRUNE_AFTER, heartbeat_write
from cistern.core.models import WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _health(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_ok_without_signing_in_and_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b'{"status": "ok"}'  # nothing else: no version, no counts
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_machine_user_signed_in_gets_the_same_answer(client, make_user):
    """A machine's user is refused every page, but the health check is no page of the district's."""
    client.force_login(make_user(roles.INTEGRATION))
    assert _health(client) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_the_worker_is_not_asked_for_under_the_immediate_backend(client):
    assert not WorkerHeartbeat.objects.exists()
    assert _health(client) == (200, {"status": "ok"})


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_no_worker_ever_under_the_database_backend_fails(client):
    assert _health(client) == (503, {"status": "fail", "failing": ["worker"]})


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, CISTERN_WORKER_HEARTBEAT_MAX_AGE=300)
def test_a_stale_heartbeat_fails_and_a_fresh_one_is_ok(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker="billing-1:4242", last_seen=now - timedelta(seconds=301))
    assert _health(client) == (503, {"status": "fail", "failing": ["worker"]})
    # Another worker, alive: the newest heartbeat counts, the dead worker's row does not matter.
    WorkerHeartbeat.objects.create(worker="billing-2:977", last_seen=now - timedelta(seconds=30))
    assert _health(client) == (200, {"status": "ok"})


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, CISTERN_WORKER_HEARTBEAT_MAX_AGE=60)
def test_the_age_allowed_is_the_setting(client):
    WorkerHeartbeat.objects.create(worker="billing-1:4242", last_seen=timezone.now() - timedelta(seconds=90))
    assert _health(client) == (503, {"status": "fail", "failing": ["worker"]})


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_heartbeat_keeps_one_row_per_worker_and_prunes_the_long_gone(client):
    gone = WorkerHeartbeat.objects.create(worker="old-box:12", last_seen=timezone.now() - PRUNE_AFTER * 2)
    heartbeat_write("billing-1:4242")
    heartbeat_write("billing-1:4242")
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["billing-1:4242"]
    assert not WorkerHeartbeat.objects.filter(pk=gone.pk).exists()
    assert _health(client) == (200, {"status": "ok"})


# The worker itself (`manage.py db_worker` writing its heartbeat from a thread of its own, which needs committed
# rows) and a migration really migrated back are asked of a scratch database in test_gunicorn.py.


@pytest.mark.django_db
def test_an_unapplied_migration_fails(client):
    """The newest migration of core recorded as not applied (its table still there): the plan is not empty."""
    (newest,) = MigrationLoader(connection).graph.leaf_nodes("core")
    MigrationRecorder(connection).record_unapplied(*newest)
    assert _health(client) == (503, {"status": "fail", "failing": ["migrations"]})
    MigrationRecorder(connection).record_applied(*newest)
    assert _health(client) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_all_it_names(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        status, body = _health(client)
    assert (status, body) == (503, {"status": "fail", "failing": ["database"]})
    assert "refused" not in json.dumps(body)
