"""The database refuses to rewrite history, whatever the code does."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cistern.core.audit import audit_record
from cistern.core.models import AuditEvent
from cistern.customers import services

pytestmark = pytest.mark.django_db


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_the_audit_trail_is_refused(start_account):
    start_account()
    event = AuditEvent.objects.get(action="account.start")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.reason == "Start service"


def test_queryset_update_and_delete_are_refused_too(start_account, css1):
    account = start_account()
    services.contact_log_add(actor=css1, account=account, channel="phone", subject="Called")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        account.contacts.update(subject="Edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        account.service_events.all().delete()
    assert account.contacts.get().subject == "Called"


def test_audit_record_diff(start_account, css1):
    account = start_account()
    event = audit_record(
        actor=css1, action="test", obj=account, before={"a": "1", "b": "2"}, after={"a": "1", "b": "3", "c": "4"},
        account_id=account.pk,
    )  # fmt: skip
    assert event.changes == {"b": ["2", "3"], "c": [None, "4"]}


def test_account_dates_and_status_must_agree(start_account):
    account = start_account(start_date=date(2026, 1, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        type(account).objects.filter(pk=account.pk).update(status="closed")  # closed needs an end date
    with pytest.raises(DatabaseError), transaction.atomic():
        type(account).objects.filter(pk=account.pk).update(status="final", end_date=date(2025, 1, 1))


def test_one_open_account_per_premise(start_account):
    first = start_account()
    second = start_account()
    with pytest.raises(DatabaseError), transaction.atomic():
        type(first).objects.filter(pk=second.pk).update(premise=first.premise)
