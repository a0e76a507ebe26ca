"""The billing tests' small district (rates, a route in cycle C01, metered accounts), for the ledger's tests
of final bills and GL roles."""

from tests.billing.conftest import biller, district, lead, metered_account, supervisor  # noqa: F401
