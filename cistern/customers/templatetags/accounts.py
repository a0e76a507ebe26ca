"""Template filters for accounts: the status a clerk sees is the account's status today (status.py)."""

from django import template

from cistern.core import clock

register = template.Library()


@register.filter
def status_today(account) -> str:
    """ "Active", "Final"…: final on its stop date, not before (a stop recorded ahead reads "Active")."""
    return account.status_label_on(clock.today())


@register.filter
def status_key_today(account) -> str:
    return account.status_on(clock.today())
