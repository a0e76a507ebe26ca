"""Final accounts: the final-bill notice once, a write-off within the lead's limit and one above it approved by
a lead whose limit covers it, the collection agency's referral file, and the agency's payment with its
commission; the ledger's invariants hold after each."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from cistern.billing import services as billing
from cistern.collections import services, writeoffs
from cistern.collections.models import (
    AgencyReferral,
    Notice,
    NoticeKind,
    ReferralStatus,
    WriteOff,
    WriteOffStatus,
)
from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.correspondence.models import Correspondence
from cistern.customers import services as customers
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import JournalEntry, JournalLine
from cistern.ledger.services import Posting, journal_post
from cistern.ledger.verify import breaches
from cistern.payments import services as payments
from tests.billing.conftest import district, metered_account, read, supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

FORWARDING = {"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"}
STOPPED, BILLED = date(2026, 7, 10), date(2026, 7, 13)
DUE = date(2026, 8, 3)  # 20 days after the bill: Sunday 08/02, so the next business day
NOTICE_DAY = DUE + timedelta(days=10)  # the district's reminder days
WRITE_OFF_DAY = DUE + timedelta(days=91)  # more than 90 days past due: 11/02/2026


@pytest.fixture
def final_account(metered_account, supervisor, customer_factory):  # noqa: F811
    """A stopped account with its final bill ($38.78: 15 days' basic fee and 2 units), plus `extra` owed on an
    older bill (a charge due 07/01/2026)."""

    def make(extra="0.00", name="Maria Lopez"):
        account = metered_account(customer=customer_factory(name=name))
        if D(extra):
            journal_post(
                actor=supervisor, entry_date=date(2026, 6, 28), memo="Bill", source_kind="test_charge",
                postings=[Posting("1200", D(extra), account.pk, "Water", date(2026, 7, 1)), Posting("4110", -D(extra))],
            )  # fmt: skip
        customers.service_stop(
            actor=supervisor, account=account, stop_date=STOPPED, reason="Moving away", forwarding=FORWARDING
        )
        read(supervisor, account.meter, STOPPED, "102", kind="final")
        account.refresh_from_db()
        with clock.on(BILLED):
            account.final_bill = billing.bill_final(actor=supervisor, account=account)
        return account

    return make


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="writeoff_lead")


@pytest.fixture
def other_lead(make_user):
    return make_user(roles.CSS_II, username="writeoff_other_lead")


def _lines(entry):
    return sorted(
        (line.gl_account.code, line.amount, line.account_id, line.due_date) for line in entry.lines.all()
    )


def _gl_total(code: str, kinds) -> D:
    total = JournalLine.objects.filter(gl_account__code=code, entry__source_kind__in=kinds).aggregate(
        t=Sum("amount")
    )
    return (total["t"] or D("0")).quantize(D("0.01"))


# --- the final-bill notice ---------------------------------------------------------------------------------


def test_a_final_bill_past_due_gets_one_notice(final_account, biller):
    account = final_account()
    assert account.final_bill.due_date == DUE and account.final_bill.amount_due == D("38.78")
    assert writeoffs.final_bill_notices(actor=biller, on=NOTICE_DAY - timedelta(days=1)) == 0
    assert writeoffs.final_bill_notices(actor=biller, on=NOTICE_DAY) == 1
    notice = Notice.objects.get(account=account)
    assert (notice.kind, notice.delinquent_since, notice.issued_on, notice.amount) == (
        NoticeKind.FINAL_BILL, DUE + timedelta(days=1), NOTICE_DAY, D("38.78")
    )  # fmt: skip
    letter = Correspondence.objects.get(pk=notice.correspondence_id)
    assert letter.account_id == account.pk and "$38.78" in letter.body
    # Once: the next day's run (the daily path) sends nothing more.
    with clock.on(NOTICE_DAY + timedelta(days=1)):
        result = services.collections_run(actor=biller, on=NOTICE_DAY + timedelta(days=1))
    assert result.counts["final_bill_notices"] == 0
    assert "0 final-bill notices" in result.line()
    assert Notice.objects.filter(account=account).count() == 1


def test_the_daily_run_sends_the_final_bill_notice(final_account, biller):
    account = final_account()
    with clock.on(NOTICE_DAY):
        result = services.collections_run(actor=biller, on=NOTICE_DAY)
    assert result.counts["final_bill_notices"] == 1
    assert Notice.objects.get(account=account, kind=NoticeKind.FINAL_BILL).issued_on == NOTICE_DAY


def test_a_paid_final_bill_gets_no_notice(final_account, biller, supervisor):  # noqa: F811
    account = final_account()
    journal_post(
        actor=supervisor, entry_date=DUE, memo="Payment", source_kind="payment",
        postings=[Posting("1000", D("38.78")), Posting("1200", D("-38.78"), account.pk, "Payment")],
    )  # fmt: skip
    assert writeoffs.final_bill_notices(actor=biller, on=NOTICE_DAY) == 0


# --- write-offs --------------------------------------------------------------------------------------------


def test_a_write_off_within_the_limit_posts_to_bad_debt(final_account, lead):
    account = final_account()
    with pytest.raises(writeoffs.WriteOffError, match="may be written off from 11/02/2026"):
        writeoffs.write_off_request(
            actor=lead, account=account, reason="Moved away", on=WRITE_OFF_DAY - timedelta(1)
        )
    assert [c.account.pk for c in writeoffs.write_off_candidates(WRITE_OFF_DAY - timedelta(1))] == []
    (candidate,) = writeoffs.write_off_candidates(WRITE_OFF_DAY)
    assert (candidate.account.pk, candidate.amount, candidate.final_bill.bill_date) == (
        account.pk,
        D("38.78"),
        BILLED,
    )
    with clock.on(WRITE_OFF_DAY):
        write_off = writeoffs.write_off_request(actor=lead, account=account, reason="Moved away, no reply")
    assert (write_off.status, write_off.amount, write_off.approved_by, write_off.why_approval) == (
        WriteOffStatus.POSTED, D("38.78"), lead, ""
    )  # fmt: skip
    entry = write_off.entry
    assert (entry.source_kind, entry.source_id, entry.entry_date) == (
        "write_off",
        write_off.pk,
        WRITE_OFF_DAY,
    )
    assert _lines(entry) == [("1200", D("-38.78"), account.pk, None), ("6100", D("38.78"), None, None)]
    assert ledger_selectors.account_balance(account) == D("0.00")
    assert AuditEvent.objects.filter(action="write_off.request", account_id=account.pk).exists()
    assert writeoffs.write_off_candidates(WRITE_OFF_DAY) == []
    with pytest.raises(writeoffs.WriteOffError, match="owes nothing"):
        writeoffs.write_off_request(actor=lead, account=account, reason="Again", on=WRITE_OFF_DAY)
    assert breaches() == []


def test_above_the_limit_it_waits_for_a_lead_whose_limit_covers_it(
    final_account,
    lead,
    other_lead,
    supervisor,  # noqa: F811
):
    account = final_account(extra="300.00")  # $338.78: over a CSS II's $250
    with clock.on(WRITE_OFF_DAY):
        write_off = writeoffs.write_off_request(actor=lead, account=account, reason="Moved out of state")
    assert (write_off.status, write_off.amount, write_off.entry) == (
        WriteOffStatus.PENDING,
        D("338.78"),
        None,
    )
    assert write_off.why_approval == "$338.78 is over your write-off limit of $250.00."
    assert ledger_selectors.account_balance(account) == D("338.78")
    with pytest.raises(writeoffs.WriteOffError, match="already waiting"):
        writeoffs.write_off_request(actor=supervisor, account=account, reason="Twice", on=WRITE_OFF_DAY)
    # The queue: a supervisor ($2,500) may approve it; the requester and another CSS II may not.
    assert (writeoffs.waiting_for(supervisor), writeoffs.waiting_for(lead), writeoffs.waiting_for(other_lead)) == (
        1, 0, 0
    )  # fmt: skip
    with pytest.raises(writeoffs.WriteOffError, match="Someone other than the requester"):
        writeoffs.write_off_decide(actor=lead, write_off=write_off, approve=True)
    with pytest.raises(writeoffs.WriteOffError, match=r"over your write-off limit of \$250.00"):
        writeoffs.write_off_decide(actor=other_lead, write_off=write_off, approve=True)
    with clock.on(WRITE_OFF_DAY + timedelta(days=1)):
        approved = writeoffs.write_off_decide(
            actor=supervisor, write_off=write_off, approve=True, note="Agreed"
        )
    assert (approved.status, approved.approved_by, approved.decision_note) == (
        WriteOffStatus.POSTED,
        supervisor,
        "Agreed",
    )
    assert _lines(approved.entry) == [
        ("1200", D("-338.78"), account.pk, None),
        ("6100", D("338.78"), None, None),
    ]
    assert approved.entry.entry_date == WRITE_OFF_DAY + timedelta(days=1)
    assert ledger_selectors.account_balance(account) == D("0.00")
    assert writeoffs.waiting_for(supervisor) == 0
    with pytest.raises(writeoffs.WriteOffError, match="already posted"):
        writeoffs.write_off_decide(actor=supervisor, write_off=approved, approve=False, note="Late")
    assert breaches() == []


def test_a_rejected_write_off_posts_nothing_and_may_be_asked_again(final_account, lead, supervisor):  # noqa: F811
    account = final_account(extra="300.00")
    with clock.on(WRITE_OFF_DAY):
        write_off = writeoffs.write_off_request(actor=lead, account=account, reason="Moved")
        with pytest.raises(writeoffs.WriteOffError, match="Say why"):
            writeoffs.write_off_decide(actor=supervisor, write_off=write_off, approve=False)
        rejected = writeoffs.write_off_decide(
            actor=supervisor, write_off=write_off, approve=False, note="Call first"
        )
        assert (rejected.status, rejected.entry) == (WriteOffStatus.REJECTED, None)
        assert not JournalEntry.objects.filter(source_kind="write_off").exists()
        again = writeoffs.write_off_request(actor=supervisor, account=account, reason="Called: no answer")
    assert again.status == WriteOffStatus.POSTED  # within the supervisor's own $2,500


def test_a_clerk_without_the_permission_writes_nothing_off(final_account, css1):
    account = final_account()
    with pytest.raises(PermissionDenied):
        writeoffs.write_off_request(actor=css1, account=account, reason="Moved", on=WRITE_OFF_DAY)


# --- referral and the agency's payments --------------------------------------------------------------------


def _written_off(final_account, lead, **kwargs):
    account = final_account(**kwargs)
    with clock.on(WRITE_OFF_DAY):
        writeoffs.write_off_request(actor=lead, account=account, reason="Moved away")
    return account


def test_the_referral_file_has_one_row_per_account_and_neutralises_formulas(final_account, lead, supervisor):  # noqa: F811
    plain = _written_off(final_account, lead)
    hostile = _written_off(final_account, lead, name='=HYPERLINK("http://x.example","pay")')
    with pytest.raises(writeoffs.WriteOffError, match="Name the collection agency"):
        writeoffs.referrals_export(actor=supervisor, agency=" ", on=WRITE_OFF_DAY)
    batch = writeoffs.referrals_export(actor=supervisor, agency="Desert Recovery Inc.", on=WRITE_OFF_DAY)
    rows = list(csv.reader(io.StringIO(batch.content)))
    assert rows[0] == [
        "account",
        "name",
        "last_address",
        "phone",
        "amount",
        "last_payment_date",
        "final_bill_date",
    ]
    assert (
        batch.content.splitlines()[0]
        == "account,name,last_address,phone,amount,last_payment_date,final_bill_date"
    )
    by_account = {row[0]: row for row in rows[1:]}
    assert len(rows) == 3 and set(by_account) == {plain.number, hostile.number}
    assert by_account[plain.number] == [
        plain.number, "Maria Lopez", "9 Elm St, Yucca Valley, CA 92284", "(760) 366-1234", "38.78", "", "2026-07-13"
    ]  # fmt: skip
    assert by_account[hostile.number][1] == '\'=HYPERLINK("http://x.example","pay")'
    assert (batch.count, batch.total, batch.agency) == (2, D("77.56"), "Desert Recovery Inc.")
    referral = AgencyReferral.objects.get(account=plain)
    assert (referral.amount, referral.status, referral.referred_on) == (
        D("38.78"),
        ReferralStatus.REFERRED,
        WRITE_OFF_DAY,
    )
    # Already referred: not in the next file; a later one holds only the newly written off.
    assert (
        writeoffs.referrals_export(actor=supervisor, agency="Desert Recovery Inc.", on=WRITE_OFF_DAY) is None
    )
    later = final_account(name="Ana Ruiz")
    drawer = payments.drawer_open(actor=lead, drawer_name="Counter 1", opening_float=D("150.00"))
    payments.payment_post(
        actor=lead, session=drawer,
        request=payments.PaymentRequest(channel="mail", parts=[(later, D("5.00"))], received_on=date(2026, 8, 20),
                                        tenders=[payments.Tender("check", D("5.00"), check_number="311")]),
    )  # fmt: skip
    with clock.on(WRITE_OFF_DAY):
        assert writeoffs.write_off_request(actor=lead, account=later, reason="Moved away").amount == D(
            "33.78"
        )
    second = writeoffs.referrals_export(actor=supervisor, agency="Desert Recovery Inc.", on=WRITE_OFF_DAY)
    rows = list(csv.reader(io.StringIO(second.content)))
    assert [row[0] for row in rows[1:]] == [later.number]
    assert rows[1][4:] == ["33.78", "2026-08-20", "2026-07-13"]
    with pytest.raises(PermissionDenied):
        writeoffs.referrals_export(actor=lead, agency="Desert Recovery Inc.")
    assert breaches() == []


def test_an_agency_payment_reinstates_pays_and_books_the_commission(final_account, lead, supervisor, css2):  # noqa: F811
    account = _written_off(final_account, lead)
    with pytest.raises(writeoffs.WriteOffError, match="was not referred"):
        writeoffs.agency_payment_post(
            actor=supervisor, account=account, gross=D("30.00"), commission=D("9.00"), on=date(2026, 12, 1),
            agency_reference="R-1",
        )  # fmt: skip
    writeoffs.referrals_export(actor=supervisor, agency="Desert Recovery Inc.", on=WRITE_OFF_DAY)
    kinds = ("write_off", "write_off_recovery", "agency_payment", "agency_commission")
    payment = writeoffs.agency_payment_post(
        actor=supervisor, account=account, gross=D("30.00"), commission=D("9.00"), on=date(2026, 12, 1),
        agency_reference="R-1",
    )  # fmt: skip
    assert (payment.gross, payment.commission, payment.net) == (D("30.00"), D("9.00"), D("21.00"))
    assert _lines(payment.recovery_entry) == [
        ("1200", D("30.00"), account.pk, date(2026, 12, 1)), ("6100", D("-30.00"), None, None)
    ]  # fmt: skip
    assert _lines(payment.payment_entry) == [
        ("1000", D("30.00"), None, None),
        ("1200", D("-30.00"), account.pk, None),
    ]
    assert _lines(payment.commission_entry) == [
        ("1000", D("-9.00"), None, None),
        ("6300", D("9.00"), None, None),
    ]
    # Cash rises by what the agency remits; bad debt keeps what is still uncollected; the receivable stays 0.00.
    assert _gl_total("1000", kinds) == D("21.00")
    assert _gl_total("6100", kinds) == D("8.78")
    assert _gl_total("6300", kinds) == D("9.00")
    assert ledger_selectors.account_balance(account) == D("0.00")
    referral = AgencyReferral.objects.get(account=account)
    assert (referral.collected, referral.commission, referral.status) == (
        D("30.00"),
        D("9.00"),
        ReferralStatus.REFERRED,
    )
    assert writeoffs.last_payment_dates([account.pk]) == {account.pk: date(2026, 12, 1)}
    with pytest.raises(writeoffs.WriteOffError, match="already posted"):
        writeoffs.agency_payment_post(
            actor=supervisor, account=account, gross=D("8.78"), commission=D("0.00"), on=date(2026, 12, 2),
            agency_reference="R-1",
        )  # fmt: skip
    with pytest.raises(writeoffs.WriteOffError, match=r"more than the \$8.78 still owed"):
        writeoffs.agency_payment_post(
            actor=supervisor, account=account, gross=D("8.79"), commission=D("0.00"), on=date(2026, 12, 2),
            agency_reference="R-2",
        )  # fmt: skip
    with pytest.raises(writeoffs.WriteOffError, match="commission is between"):
        writeoffs.agency_payment_post(
            actor=supervisor, account=account, gross=D("5.00"), commission=D("5.01"), on=date(2026, 12, 2),
            agency_reference="R-2",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        writeoffs.agency_payment_post(
            actor=css2, account=account, gross=D("8.78"), commission=D("0.00"), on=date(2026, 12, 2),
            agency_reference="R-2",
        )  # fmt: skip
    last = writeoffs.agency_payment_post(
        actor=supervisor, account=account, gross=D("8.78"), commission=D("0.00"), on=date(2026, 12, 2),
        agency_reference="R-2",
    )  # fmt: skip
    assert last.commission_entry is None
    referral.refresh_from_db()
    assert (referral.collected, referral.commission, referral.status) == (
        D("38.78"),
        D("9.00"),
        ReferralStatus.PAID,
    )
    assert _gl_total("6100", kinds) == D("0.00") and _gl_total("1000", kinds) == D("29.78")
    assert AuditEvent.objects.filter(action="agency_payment.post", account_id=account.pk).count() == 2
    assert breaches() == []


# --- pages -------------------------------------------------------------------------------------------------


def test_the_pages_write_off_approve_refer_and_post(client, final_account, lead, supervisor):  # noqa: F811
    small, large = final_account(), final_account(extra="300.00", name="Ana Ruiz")
    client.force_login(lead)
    with clock.on(WRITE_OFF_DAY):
        page = client.get("/collections/writeoffs/").content.decode()
        assert small.number in page and large.number in page and "$338.78" in page
        response = client.post(
            "/collections/writeoffs/request/",
            {"account": [small.number, large.number], "reason": "Moved away"},
        )
        assert response.status_code == 302
        page = client.get("/collections/writeoffs/", follow=True).content.decode()
    assert WriteOff.objects.get(account=small).status == WriteOffStatus.POSTED
    waiting = WriteOff.objects.get(account=large)
    assert waiting.status == WriteOffStatus.PENDING and "Your own: another lead decides." in page
    client.force_login(supervisor)
    home = client.get("/").content.decode()
    assert "Write-offs to approve" in home
    with clock.on(WRITE_OFF_DAY):
        client.post(f"/collections/writeoffs/{waiting.pk}/decide/", {"decision": "approve", "note": "OK"})
        client.post("/collections/referrals/export/", {"agency": "Desert Recovery Inc."})
    waiting.refresh_from_db()
    assert waiting.status == WriteOffStatus.POSTED
    page = client.get("/collections/referrals/").content.decode()
    assert "Referral file" in page and small.number in page
    batch = AgencyReferral.objects.get(account=small).batch
    download = client.get(f"/collections/referrals/files/{batch.pk}/")
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.decode().startswith(
        "account,name,last_address,phone,amount,last_payment_date,final_bill_date\n"
    )
    response = client.post(
        "/collections/referrals/payments/",
        {"account": large.number, "received_on": "2026-12-01", "gross": "100.00", "commission": "25.00",
         "agency_reference": "DR-77"},
    )  # fmt: skip
    assert response.status_code == 302
    referral = AgencyReferral.objects.get(account=large)
    assert (referral.collected, referral.commission) == (D("100.00"), D("25.00"))
    assert breaches() == []
