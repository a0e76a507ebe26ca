"""Autopay: enrolment with a prenote, scheduling each bill, the NACHA export posting the payments, ACH returns."""

import os
import stat
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from cistern.billing.models import Bill, BillCancellation
from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalLine
from cistern.payments import autopay
from cistern.payments import secrets as field_crypto
from cistern.payments.models import (
    AchFile,
    AutopayDebit,
    AutopayEnrolment,
    Payment,
    PaymentReturn,
)
from cistern.payments.services import PaymentError

pytestmark = pytest.mark.django_db

ROUTING = "121000358"
NUMBER = "000123456789"
TUE, FRI = date(2026, 12, 1), date(2026, 12, 4)


@pytest.fixture
def bank_clerk(make_user):
    return make_user(roles.BILLING_ADMIN, username="bankfiles")


@pytest.fixture
def enrol(css1):
    def make(account, on=TUE, number=NUMBER, routing=ROUTING, kind="checking", name="Maria Lopez"):
        with clock.on(on):
            return autopay.enrolment_create(
                actor=css1, account=account, holder_name=name, routing_number=routing,
                bank_account_number=number, account_type=kind,
            )  # fmt: skip

    return make


@pytest.fixture
def bill(bank_clerk):
    periods = iter(range(1, 100))

    def make(account, amount="45.56", bill_date=date(2026, 12, 3), due=date(2026, 12, 23)):
        n = next(periods)
        return Bill.objects.create(
            account=account, period_start=date(2026, 1, 1), period_end=date(2026, 1, 1 + n), bill_date=bill_date,
            due_date=due, current_charges=D(amount), amount_due=D(amount), created_by=bank_clerk,
        )  # fmt: skip

    return make


def export(actor, tmp_path, day, name="ach.txt"):
    return autopay.autopay_export(actor=actor, settle_on=day, out=tmp_path / name)


@pytest.fixture
def live(start_account, enrol, bank_clerk, tmp_path):
    """An account whose prenote went out on 12/01 and came back with nothing: active from 12/04."""
    account = start_account()
    enrolment = enrol(account)
    export(bank_clerk, tmp_path, TUE, "prenote.txt")
    autopay.autopay_schedule(actor=bank_clerk, on=FRI)
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    return account, enrolment


# --- enrolment --------------------------------------------------------------------------------------------


def test_enrolment_stores_the_number_encrypted_and_shows_it_masked(start_account, enrol):
    account = start_account()
    enrolment = enrol(account)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bank_account_encrypted FROM payments_autopayenrolment WHERE id = %s", [enrolment.pk]
        )
        (raw,) = cursor.fetchone()
    assert NUMBER not in raw and "123456789" not in raw
    assert field_crypto.decrypt(raw) == NUMBER
    assert autopay.masked(enrolment) == "****6789"
    audit = AuditEvent.objects.get(action="autopay.enrol")
    assert NUMBER not in str(audit.changes) and "****6789" in str(audit.changes)


def test_a_bad_routing_number_is_refused_with_a_field_error(start_account, enrol):
    account = start_account()
    with pytest.raises(PaymentError, match="check digit") as e:
        enrol(account, routing="121000359")
    assert e.value.field == "routing_number"
    with pytest.raises(PaymentError) as e:
        enrol(account, number="12")
    assert e.value.field == "bank_account_number"
    assert not AutopayEnrolment.objects.exists()


def test_the_prenote_settles_next_banking_day_and_live_debits_3_banking_days_after(start_account, enrol):
    account = start_account()
    enrolment = enrol(account, on=date(2026, 11, 25))  # Wednesday before Thanksgiving
    prenote = enrolment.debits.get()
    assert prenote.prenote and prenote.amount == 0 and prenote.settle_on == date(2026, 11, 25)
    # Thanksgiving (26th) is no banking day: three banking days after the 25th are the 27th, 30th, 12/01.
    assert enrolment.status == "prenote" and enrolment.live_from == date(2026, 12, 1)


def test_one_enrolment_at_a_time_and_ending_cancels_what_is_not_sent(start_account, enrol, css1):
    account = start_account()
    enrolment = enrol(account, on=date(2026, 12, 5))  # Saturday: the prenote settles Monday
    assert enrolment.debits.get().settle_on == date(2026, 12, 7)
    with pytest.raises(PaymentError, match="already enrolled"):
        enrol(account)
    with pytest.raises(PaymentError, match="why"):
        autopay.enrolment_end(actor=css1, enrolment=enrolment, reason=" ")
    autopay.enrolment_end(actor=css1, enrolment=enrolment, reason="Customer asked")
    enrolment.refresh_from_db()
    assert enrolment.status == "ended" and enrolment.debits.get().status == "cancelled"
    enrol(account)  # enrolled again after the end


