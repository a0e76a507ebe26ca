from datetime import date

import pytest

from cistern.billing.models import BillCycle
from cistern.core import roles

# Monday 12/07/2026: the week the tests work in.
MONDAY = date(2026, 12, 7)


@pytest.fixture
def lead(db, make_user):
    return make_user(roles.CSS_II, username="lead")


@pytest.fixture
def supervisor(db, make_user):
    return make_user(roles.SUPERVISOR, username="supervisor")


@pytest.fixture
def cycle(db):
    return BillCycle.objects.create(code="C01", name="Cycle 1 (Sage Ave)", read_day=3, bill_day=6)
