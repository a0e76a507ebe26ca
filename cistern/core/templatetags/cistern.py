from django import template

from cistern.core.money import format_money

register = template.Library()


@register.filter
def money(value):
    """$1,234.56 for a Decimal amount."""
    return "" if value is None else format_money(value)
