"""CSV injection in the print vendor's file (seen: a customer's name or mailing line is whatever was typed at
the counter, and the print file opened it in a spreadsheet as a formula)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from cistern.billing import services
from cistern.billing.models import BillRun

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)
HYPERLINK = '=HYPERLINK("http://evil.example/","Pay here")'


def test_the_print_file_neutralises_a_hyperlink_name(
    client, district, biller, lead, metered_account, customer_factory
):
    """A customer named "=HYPERLINK(...)" and a mailing street "@SUM(1)" come out as text; money stays numbers."""
    customer = customer_factory(name=HYPERLINK, mailing_street="@SUM(1)")
    account = metered_account([(JUL, "112")], customer=customer)
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    client.force_login(biller)
    export = client.get(reverse("billing:run_print_export", args=[BillRun.objects.get().pk])).content.decode()
    (row,) = list(csv.DictReader(io.StringIO(export)))
    assert row["account_number"] == account.number
    assert row["customer_name"] == "'" + HYPERLINK
    assert "'@SUM(1)" in (row["mailing_line_1"], row["mailing_line_2"])
    assert row["amount_due"] == "156.40"
