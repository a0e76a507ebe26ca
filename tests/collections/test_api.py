"""GET /api/v1/accounts/{number}/shutoff-eligibility: the policy's answer, its earliest day and its trace."""

from datetime import date

import pytest

from cistern.core import clock, roles

from .test_run import _bill, _run


def _get(client, token, number, on=None):
    query = f"?on={on}" if on is not None else ""
    return client.get(
        f"/api/v1/accounts/{number}/shutoff-eligibility{query}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.mark.django_db
def test_the_answer_before_on_and_after_the_shutoff_date(client, biller, active, token_for):
    owing, clear = active(), active()
    _bill(biller, owing, "312.40")
    _run(biller, date(2026, 10, 26))  # the shutoff notice: shutoff on 11/25/2026
    token = token_for(roles.INTEGRATION)
    before = _get(client, token, owing.number, "2026-11-10").json()
    assert before["allowed"] is False and before["earliest_date"] == "2026-11-25"
    failed = {row["rule"] for row in before["trace"] if not row["passed"]}
    assert failed == {"delinquent_60_days", "shutoff_notice"}
    on_the_day = _get(client, token, owing.number, "2026-11-25").json()
    assert on_the_day["allowed"] is True and on_the_day["earliest_date"] == "2026-11-25"
    assert len(on_the_day["trace"]) == len(before["trace"]) and all(r["passed"] for r in on_the_day["trace"])
    saturday = _get(client, token, owing.number, "2026-11-28").json()
    assert saturday["allowed"] is False and saturday["earliest_date"] == "2026-11-30"
    nothing_owed = _get(client, token, clear.number, "2026-11-25").json()
    assert nothing_owed["allowed"] is False and nothing_owed["earliest_date"] is None
    with clock.on(date(2026, 11, 25)):
        today = _get(client, token, owing.number).json()
    assert today["allowed"] is True


@pytest.mark.django_db
def test_bad_values_name_the_field(client, biller, active, token_for):
    account = active()
    token = token_for(roles.INTEGRATION)
    for bad in ("2026-13-01", "tomorrow", "99999999999999999999", "1900-01-01"):
        response = _get(client, token, account.number, bad)
        assert response.status_code == 400 and response.json()["field"] == "on", bad
    assert _get(client, token, "12345678", "2026-11-25").status_code in (400, 404)
    assert _get(client, token_for(roles.FIELD_TECHNICIAN), account.number, "2026-11-25").status_code == 403
