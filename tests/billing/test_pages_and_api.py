"""The bill run on its pages and through the API; the bill page's arithmetic, its PDF and print row; e-bills
over a real SMTP exchange with a local server."""

import csv
import io
import json
import socket
from datetime import date
from decimal import Decimal as D
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from cistern.billing import documents, services
from cistern.billing.models import Bill, BillEmail, BillRun, RunStatus
from cistern.billing.scanline import parse_scanline
from cistern.core import roles
from cistern.ledger.models import JournalEntry

JUL = date(2026, 7, 25)


def _posted(biller, lead, cycle):
    run = services.bill_run_create(actor=biller, cycle=cycle, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    return services.bill_run_post(actor=biller, run=run)


def test_a_clerk_calculates_a_lead_approves_and_posts_on_the_pages(
    client, district, biller, lead, metered_account
):
    account = metered_account([(JUL, "112")])
    metered_account()  # no read: held
    client.force_login(biller)
    response = client.post(reverse("billing:run_list"), {"cycle": district.pk, "period_end": "2026-07-25"})
    run = BillRun.objects.get()
    assert response.url == reverse("billing:run", args=[run.pk])
    assert run.status == RunStatus.CALCULATED  # the task ran at once (immediate backend)
    page = client.get(response.url).content.decode()
    assert "No read to bill this period" in page and 'id="run-billable">1<' in page
    assert 'id="approve-run"' not in page  # the biller cannot approve: no button
    client.post(reverse("billing:run_action", args=[run.pk, "approve"]))  # and the service refuses
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED

    client.force_login(lead)
    client.post(reverse("billing:run_action", args=[run.pk, "approve"]), {"note": "ok"})
    client.post(reverse("billing:run_action", args=[run.pk, "post"]))
    run.refresh_from_db()
    assert run.status == RunStatus.POSTED
    bill = Bill.objects.get(account=account)

    page = client.get(reverse("billing:bill", args=[bill.pk])).content.decode()
    assert "Explain this bill" in page
    assert "units 6-10: 5 x $9.65" in page and "units 11-20: 2 x $11.30" in page
    assert "monthly basic fee 3/4&quot;: $45.55" in page and 'id="bill-current">$156.40<' in page
    account_page = client.get(reverse("customers:account", args=[account.number])).content.decode()
    assert f'href="{reverse("billing:bill", args=[bill.pk])}"' in account_page

    pdf = client.get(reverse("billing:bill_pdf", args=[bill.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    export = client.get(reverse("billing:run_print_export", args=[run.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert (
        len(rows) == 1 and rows[0]["account_number"] == account.number and rows[0]["amount_due"] == "156.40"
    )
    assert parse_scanline(rows[0]["scanline"]) == (account.number, D("156.40"))
    assert (rows[0]["due_date"], rows[0]["mailing_line_1"]) == ("2026-08-17", "100 Sunburst Ave")


def test_a_lead_cancels_and_rebills_on_the_bill_page(client, district, biller, lead, metered_account):
    account = metered_account([(JUL, "112")])
    _posted(biller, lead, district)
    bill = Bill.objects.get(account=account)
    client.force_login(lead)
    response = client.post(
        reverse("billing:bill_cancel", args=[bill.pk]), {"reason": "Wrong rate class", "rebill": "1"}
    )
    new = Bill.objects.get(replaces=bill)
    assert response.url == reverse("billing:bill", args=[new.pk])
    assert new.current_charges == D("156.40") and new.previous_amount_due == D("0.00")
    page = client.get(reverse("billing:bill", args=[bill.pk])).content.decode()
    assert "cancelled" in page and "Wrong rate class" in page
    assert JournalEntry.objects.filter(reverses__source_id=bill.pk, reverses__source_kind="bill").count() == 1


def test_a_clerk_without_billing_rights_sees_bills_but_runs_nothing(
    client, district, make_user, biller, lead, metered_account
):
    metered_account([(JUL, "112")])
    run = _posted(biller, lead, district)
    clerk = make_user(roles.CSS_I, username="clerk")
    client.force_login(clerk)
    page = client.get(reverse("billing:run", args=[run.pk])).content.decode()
    assert "Posted" in page and "<button" not in page.split('class="actions"')[1].split("<h2>")[0]
    bill = Bill.objects.get()
    assert client.get(reverse("billing:bill", args=[bill.pk])).status_code == 200
    assert client.post(reverse("billing:bill_cancel", args=[bill.pk]), {"reason": "x"}).status_code == 403


def test_the_api_runs_a_cycle_from_trial_to_posted_bills(client, district, token_for, metered_account):
    account = metered_account([(JUL, "112")])
    admin, lead = token_for(roles.BILLING_ADMIN), token_for(roles.CSS_II)

    def call(method, path, token, body=None):
        response = getattr(client, method)(
            f"/api/v1{path}", data=json.dumps(body) if body is not None else None, content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        return response.status_code, response.json()

    status, run = call("post", "/bill-runs", admin, {"cycle": "C01", "period_end": "2026-07-25"})
    assert status == 201 and run["status"] == "new" and run["due_date"] == "2026-08-17"
    assert call("post", "/bill-runs", admin, {"cycle": "C9", "period_end": "2026-07-25"}) == (
        400, {"detail": "cycle: there is no bill cycle 'C9'", "field": "cycle"}
    )  # fmt: skip
    status, run = call("post", f"/bill-runs/{run['id']}/calculate", admin)
    assert status == 202 and run["status"] == "calculated" and run["amount"] == "156.40" and run["bills"] == 1
    status, body = call("post", f"/bill-runs/{run['id']}/approve", admin, {})
    assert status == 400 and "other than who calculated" in body["detail"]
    status, run = call("post", f"/bill-runs/{run['id']}/approve", lead, {"note": "ok"})
    assert status == 202 and run["status"] == "approved"
    status, run = call("post", f"/bill-runs/{run['id']}/post", admin)
    assert status == 202 and run["status"] == "posted"

    bill = Bill.objects.get(account=account)
    status, body = call("get", f"/bills/{bill.pk}", lead)
    assert status == 200 and body["account"] == account.number and body["amount_due"] == "156.40"
    assert [(line["description"], line["amount"]) for line in body["lines"]][2] == (
        "Tier 2: units 6-10",
        "48.25",
    )
    assert (
        body["lines"][2]["explanation"] == "units 6-10: 5 x $9.65"
        and body["lines"][2]["unit_price"] == "9.65"
    )
    assert body["meters"][0]["units"] == "12.00" and body["meters"][0]["estimated"] is False
    clerk = token_for(roles.CSS_I)
    assert call("post", "/bill-runs", clerk, {"cycle": "C01", "period_end": "2026-08-25"})[0] == 403


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_paperless_customers_get_their_bill_by_email_once(
    district, biller, lead, metered_account, customer_factory, smtp_server
):
    paperless = customer_factory(
        name="Rosa Medina", email="rosa@example.org", paperless=True, preferred_language="es"
    )
    emailed = metered_account([(JUL, "112")], customer=paperless)
    metered_account([(JUL, "105")])  # on paper
    run = _posted(biller, lead, district)

    assert documents.send_ebills(run) == 1
    ((recipients, content),) = smtp_server.messages
    assert recipients == ["rosa@example.org"]
    message = message_from_bytes(content)
    assert message["Subject"].startswith("Su factura de agua") and "$156.40" in message["Subject"]
    body, attachment = [part for part in message.walk() if not part.is_multipart()]
    assert "Total a pagar: $156.40 antes del 08/17/2026" in body.get_payload(decode=True).decode()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    assert BillEmail.objects.get().bill.account == emailed
    assert documents.send_ebills(run) == 0 and len(smtp_server.messages) == 1  # once


def test_an_ebill_the_mail_server_refuses_stays_on_the_run_page(
    district, biller, lead, metered_account, customer_factory, smtp_server, client, settings
):
    """E-mail goes out after the e-bill is recorded and committed, never inside a transaction that could roll
    back after it went; a refused one is kept with its reason, listed on the run, and not sent twice."""
    from cistern.billing.models import BillEmailOutcome

    good = customer_factory(name="Ana Ruiz", email="ana@example.org", paperless=True)
    down = customer_factory(name="Bo Lee", email="bo@example.org", paperless=True)
    metered_account([(JUL, "112")], customer=good)
    refused = metered_account([(JUL, "105")], customer=down)
    run = _posted(biller, lead, district)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens: the mail server cannot be reached
    assert documents.send_ebills(bills=Bill.objects.filter(account=refused)) == 0
    outcome = BillEmailOutcome.objects.get()
    assert not outcome.sent and outcome.email.address == "bo@example.org" and outcome.error
    settings.EMAIL_PORT = port
    assert documents.send_ebills(run) == 1 and [r for r, _ in smtp_server.messages] == [["ana@example.org"]]
    assert (
        documents.send_ebills(run) == 0 and len(smtp_server.messages) == 1
    )  # the refused one is not retried
    client.force_login(lead)
    page = client.get(f"/billing/runs/{run.pk}/").content.decode()
    assert "E-bills: 1 sent, <strong>1 refused</strong>" in page
    assert "bo@example.org" in page and outcome.error[:20] in page


def test_the_daily_late_fee_task_assesses_today(district, biller, lead, metered_account):
    account = metered_account([(JUL, "112")])
    _posted(biller, lead, district)  # due 08/17/2026
    from cistern.ledger.tasks import assess_late_fees_daily

    assert assess_late_fees_daily.enqueue(biller.pk, "2026-09-20").return_value == 1
    from cistern.ledger.selectors import account_balance

    assert account_balance(account) == D("156.40") + D("15.64")  # 10% of $156.40, more than $10
    # The command queues the task (here the immediate backend runs it at once): nothing is charged twice.
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("assess_late_fees", "--daily", "--on", "2026-09-21", "--user", "biller", stdout=out)
    assert "Daily late-fee assessment queued from 09/21/2026" in out.getvalue()
    assert account_balance(account) == D("172.04")


def test_the_progress_fragment_reloads_the_page_when_the_step_is_done(
    client, district, biller, metered_account
):
    metered_account([(JUL, "112")])
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    client.force_login(biller)
    url = reverse("billing:run_progress", args=[run.pk])
    working = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in working and 'hx-trigger="every 1s"' in working.content.decode()
    services.bill_run_calculate(actor=biller, run=run)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()
    # Calculating again (as a queued task would, part-way): the page polls again.
    BillRun.objects.filter(pk=run.pk).update(progress_done=0)
    assert 'hx-trigger="every 1s"' in client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_a_stopped_account_offers_its_final_bill_until_it_has_one(
    client, district, supervisor, metered_account
):
    from cistern.customers import services as customers

    from .conftest import read

    account = metered_account()
    customers.service_stop(
        actor=supervisor, account=account, stop_date=date(2026, 7, 10), reason="Moving",
        forwarding={"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    read(supervisor, account.meter, date(2026, 7, 10), "102", kind="final")
    client.force_login(supervisor)
    page = client.get(reverse("customers:account", args=[account.number])).content.decode()
    final_url = reverse("billing:final_bill", args=[account.number])
    assert f'action="{final_url}"' in page
    response = client.post(final_url)
    bill = Bill.objects.get(account=account, kind="final")
    assert response.url == reverse("billing:bill", args=[bill.pk]) and bill.current_charges == D("38.78")
    page = client.get(reverse("customers:account", args=[account.number])).content.decode()
    assert f'action="{final_url}"' not in page and "Final" in page
