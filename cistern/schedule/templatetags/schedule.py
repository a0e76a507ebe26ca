from django import template

from ..forms import kind_labels

register = template.Library()
_LABELS = kind_labels()


@register.filter
def kind_label(kind: str) -> str:
    """The words for an event kind (derived or manual)."""
    return _LABELS.get(kind, kind)
