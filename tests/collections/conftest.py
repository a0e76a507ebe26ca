"""Collections tests' district: active accounts (service started and turned on) and a billing admin who runs
collections, with the demo's fee catalog (its late penalty)."""

from datetime import date

import pytest

from cistern.core import roles
from cistern.customers import services as customers
from cistern.demo.rates import load_rates


@pytest.fixture
def active(start_account, css2):
    """Start service and turn the water on (as the turn-on order's completion does)."""

    def start(**kwargs):
        account = start_account(**kwargs)
        return customers.account_activate(
            actor=css2, account=account, on=date(2026, 8, 3), reason="Turned on"
        )

    return start


@pytest.fixture
def biller(make_user):
    load_rates()
    return make_user(roles.BILLING_ADMIN, username="collections_biller")
