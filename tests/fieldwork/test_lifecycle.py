"""The transition table, with plain strings: no database."""

import pytest

from cistern.fieldwork import lifecycle as lc

EVERY_ACTION = [lc.SCHEDULE, lc.DISPATCH, lc.COMPLETE, lc.CLOSE, lc.VOID]


def test_the_happy_path():
    status = lc.OPEN
    for action, expected in [(lc.SCHEDULE, lc.SCHEDULED), (lc.DISPATCH, lc.DISPATCHED),
                             (lc.COMPLETE, lc.COMPLETED), (lc.CLOSE, lc.CLOSED)]:  # fmt: skip
        status = lc.next_status(status, action)
        assert status == expected


@pytest.mark.parametrize("status", [lc.OPEN, lc.SCHEDULED, lc.DISPATCHED])
def test_void_from_any_state_before_completed(status):
    assert lc.next_status(status, lc.VOID) == lc.VOIDED


@pytest.mark.parametrize("status", [lc.COMPLETED, lc.CLOSED, lc.VOIDED])
def test_no_void_once_completed_closed_or_voided(status):
    with pytest.raises(lc.TransitionRefused) as refused:
        lc.next_status(status, lc.VOID)
    assert str(refused.value) == f"An order that is {status} cannot be voided."


@pytest.mark.parametrize("status", [lc.CLOSED, lc.VOIDED])
def test_closed_and_voided_are_final(status):
    assert lc.allowed_actions(status) == []
    for action in EVERY_ACTION:
        assert not lc.can(status, action)


def test_an_open_order_cannot_be_dispatched_completed_or_closed():
    assert sorted(lc.allowed_actions(lc.OPEN)) == [lc.SCHEDULE, lc.VOID]


def test_reschedule_brings_a_dispatched_order_back_to_scheduled():
    assert lc.next_status(lc.DISPATCHED, lc.SCHEDULE) == lc.SCHEDULED
    assert lc.next_status(lc.SCHEDULED, lc.SCHEDULE) == lc.SCHEDULED


def test_a_completed_order_can_only_be_closed():
    assert lc.allowed_actions(lc.COMPLETED) == [lc.CLOSE]


def test_unknown_action_is_refused():
    with pytest.raises(lc.TransitionRefused):
        lc.next_status(lc.OPEN, "teleport")


def test_every_target_is_a_status_and_active_finished_partition_them():
    assert set(lc.TRANSITIONS.values()) <= set(lc.STATUSES)
    assert set(lc.STATUSES) == lc.ACTIVE | lc.FINISHED
    assert not lc.ACTIVE & lc.FINISHED
