from django import forms


class ReviewForm(forms.Form):
    """Accept, reject or estimate an exception: the reviewer says what they checked."""

    reason = forms.CharField(
        max_length=200,
        error_messages={"required": "Say why (what you checked)."},
        widget=forms.TextInput(attrs={"placeholder": "What you checked", "autocomplete": "off"}),
    )
