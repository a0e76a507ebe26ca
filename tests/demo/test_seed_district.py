from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cistern.customers.models import Account

pytestmark = pytest.mark.django_db


def _seed(*args):
    out = StringIO()
    call_command("seed_district", *args, stdout=out)
    return out.getvalue()


def test_a_second_run_keeps_the_data():
    # The conversion alone (no history replayed): what is checked is that a second run writes nothing.
    _seed("--accounts", "100", "--seed", "5", "--history-months", "0")
    with pytest.raises(CommandError):
        _seed("--accounts", "100", "--seed", "5", "--history-months", "0")
    assert "left as it is" in _seed("--accounts", "100", "--seed", "9", "--if-empty")
    assert Account.objects.count() == 100