# --- scheduling -------------------------------------------------------------------------------------------


def test_activation_waits_for_live_from_and_a_sent_prenote(start_account, enrol, bank_clerk, tmp_path):
    account = start_account()
    enrolment = enrol(account)
    assert autopay.autopay_schedule(actor=bank_clerk, on=FRI).activated == []  # prenote not sent yet
    export(bank_clerk, tmp_path, TUE)
    enrolment.refresh_from_db()
    assert enrolment.live_from == FRI  # 12/02, 12/03, 12/04
    assert autopay.autopay_schedule(actor=bank_clerk, on=date(2026, 12, 3)).activated == []
    assert autopay.autopay_schedule(actor=bank_clerk, on=FRI).activated == [enrolment]


def test_a_bill_is_scheduled_once_for_its_due_date_moved_to_a_banking_day(live, bill, bank_clerk):
    account, enrolment = live
    saturday = bill(account, due=date(2026, 12, 26))  # Christmas is Friday: Monday 12/28
    weekday = bill(account, "12.00", due=date(2026, 12, 22))
    bill(account, "0.00", due=date(2026, 12, 22))  # nothing due: no debit
    early = bill(account, "9.00", due=date(2026, 12, 3))  # due before live debits start
    result = autopay.autopay_schedule(actor=bank_clerk, on=FRI)
    by_bill = {d.bill_id: d for d in result.scheduled}
    assert set(by_bill) == {saturday.pk, weekday.pk}
    assert by_bill[saturday.pk].settle_on == date(2026, 12, 28) and by_bill[saturday.pk].amount == D("45.56")
    assert by_bill[weekday.pk].settle_on == date(2026, 12, 22)
    assert early.pk not in by_bill
    assert autopay.autopay_schedule(actor=bank_clerk, on=FRI).scheduled == []  # idempotent
    BillCancellation.objects.create(bill=weekday, reason="Misread", cancelled_by=bank_clerk)
    again = autopay.autopay_schedule(actor=bank_clerk, on=FRI)
    assert [d.bill_id for d in again.cancelled] == [weekday.pk]
    assert AutopayDebit.objects.get(bill=weekday).status == "cancelled"


# --- the export -------------------------------------------------------------------------------------------


def test_export_posts_payments_to_ach_clearing_and_never_sends_twice(
    live, bill, bank_clerk, tmp_path, charge
):
    account, enrolment = live
    charge(account, "45.56", date(2026, 12, 23))
    bill(account, due=date(2026, 12, 23))
    autopay.autopay_schedule(actor=bank_clerk, on=FRI)
    with pytest.raises(PaymentError, match="nothing to send"):
        export(bank_clerk, tmp_path, date(2026, 12, 22), "early.txt")
    assert not (tmp_path / "early.txt").exists()
    result = export(bank_clerk, tmp_path, date(2026, 12, 23), "dec23.txt")
    assert result.debits == 1 and result.total == D("45.56")
    assert stat.S_IMODE(os.stat(tmp_path / "dec23.txt").st_mode) == 0o600
    payment = Payment.objects.get(channel="autopay")
    assert payment.received_on == date(2026, 12, 23) and payment.amount == D("45.56")
    debit = AutopayDebit.objects.get(bill__isnull=False)
    assert debit.status == "sent" and debit.payment == payment and payment.reference == debit.trace_number
    clearing = ledger_selectors.gl_code(GLRole.ACH_CLEARING)
    assert JournalLine.objects.get(entry=payment.entry, gl_account__code=clearing).amount == D("45.56")
    assert sum(line.amount for line in ledger_selectors.receivable_lines(account.pk)) == 0
    with pytest.raises(PaymentError, match="nothing to send"):
        export(bank_clerk, tmp_path, date(2026, 12, 28), "again.txt")
    assert Payment.objects.count() == 1 and AchFile.objects.count() == 2
    assert AuditEvent.objects.filter(action="autopay.export").count() == 2


def test_a_day_that_is_not_a_banking_day_is_refused_and_nothing_is_written(
    start_account, enrol, bank_clerk, tmp_path
):
    enrol(start_account())
    for day, why in [(date(2026, 12, 5), "Saturday"), (date(2026, 12, 25), "Christmas")]:
        with pytest.raises(PaymentError, match=why) as e:
            export(bank_clerk, tmp_path, day)
        assert e.value.field == "settle_on"
    assert list(tmp_path.iterdir()) == []
    assert not AchFile.objects.exists() and not Payment.objects.exists()
    assert AutopayDebit.objects.get().status == "scheduled"


