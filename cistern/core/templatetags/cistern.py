from decimal import Decimal

from django import template

from cistern.core.money import format_money

register = template.Library()


@register.filter
def money(value):
    """$1,234.56 for a Decimal amount."""
    return "" if value is None else format_money(value)


@register.filter
def normalize(value):
    """A quantity without trailing zeros: 2.5 for 2.5000, 10 for 10.00."""
    return "" if value is None else format(Decimal(value).normalize(), "f")
