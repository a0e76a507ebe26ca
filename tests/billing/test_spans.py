"""Where a span starts and ends, with plain values: only the customer's own water is billed."""

from datetime import date
from decimal import Decimal as D

from cistern.billing.spans import Billed, ReadRow, estimate_start, find_span

ME, BEFORE = 7, 3  # this account, the previous occupant


def _find(reads, *, start, billed=None, until=date(2026, 8, 25), installed_on=date(2020, 1, 1)):
    return find_span(
        account_id=ME, start_date=start, reads=reads, billed=billed, window_start=date(2026, 8, 5), until=until,
        installed_on=installed_on, initial_value=D("0"), serial="BL1",
    )  # fmt: skip


def test_a_move_in_with_a_turn_on_read_starts_there():
    """Seen: 822 first bills after a move-in billed usage from a read before the customer's service began."""
    reads = [
        ReadRow(1, BEFORE, date(2026, 6, 25), D("2535"), "actual", D("9")),
        ReadRow(2, ME, date(2026, 8, 22), D("2567"), "initial", D("32")),  # the previous occupant's water too
        ReadRow(3, ME, date(2026, 8, 25), D("2568"), "actual", D("1")),
    ]
    found = _find(reads, start=date(2026, 8, 22))
    assert (found.start.read_id, found.start.on, found.start.value) == (2, date(2026, 8, 22), D("2567"))
    assert (found.to.id, found.units, found.start.estimated, found.problem) == (3, D("1"), False, "")


def test_a_move_in_without_a_turn_on_read_estimates_its_start_by_days():
    """Seen: bill 31341 charged 32 units over 3 days ($413.19) where the customer's share was about $40; its
    span showed "2567 -> 2567"."""
    reads = [
        ReadRow(1, BEFORE, date(2026, 7, 25), D("2535"), "actual", D("9")),
        ReadRow(2, ME, date(2026, 8, 25), D("2566"), "actual", D("31")),
    ]
    found = _find(reads, start=date(2026, 8, 22))
    # 31 units over 31 days: 28 days (28 units) before the move-in, 3 after.
    assert (found.start.on, found.start.value, found.start.estimated) == (date(2026, 8, 22), D("2563.00"), True)
    assert found.units == D("3.00") and found.to.value == D("2566")
    assert "No turn-on read on meter BL1 for the move-in on 08/22/2026" in found.problem
    assert "estimated at 2563.00" in found.problem


def test_the_last_occupants_final_read_on_the_start_date_starts_the_span():
    reads = [
        ReadRow(1, BEFORE, date(2026, 7, 25), D("100"), "actual", D("9")),
        ReadRow(2, BEFORE, date(2026, 8, 10), D("110"), "final", D("10")),
        ReadRow(3, ME, date(2026, 8, 25), D("118"), "actual", D("8")),
    ]
    found = _find(reads, start=date(2026, 8, 10))
    assert (found.start.read_id, found.start.value, found.units, found.problem) == (2, D("110"), D("8"), "")


def test_a_span_goes_on_from_the_accounts_last_billed_read():
    reads = [ReadRow(5, ME, date(2026, 7, 25), D("200"), "actual", D("9")),
             ReadRow(6, ME, date(2026, 8, 25), D("212"), "actual", D("12"))]  # fmt: skip
    found = _find(reads, start=date(2025, 1, 1), billed=Billed(5, date(2026, 7, 25), D("200")))
    assert (found.start.read_id, found.units) == (5, D("12"))
    assert _find(reads, start=date(2025, 1, 1), billed=Billed(6, date(2026, 8, 25), D("212"))) is None


def test_a_bill_of_the_previous_occupant_never_starts_the_new_accounts_span():
    reads = [
        ReadRow(5, BEFORE, date(2026, 7, 25), D("200"), "actual", D("9")),
        ReadRow(6, ME, date(2026, 8, 25), D("230"), "actual", D("30")),
    ]
    found = _find(reads, start=date(2026, 8, 15), billed=Billed(5, date(2026, 7, 25), D("200")))
    assert found.start.estimated and found.start.on == date(2026, 8, 15)
    assert found.units == D("9.68")  # 30 units over 31 days, 10 of them the customer's: 9.68, not 30


def test_an_account_older_than_the_meters_history_starts_at_its_first_read():
    reads = [ReadRow(1, ME, date(2026, 7, 25), D("50"), "actual", None),
             ReadRow(2, ME, date(2026, 8, 25), D("59"), "actual", D("9"))]  # fmt: skip
    found = _find(reads, start=date(2019, 5, 1))
    assert (found.start.read_id, found.units, found.problem) == (1, D("9"), "")


def test_no_read_in_the_window_is_no_span():
    reads = [ReadRow(1, ME, date(2026, 7, 25), D("50"), "actual", None)]
    assert _find(reads, start=date(2019, 5, 1)) is None


def test_a_start_estimate_across_a_rollover_counts_on_from_the_earlier_read():
    previous = ReadRow(1, BEFORE, date(2026, 7, 25), D("9990"), "actual", D("5"))
    following = ReadRow(2, ME, date(2026, 8, 24), D("10"), "actual", D("20"))
    assert estimate_start(previous, following, date(2026, 8, 9)) == (D("10.00"), D("10000.00"))
