"""Billing's error: a message a clerk can act on."""


class BillingError(ValueError):
    pass
