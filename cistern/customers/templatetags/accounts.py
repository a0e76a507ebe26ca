"""Template filters for accounts: the status a clerk sees is the account's status today (status.py)."""

from django import template

from cistern.core import clock

from .. import status

register = template.Library()


@register.filter
def status_today(account) -> str:
    """"Active", "Final"…: final on its stop date, not before (a stop recorded ahead reads "Active")."""
    return status.label(status.status_on(account.status, account.end_date, clock.today()))


@register.filter
def status_key_today(account) -> str:
    return status.status_on(account.status, account.end_date, clock.today())
