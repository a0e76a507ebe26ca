"""The write-offs report: what was written off to bad debt is what the ledger took off the receivable, with who asked
and who approved, and the agency each went to; a customer's name that looks like a formula stays text in the CSV."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from cistern.collections import writeoffs
from cistern.core import clock
from cistern.ledger.models import JournalLine
from cistern.reports import registry, renderers
from tests.billing.conftest import district, metered_account, supervisor  # noqa: F401
from tests.collections.test_writeoffs import NOTICE_DAY, WRITE_OFF_DAY, final_account, lead, other_lead  # noqa: F401

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://x.example","pay")'


def test_write_offs_and_referrals_equal_the_ledger(final_account, lead, other_lead, supervisor):  # noqa: F811
    plain = final_account()
    big = final_account(extra="300.00", name=HOSTILE)  # $338.78: over a CSS II's $250
    # The final bills past due: a notice each, in the delinquency report with the amounts they state.
    assert writeoffs.final_bill_notices(actor=supervisor, on=NOTICE_DAY) == 2
    steps = registry.get("delinquency").run({"date_from": NOTICE_DAY, "date_to": NOTICE_DAY})
    assert list(steps.rows) == [(NOTICE_DAY.replace(day=1), "Final bill past due", 2, D("377.56"))]
    assert (
        registry.get("delinquency")
        .run({"date_from": NOTICE_DAY, "date_to": NOTICE_DAY, "step": "shutoff"})
        .rows
        == []
    )
    with clock.on(WRITE_OFF_DAY):
        writeoffs.write_off_request(actor=lead, account=plain, reason="Moved away")
        waiting = writeoffs.write_off_request(actor=lead, account=big, reason="Moved out of state")
        writeoffs.write_off_decide(actor=supervisor, write_off=waiting, approve=True, note="Seen")
    writeoffs.referrals_export(actor=supervisor, agency="Desert Recovery Inc.", on=WRITE_OFF_DAY)

    report = registry.get("write_offs")
    params = {"date_from": WRITE_OFF_DAY, "date_to": WRITE_OFF_DAY, "status": "posted"}
    result = report.run(params)
    rows = list(result.rows)
    assert [(r[1], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        (plain.number, D("38.78"), "Posted", "writeoff_lead", "writeoff_lead", "Desert Recovery Inc."),
        (big.number, D("338.78"), "Posted", "writeoff_lead", "billing_supervisor", "Desert Recovery Inc."),
    ]
    ledger = JournalLine.objects.filter(
        gl_account__receivable=True, entry__source_kind="write_off", entry__entry_date=WRITE_OFF_DAY
    ).aggregate(t=Sum("amount"))["t"]
    assert result.totals["amount"] == D("377.56") == -D(ledger).quantize(D("0.01"))
    assert [r[8] for r in rows] == [WRITE_OFF_DAY, WRITE_OFF_DAY]
    # Not referred: none of them.
    assert report.run({**params, "referred": "no"}).row_count == 0

    # The CSV: the formula-looking name is text (a leading apostrophe), money stays a number.
    text = renderers.render("csv", report, report.run(params), params).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:4] == ["Date", "Account", "Customer", "Written off"]
    assert parsed[2][2] == "'" + HOSTILE and parsed[2][3] == "338.78"
    assert parsed[-1][0] == "Total" and parsed[-1][3] == "377.56"
