"""The bill page and PDF group charge lines by meter (seen: one list of charges for a premise with two
meters); the PDF link opens in a new tab (seen: it replaced the page a clerk was working in)."""

from datetime import date

from django.urls import reverse

from cistern.billing import documents, services
from cistern.billing.models import Bill, BillLine
from cistern.metering import services as metering
from cistern.metering.models import Meter, Route, ServicePoint

from .conftest import read

JUN, JUL = date(2026, 6, 25), date(2026, 7, 25)


def _two_meter_bill(district, biller, lead, supervisor, metered_account) -> Bill:
    account = metered_account([(JUL, "112")])  # domestic 3/4": 12 units
    point = ServicePoint.objects.create(
        premise=account.premise, route=Route.objects.get(code="R01"), kind="irrigation"
    )
    meter = Meter.objects.create(serial="IR000777", size="1")
    metering.meter_install(
        actor=supervisor, meter=meter, service_point=point, installed_on=JUN, initial_value="40"
    )
    read(supervisor, meter, JUL, "47")  # irrigation 1": 7 units
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    return Bill.objects.get(account=account)


def test_each_line_names_its_meter_and_the_page_groups_them(
    client, district, biller, lead, supervisor, metered_account
):
    bill = _two_meter_bill(district, biller, lead, supervisor, metered_account)
    by_meter = {}
    for line in BillLine.objects.filter(bill=bill).select_related("installation__meter"):
        by_meter.setdefault(line.installation.meter.serial, []).append(line.amount)
    domestic = next(s for s in by_meter if s != "IR000777")
    assert sum(by_meter[domestic]) + sum(by_meter["IR000777"]) == bill.current_charges
    assert len(by_meter[domestic]) >= 2 and len(by_meter["IR000777"]) >= 2

    client.force_login(lead)
    page = client.get(reverse("billing:bill", args=[bill.pk])).content.decode()
    first, second = (
        page.index(f'Meter <span class="key">{domestic}</span>'),
        page.index('Meter <span class="key">IR000777</span>'),
    )
    assert first < page.index(f"Meter {domestic} total") < second < page.index("Meter IR000777 total")
    assert f"${sum(by_meter['IR000777']):,.2f}" in page[second:]
    assert 'id="bill-pdf" target="_blank" rel="noopener"' in page
    assert "(opens in a new tab)" in page

    pdf = documents.document.render_pdf(documents.bill_document(bill), compress=False)
    assert f"(Meter {domestic})".encode() in pdf and b"(Meter IR000777 total)" in pdf
