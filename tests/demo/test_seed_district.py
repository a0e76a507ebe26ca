from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cistern.core.models import DistrictSettings, NumberSequence
from cistern.customers import selectors
from cistern.customers.account_number import parse_account_number
from cistern.customers.models import Account, AccountStatus, OpeningBalance
from cistern.customers.services import account_search_text
from cistern.demo import loader

pytestmark = pytest.mark.django_db


def _seed(*args):
    out = StringIO()
    call_command("seed_district", *args, stdout=out)
    return out.getvalue()


def test_seed_builds_a_district_shaped_like_the_domain():
    _seed("--accounts", "400", "--seed", "3", "--as-of", "2026-11-26")
    accounts = Account.objects.select_related("customer", "premise")
    assert accounts.count() == 400
    inactive = accounts.filter(status__in=[AccountStatus.FINAL, AccountStatus.CLOSED]).count()
    assert 0.12 < inactive / 400 < 0.25  # about 1,000 of 5,400 are inactive in the real district
    for account in accounts:
        parse_account_number(account.number)  # every number carries a valid check digit
        assert account.search_text == account_search_text(account)
    assert (
        OpeningBalance.objects.filter(account__status__in=["final", "closed"]).count()
        == OpeningBalance.objects.count()
    )
    assert DistrictSettings.objects.get().phone == "(760) 366-8438"
    last = max(int(n[:7]) for n in accounts.values_list("number", flat=True))
    assert NumberSequence.objects.get(name="account_number").next_value == last + 1
    assert loader.check_sample() == []
    # What was seeded can be found.
    sample = accounts.filter(status="active").order_by("number")[3]
    assert selectors.account_search(sample.number)[0][1] == sample


def _build(accounts, seed, today):
    """(number, search text) of the converted accounts, and (number, customer) of those the replay starts."""
    from cistern.demo.generator import ACCOUNT_COLUMNS, DistrictGenerator

    number, text = ACCOUNT_COLUMNS.index("number"), ACCOUNT_COLUMNS.index("search_text")
    gen = DistrictGenerator(accounts=accounts, seed=seed, today=today, history_months=3)
    rows = [row for block in gen.blocks() for row in block.accounts]
    started = [(a.number, a.customer.name) for a in gen.history().move_ins]
    return [(row[number], row[text]) for row in rows], started


def test_the_same_seed_gives_the_same_district():
    today = date(2026, 11, 26)
    assert _build(300, 5, today) == _build(300, 5, today)
    assert _build(300, 5, today) != _build(300, 6, today)
    _seed("--accounts", "300", "--seed", "5", "--as-of", "2026-11-26", "--history-months", "3")
    converted, started = _build(300, 5, today)
    assert started  # move-ins after the conversion, numbered by the sequence in the order they started
    stored = dict(Account.objects.values_list("number", "search_text"))
    assert {n: stored[n] for n, _ in converted} == dict(converted)
    names = dict(Account.objects.values_list("number", "customer__name"))
    assert [(n, names[n]) for n, _ in started] == started
    assert len(stored) == len(converted) + len(started) == 300


def test_a_second_run_keeps_the_data():
    # The conversion alone (no history replayed): what is checked is that a second run writes nothing.
    _seed("--accounts", "100", "--seed", "5", "--history-months", "0")
    with pytest.raises(CommandError):
        _seed("--accounts", "100", "--seed", "5", "--history-months", "0")
    assert "left as it is" in _seed("--accounts", "100", "--seed", "9", "--if-empty")
    assert Account.objects.count() == 100
