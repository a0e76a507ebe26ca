"""The exception queue, the read page, the account page's reads panel and meter search."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cistern.core.search import search_all
from cistern.metering import actions
from cistern.metering.models import Read, ReadStatus, Route

from .conftest import month

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(install, history, supervisor):
    """Three meters, each with history and one open exception (zero, high, negative)."""
    from cistern.metering import services

    made = []
    for n, last in enumerate(["30", "95", "20"]):
        account, inst = install()
        history(inst, [10, 10, 10])
        read = services.read_record(
            actor=supervisor, meter=inst.meter, read_on=month(3 + n), value=last, source="handheld"
        )
        assert read.status == ReadStatus.EXCEPTION
        made.append((account, inst, read))
    return made


def test_queue_lists_open_exceptions_oldest_first_with_everything_to_decide(client, css2, queue):
    client.force_login(css2)
    page = client.get("/meters/exceptions/").content.decode()
    positions = [page.index(f'id="read-{read.pk}"') for _, _, read in queue]
    assert positions == sorted(positions)
    for account, inst, read in queue:
        assert inst.meter.serial in page and account.number in page and account.customer.name in page
        assert account.premise.service_address in page
        assert f"/meters/exceptions/{read.pk}/estimate/" in page
    assert "No usage on an active account." in page and "is high" in page and "is below the last read" in page
    assert page.count("<svg") == 3 and "3 open" in page
    assert 'href="/meters/exceptions/"' in page  # the menu entry


def test_queue_filters_by_route_and_paginates(client, css2, queue, route):
    other = Route.objects.create(code="R09", name="Other")
    inst = queue[0][1]
    inst.service_point.route = other
    inst.service_point.save()
    client.force_login(css2)
    page = client.get("/meters/exceptions/?route=R09").content.decode()
    assert f'id="read-{queue[0][2].pk}"' in page and f'id="read-{queue[1][2].pk}"' not in page
    assert "1 open on route R09" in page
    from cistern.metering import views

    old = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        page2 = client.get("/meters/exceptions/?page=2").content.decode()
    finally:
        views.PAGE_SIZE = old
    assert f'id="read-{queue[2][2].pk}"' in page2 and "Page 2 of 2" in page2


def test_queue_query_count_does_not_grow_with_rows(client, css2, install, history, supervisor):
    from cistern.metering import services

    def add_exception(n):
        _, inst = install()
        history(inst, [10, 10])
        services.read_record(
            actor=supervisor, meter=inst.meter, read_on=month(2), value="20", source="handheld"
        )

    add_exception(0)
    client.force_login(css2)
    client.get("/meters/exceptions/")
    with CaptureQueriesContext(connection) as one:
        client.get("/meters/exceptions/")
    for n in range(4):
        add_exception(n)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/meters/exceptions/").content.decode()
    assert page.count("<svg") == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


def test_accept_reject_and_estimate_from_the_queue(client, css2, queue):
    client.force_login(css2)
    (_, _, zero), (_, _, high), (_, _, negative) = queue
    back = "/meters/exceptions/?route=R07"
    response = client.post(f"/meters/exceptions/{high.pk}/accept/", {"reason": "Pool fill", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        f"/meters/exceptions/{negative.pk}/reject/", {"reason": "Misread", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/meters/exceptions/"
    client.post(f"/meters/exceptions/{zero.pk}/estimate/", {"reason": "Gate locked"})
    statuses = dict(Read.objects.filter(pk__in=[zero.pk, high.pk, negative.pk]).values_list("pk", "status"))
    assert statuses == {zero.pk: "rejected", high.pk: "accepted", negative.pk: "rejected"}
    estimate = Read.objects.get(installation=zero.installation, kind="estimated")
    assert (estimate.status, estimate.consumption) == ("accepted", D("10"))
    page = client.get("/meters/exceptions/").content.decode()
    assert "No open exceptions" in page and "replaced with an estimate" in page


def test_a_refusal_is_shown_and_changes_nothing(client, css2, queue):
    client.force_login(css2)
    read = queue[0][2]
    page = client.post(f"/meters/exceptions/{read.pk}/accept/", {"reason": ""}, follow=True).content.decode()
    assert "Say why" in page
    Read.objects.filter(installation=read.installation, status="accepted").update(status="rejected")
    page = client.post(
        f"/meters/exceptions/{read.pk}/estimate/", {"reason": "x"}, follow=True
    ).content.decode()
    assert "no read history" in page
    assert Read.objects.get(pk=read.pk).status == ReadStatus.EXCEPTION


def test_registered_actions_show_as_buttons(client, css2, queue):
    action = actions.ExceptionAction(
        key="test_action", label="Do the test thing", url_name="metering:exception_reject",
        permission="metering.review_read",
    )  # fmt: skip
    actions.register(action)
    try:
        client.force_login(css2)
        page = client.get("/meters/exceptions/").content.decode()
        assert page.count("Do the test thing") == 3
        assert (
            f'formaction="/meters/exceptions/{queue[0][2].pk}/reject/" class="secondary">Do the test thing'
            in page
        )
    finally:
        actions._actions.pop("test_action")


def test_read_page_shows_history_chart_and_the_estimate(client, css2, queue):
    client.force_login(css2)
    read = queue[0][2]
    page = client.get(f"/meters/exceptions/{read.pk}/").content.decode()
    assert "History of this meter" in page and "bar-highlight" in page
    assert "An estimate would record" in page and "average of the last 3 reads" in page
    meter_page = client.get(f"/meters/meter/{read.meter.serial}/").content.decode()
    assert read.meter.serial in meter_page and "Installations" in meter_page
    assert client.get("/meters/meter/NOPE123/").status_code == 404


def test_account_page_reads_panel(client, css1, install, history, supervisor, css2):
    from cistern.metering import services

    account, inst = install()
    reads = history(inst, [8, 9, 12])
    exception = services.read_record(actor=supervisor, meter=inst.meter, read_on=month(3), value=reads[-1].value,
                                     source="handheld")  # fmt: skip
    services.read_estimate(actor=css2, read=exception, reason="Locked gate")
    client.force_login(css1)
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert 'id="panel-reads"' in page and inst.meter.serial in page and "Recordall" in page
    assert page.count('class="bar bar-actual"') == 3 and page.count('class="bar bar-estimated"') == 1
    assert (
        "Estimated</span>" in page
        and "style=" not in page.split('id="panel-reads"')[1].split("</section>")[0]
    )


def test_account_page_queries_do_not_grow_with_reads(client, css1, install, history):
    account, inst = install()
    client.force_login(css1)
    client.get(f"/accounts/{account.number}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/accounts/{account.number}/")
    history(inst, [10] * 14)
    with CaptureQueriesContext(connection) as after:
        page = client.get(f"/accounts/{account.number}/").content.decode()
    assert len(after) == len(before)
    assert page.count('class="bar bar-actual"') == 14


def test_meter_search_finds_a_serial_exactly_or_by_prefix(css1, install, meter_factory):
    account, inst = install(serial="NE24000123")
    meter_factory(serial="NE24000124")  # in stock: found, links to the meter page
    hits = [h for h in search_all(css1, "ne24000123") if h.kind == "meter"]
    assert [(h.rank, h.key, h.url) for h in hits] == [(0, "NE24000123", f"/accounts/{account.number}/")]
    prefix = [h for h in search_all(css1, "NE2400012") if h.kind == "meter"]
    assert {(h.rank, h.key) for h in prefix} == {(5, "NE24000123"), (5, "NE24000124")}
    assert [h.url for h in prefix if h.key == "NE24000124"] == ["/meters/meter/NE24000124/"]
    assert not [h for h in search_all(css1, "maria lopez") if h.kind == "meter"]


def test_meter_search_needs_permission(make_user, install):
    install(serial="NE24000999")
    cashier = make_user("Cashier")
    assert not [h for h in search_all(cashier, "NE24000999") if h.kind == "meter"]


def test_seed_without_reads_and_the_same_serials_either_way():
    from cistern.demo.generator import DistrictGenerator
    from cistern.demo.meters import METER_COLUMNS

    def serials(months):
        gen = DistrictGenerator(accounts=300, seed=4, today=date(2026, 3, 15), read_months=months)
        blocks = list(gen.blocks())
        return [row[1] for b in blocks for row in b.meters], sum(len(b.reads) for b in blocks)

    with_reads, reads = serials(13)
    without, none = serials(0)
    assert reads > 0 and none == 0 and with_reads == without and len(set(with_reads)) == len(with_reads)
    assert METER_COLUMNS[1] == "serial"
