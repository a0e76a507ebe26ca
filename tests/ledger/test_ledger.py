"""Posting and reversing journal entries; the database refuses to rewrite them; verify_ledger."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from cistern.core.models import AuditEvent
from cistern.customers.balances import balances_owed
from cistern.ledger import selectors
from cistern.ledger.models import JournalEntry, JournalLine
from cistern.ledger.services import LedgerError, Posting, journal_post, journal_reverse
from cistern.ledger.verify import breaches

pytestmark = pytest.mark.django_db


def charge(actor, account, amount, on=date(2026, 10, 5), revenue="4110"):
    return journal_post(
        actor=actor, entry_date=on, memo="Water bill", source_kind="test",
        postings=[Posting("1200", D(amount), account.pk, due_date=on), Posting(revenue, -D(amount))],
    )  # fmt: skip


def test_a_bill_posts_a_balanced_entry_and_the_balance_is_its_lines(css2, start_account):
    account = start_account()
    entry = charge(css2, account, "156.40")
    assert sorted(entry.lines.values_list("gl_account__code", "amount")) == [
        ("1200", D("156.40")), ("4110", D("-156.40")),
    ]  # fmt: skip
    assert selectors.account_balance(account) == D("156.40")
    assert balances_owed([account.pk])[account.pk] == D("156.40")  # the start-service check sees it
    event = AuditEvent.objects.get(action="ledger.post", account_id=account.pk)
    assert event.actor == css2
    assert breaches() == []


@pytest.mark.parametrize(
    "postings,message",
    [
        ([Posting("1200", D("10.00"), 0)], "at least two lines"),
        ([Posting("1200", D("10.00"), 0), Posting("4110", D("-9.99"))], "differ by 0.01"),
        ([Posting("1200", D("10.001"), 0), Posting("4110", D("-10.001"))], "not an amount in cents"),
        ([Posting("1200", D("10.00")), Posting("4110", D("-10.00"))], "names the customer account"),
        ([Posting("1200", D("10.00"), 0), Posting("4110", D("-10.00"), 0)], "only receivable lines and deposits"),
        ([Posting("9999", D("10.00")), Posting("4110", D("-10.00"))], "No GL account 9999"),
    ],
)
def test_unbalanced_or_malformed_entries_are_refused_and_write_nothing(
    css2, start_account, postings, message
):
    account = start_account()
    postings = [Posting(p.gl_code, p.amount, account.pk if p.account_id == 0 else None) for p in postings]
    with pytest.raises(LedgerError, match=message):
        journal_post(
            actor=css2, entry_date=date(2026, 10, 5), memo="x", source_kind="test", postings=postings
        )
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_a_reversal_negates_every_line_once(css2, start_account):
    account = start_account()
    entry = charge(css2, account, "45.55")
    reversal = journal_reverse(actor=css2, entry=entry, reason="Billed the wrong meter size")
    assert reversal.reverses == entry
    assert selectors.account_balance(account) == D("0.00")
    assert breaches() == []
    with pytest.raises(LedgerError, match="already reversed"):
        journal_reverse(actor=css2, entry=entry, reason="again")
    with pytest.raises(LedgerError, match="is not reversed"):
        journal_reverse(actor=css2, entry=reversal, reason="undo the undo")
    with pytest.raises(LedgerError, match="Say why"):
        journal_reverse(actor=css2, entry=charge(css2, account, "1.00"), reason=" ")


def test_the_database_refuses_to_change_or_remove_ledger_rows(css2, start_account):
    line = charge(css2, start_account(), "20.00").lines.first()
    for sql in (
        "UPDATE ledger_journalline SET amount = 0.01 WHERE id = %s",
        "DELETE FROM ledger_journalline WHERE id = %s",
        "UPDATE ledger_journalentry SET memo = 'edited' WHERE id = (SELECT entry_id FROM ledger_journalline "
        "WHERE id = %s)",
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError), match="append-only|refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [line.pk])
    line.refresh_from_db()
    assert line.amount == D("20.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no deferred triggers; see issue 4")
def test_postgresql_refuses_an_unbalanced_entry_written_around_the_service(css2):
    entry = JournalEntry.objects.create(
        entry_date=date(2026, 10, 5), memo="raw", source_kind="test", created_by=css2
    )
    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, gl_account_id, amount, description) "
            "SELECT %s, id, 5.00, '' FROM ledger_glaccount WHERE code = '1000'",
            [entry.pk],
        )
        cursor.execute("SET CONSTRAINTS ledger_journalline_balances IMMEDIATE")


def test_verify_ledger_passes_clean_books_and_fails_on_a_breach(css2, start_account, capsys):
    charge(css2, start_account(), "10.00")
    call_command("verify_ledger")
    assert "The ledger balances" in capsys.readouterr().out
    entry = JournalEntry.objects.create(
        entry_date=date(2026, 10, 5), memo="raw", source_kind="test", created_by=css2
    )
    with connection.cursor() as cursor:  # balanced, but a receivable line that names no customer
        for code, amount in (("1200", "5.00"), ("4110", "-5.00")):
            cursor.execute(
                "INSERT INTO ledger_journalline (entry_id, gl_account_id, amount, description) "
                "SELECT %s, id, %s, '' FROM ledger_glaccount WHERE code = %s",
                [entry.pk, amount, code],
            )
        if connection.vendor == "sqlite":  # PostgreSQL's trigger refuses this one at commit (test above)
            cursor.execute(
                "INSERT INTO ledger_journalline (entry_id, gl_account_id, amount, description) "
                "SELECT %s, id, 7.00, '' FROM ledger_glaccount WHERE code = '1000'",
                [entry.pk],
            )
    with pytest.raises(CommandError, match="breach"):
        call_command("verify_ledger")
    errors = capsys.readouterr().err
    assert "is on the receivable but names no customer account" in errors
    if connection.vendor == "sqlite":
        assert f"Journal entry {entry.pk} does not balance: its lines sum to 7.00" in errors
