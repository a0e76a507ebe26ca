"""POST /api/v1/reads: the good reads of a batch are stored, the bad ones reported by index."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.metering.models import Read

from . import test_import

pytestmark = pytest.mark.django_db
installer, meter_at = test_import.installer, test_import.meter_at  # the fixtures


def _post(client, body, token):
    return client.post(
        "/api/v1/reads", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_good_reads_are_stored_and_bad_ones_reported_by_index(client, token_for, meter_at):
    meter_at(serial="AMI-1")
    meter_at(serial="AMI-2", account=False)
    token = token_for(roles.INTEGRATION)  # batches with source ami are the integrations' own
    body = {
        "reads": [
            {"meter_serial": "AMI-1", "read_on": "2026-02-02", "value": "10.50", "source": "ami"},
            {"meter_serial": "NOPE", "read_on": "2026-02-02", "value": "10", "source": "ami"},
            {"meter_serial": "AMI-1", "read_on": "2026-13-02", "value": "10", "source": "ami"},
            {"meter_serial": "AMI-1", "read_on": "2026-03-02", "value": "ten", "source": "ami"},
            {"meter_serial": "AMI-2", "read_on": "2026-02-02", "value": "7", "source": "ami"},  # no account
            {"meter_serial": "AMI-1", "read_on": "2026-03-02", "value": "20", "source": "ami"},
            {"meter_serial": "AMI-1", "read_on": "2026-03-02", "source": "ami"},
            {"meter_serial": "AMI-1", "read_on": "2026-04-02", "value": "-1", "source": "ami"},
            {"meter_serial": "AMI-1", "read_on": "2026-04-02", "value": "30", "source": "pigeon"},
        ]
    }
    response = _post(client, body, token)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["accepted"], data["exceptions"], data["rejected"], data["skipped"]) == (2, 1, 6, 0)
    assert [e["index"] for e in data["errors"]] == [1, 2, 3, 6, 7, 8]
    errors = {e["index"]: e["error"] for e in data["errors"]}
    assert errors[1] == "meter_serial: No meter with this serial number."
    assert errors[2].startswith('read_on: "2026-13-02" is not a date')
    assert errors[3] == 'value: "ten" is not a number'
    assert errors[6] == "value: is missing"
    assert "negative" in errors[7] and "not a read source" in errors[8]
    stored = {(r.meter.serial, r.read_on): r for r in Read.objects.exclude(kind="initial")}
    assert stored[("AMI-1", date(2026, 3, 2))].consumption == Decimal("9.50")
    assert stored[("AMI-2", date(2026, 2, 2))].status == "exception"
    assert AuditEvent.objects.filter(action="read.record").count() == 3
    # The same batch again: the stored reads are skipped, nothing doubles.
    again = _post(client, body, token).json()
    assert (again["accepted"], again["exceptions"], again["rejected"], again["skipped"]) == (0, 0, 6, 3)
    assert Read.objects.exclude(kind="initial").count() == 3


def test_numbers_are_taken_too(client, token_for, meter_at):
    meter_at(serial="AMI-1")
    body = {"reads": [{"meter_serial": "AMI-1", "read_on": "2026-02-02", "value": 12, "source": "AMI"}]}
    assert _post(client, body, token_for(roles.INTEGRATION)).json()["accepted"] == 1


def test_the_api_needs_a_token_and_the_permission(client, token_for, meter_at):
    meter_at(serial="AMI-1")
    body = {"reads": [{"meter_serial": "AMI-1", "read_on": "2026-02-02", "value": "10", "source": "ami"}]}
    assert client.post("/api/v1/reads", body, content_type="application/json").status_code == 401
    assert _post(client, body, "not-a-token").status_code == 401
    response = _post(client, body, token_for(roles.CASHIER))
    assert response.status_code == 403 and "metering.add_read" in response.json()["detail"]
    assert _post(client, body, token_for(roles.AUDITOR)).status_code == 403
    assert not Read.objects.exclude(kind="initial").exists()


def test_a_batch_too_large_is_refused(client, token_for, monkeypatch):
    from cistern.metering import batch

    monkeypatch.setattr(batch, "MAX_API_READS", 2)
    item = {"meter_serial": "X", "read_on": "2026-02-02", "value": "1", "source": "ami"}
    response = _post(client, {"reads": [item] * 3}, token_for(roles.INTEGRATION))
    assert response.status_code == 400 and "At most 2 reads" in response.json()["detail"]