def test_a_failure_while_posting_writes_nothing(live, bill, bank_clerk, tmp_path, monkeypatch):
    account, _ = live
    bill(account, due=date(2026, 12, 23))
    autopay.autopay_schedule(actor=bank_clerk, on=FRI)

    def broken(**kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(autopay, "payments_post_batch", broken)
    with pytest.raises(RuntimeError):
        export(bank_clerk, tmp_path, date(2026, 12, 23), "x.txt")
    assert not (tmp_path / "x.txt").exists()
    assert AchFile.objects.count() == 1 and AutopayDebit.objects.get(bill__isnull=False).status == "scheduled"


def test_only_the_export_permission_writes_the_file(start_account, enrol, css1, tmp_path):
    from django.core.exceptions import PermissionDenied

    enrol(start_account())
    with pytest.raises(PermissionDenied):
        export(css1, tmp_path, TUE)


# --- returns ----------------------------------------------------------------------------------------------


def _sent_debit(live, bill, bank_clerk, tmp_path, amount="45.56"):
    account, enrolment = live
    bill(account, amount, due=date(2026, 12, 23))
    autopay.autopay_schedule(actor=bank_clerk, on=FRI)
    export(bank_clerk, tmp_path, date(2026, 12, 23), "dec23.txt")
    return AutopayDebit.objects.get(bill__isnull=False, presentment=1)


def test_r01_presents_the_debit_again_at_most_twice(live, bill, bank_clerk, tmp_path):
    debit = _sent_debit(live, bill, bank_clerk, tmp_path)
    with clock.on(date(2026, 12, 28)):
        first = autopay.ach_return(actor=bank_clerk, debit=debit, return_code="R01")
    assert first.payment.status == "returned" and not first.ended
    assert PaymentReturn.objects.get(payment=first.payment).reason_code == "R01"
    again = first.represented
    assert again.presentment == 2 and again.settle_on == date(2026, 12, 29) and again.amount == D("45.56")
    assert AutopayEnrolment.objects.get().status == "active"
    export(bank_clerk, tmp_path, date(2026, 12, 29), "dec29.txt")
    again.refresh_from_db()
    with clock.on(date(2026, 12, 31)):
        second = autopay.ach_return(actor=bank_clerk, debit=again, return_code="R09")
    third = second.represented
    assert third.presentment == 3
    export(bank_clerk, tmp_path, date(2027, 1, 4), "jan4.txt")
    third.refresh_from_db()
    with clock.on(date(2027, 1, 6)):
        last = autopay.ach_return(actor=bank_clerk, debit=third, return_code="R01")
    assert last.represented is None and not last.ended
    assert Payment.objects.filter(status="returned").count() == 3


def test_r02_ends_the_enrolment_and_a_repeat_is_recorded_once(live, bill, bank_clerk, tmp_path):
    debit = _sent_debit(live, bill, bank_clerk, tmp_path)
    _, enrolment = live
    bill(live[0], "20.00", bill_date=date(2026, 12, 20), due=date(2027, 1, 20))
    autopay.autopay_schedule(actor=bank_clerk, on=date(2026, 12, 20))
    with clock.on(date(2026, 12, 28)):
        result = autopay.ach_return(actor=bank_clerk, debit=debit, return_code="R02", note="bank letter")
        assert result.ended and result.represented is None
        assert autopay.ach_return(actor=bank_clerk, debit=debit, return_code="R02").already
    enrolment.refresh_from_db()
    assert enrolment.status == "ended" and "R02" in enrolment.ended_reason
    assert AutopayDebit.objects.get(amount=D("20.00")).status == "cancelled"
    payment = Payment.objects.get()
    assert payment.status == "returned" and payment.reversal_entry.entry_date == date(2026, 12, 28)


@override_settings(CISTERN_ACH_END_CODES="R01", CISTERN_ACH_REPRESENT_CODES=[])
def test_the_codes_are_data(live, bill, bank_clerk, tmp_path):
    debit = _sent_debit(live, bill, bank_clerk, tmp_path)
    with clock.on(date(2026, 12, 28)):
        result = autopay.ach_return(actor=bank_clerk, debit=debit, return_code="R01")
    assert result.ended and result.represented is None


def _return_file(returns):
    """A bank's return file: an entry detail with addenda 99 per return (standard NACHA positions)."""
    lines = ["101 122000247 1953000000" + "2612280800A094101".ljust(69)]
    for trace, code, cents in returns:
        entry = "626121000358000123456789     " + f"{cents:010d}" + "ACCT".ljust(15) + "MARIA LOPEZ".ljust(22)
        entry += "  1" + "121000350000001"
        addenda = "799" + code + trace + "      " + "12100035" + " " * 44 + "121000350000001"
        lines += [entry, addenda]
    return "\n".join(line.ljust(94) for line in lines) + "\n"


def test_the_return_file_command(live, bill, bank_clerk, tmp_path):
    debit = _sent_debit(live, bill, bank_clerk, tmp_path)
    path = tmp_path / "returns.txt"
    path.write_text(_return_file([(debit.trace_number, "R01", 4556)]))
    out = StringIO()
    with clock.on(date(2026, 12, 28)):
        call_command("import_ach_returns", str(path), "--user", "bankfiles", stdout=out)
        assert "1 recorded now" in out.getvalue()
        call_command("import_ach_returns", str(path), "--user", "bankfiles", stdout=out)
        assert "0 recorded now" in out.getvalue()
    assert AutopayDebit.objects.get(presentment=2).settle_on == date(2026, 12, 29)
    bad = tmp_path / "bad.txt"
    bad.write_text(_return_file([("122000240009999", "R01", 4556)]))
    with pytest.raises(CommandError, match="no debit sent with this trace"):
        call_command("import_ach_returns", str(bad), "--user", "bankfiles")


def test_the_commands(start_account, enrol, bill, bank_clerk, tmp_path):
    account = start_account()
    enrol(account)
    out = StringIO()
    call_command("export_autopay", "--settle-on", "2026-12-01", "--out", str(tmp_path / "a.txt"),
                 "--user", "bankfiles", stdout=out)  # fmt: skip
    assert "1 prenotes" in out.getvalue()
    with pytest.raises(CommandError, match="not a banking day"):
        call_command("export_autopay", "--settle-on", "2026-12-05", "--out", str(tmp_path / "b.txt"),
                     "--user", "bankfiles")  # fmt: skip
    bill(account, due=date(2026, 12, 23))
    call_command("schedule_autopay", "--on", "2026-12-04", "--user", "bankfiles", stdout=out)
    assert "1 enrolments made active, 1 debits scheduled ($45.56)" in out.getvalue()
    with pytest.raises(CommandError, match="permission"):
        call_command("schedule_autopay", "--on", "2026-12-04", "--user", "css_i")


# --- the pages --------------------------------------------------------------------------------------------


def test_the_enrolment_page_refuses_a_bad_routing_number_on_its_field(start_account, css1, client):
    account = start_account()
    client.force_login(css1)
    url = f"/payments/accounts/{account.number}/autopay/"
    page = client.get(url)
    assert page.status_code == 200 and "Enrol in autopay" in page.content.decode()
    data = {"holder_name": "Maria Lopez", "routing_number": "121000359", "bank_account_number": NUMBER,
            "bank_account_type": "checking"}  # fmt: skip
    refused = client.post(url + "enrol/", data)
    assert refused.status_code == 400
    assert "check digit does not match" in refused.context["enrol_form"].errors["routing_number"][0]
    assert not AutopayEnrolment.objects.exists()
    done = client.post(url + "enrol/", {**data, "routing_number": ROUTING})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "****6789" in page and NUMBER not in page and "Prenote" in page
    account_page = client.get(f"/accounts/{account.number}/").content.decode()
    assert 'id="panel-autopay"' in account_page and "****6789" in account_page
    assert NUMBER not in account_page


def test_an_ach_return_entered_by_hand(live, bill, bank_clerk, tmp_path, make_user, client):
    debit = _sent_debit(live, bill, bank_clerk, tmp_path)
    lead = make_user(roles.CSS_II, username="lead2")
    client.force_login(lead)
    page = client.get(f"/payments/autopay/returns/new/?trace={debit.trace_number}")
    assert page.status_code == 200 and debit.trace_number in page.content.decode()
    data = {"reference": "999999999999999", "return_code": "R02", "returned_on": "2026-12-28"}
    with clock.on(date(2026, 12, 28)):
        unknown = client.post("/payments/autopay/returns/new/", data)
        assert unknown.status_code == 400 and "No autopay debit" in unknown.content.decode()
        done = client.post(
            "/payments/autopay/returns/new/", {**data, "reference": debit.payment.receipt_number}
        )
    assert done.status_code == 302
    assert AutopayEnrolment.objects.get().status == "ended"


def test_the_field_key_comes_from_the_environment_and_rotates(monkeypatch):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("CISTERN_FIELD_KEY", old)
    token = field_crypto.encrypt(NUMBER)
    monkeypatch.setenv("CISTERN_FIELD_KEY", f"{new},{old}")  # the new key first: old values still read
    assert field_crypto.decrypt(token) == NUMBER
    monkeypatch.setenv("CISTERN_FIELD_KEY", new)
    with pytest.raises(field_crypto.FieldKeyError, match="cannot be decrypted"):
        field_crypto.decrypt(token)
    monkeypatch.setenv("CISTERN_FIELD_KEY", "not-a-key")
    with pytest.raises(field_crypto.FieldKeyError, match="not a Fernet key"):
        field_crypto.encrypt(NUMBER)
