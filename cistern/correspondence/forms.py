from django import forms

from .form_library import pdf_problem
from .models import Channel, TemplateLanguage

DATE = forms.DateInput(attrs={"type": "date"})


class TemplateVersionForm(forms.Form):
    subject = forms.CharField(max_length=200, label="Subject")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 22, "cols": 90, "spellcheck": "true"}),
        max_length=20000,
        label="Body",
    )
    note = forms.CharField(max_length=200, required=False, label="What changed and why")
    account_number = forms.CharField(
        max_length=12, required=False, label="Preview with account (blank: sample values)"
    )


class AdhocForm(forms.Form):
    template = forms.ChoiceField(label="Template")
    channel = forms.ChoiceField(
        choices=[(Channel.LETTER, "Letter (printed and mailed)"), (Channel.EMAIL, "E-mail")], label="Send as"
    )
    language = forms.ChoiceField(choices=TemplateLanguage.choices, label="Language")
    subject = forms.CharField(max_length=150, required=False, label="Subject (blank: the template's)")
    paragraph = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), max_length=5000, required=False,
        label="Your paragraph",
    )  # fmt: skip
    key = forms.CharField(widget=forms.HiddenInput, max_length=60)

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = list(codes)


class ReturnedForm(forms.Form):
    returned_on = forms.DateField(widget=DATE, label="Came back on")
    reason = forms.CharField(max_length=200, label="Reason (as the post office marked it)")


class ResolveForm(forms.Form):
    note = forms.CharField(max_length=300, label="What was done")


class PrintBatchForm(forms.Form):
    day = forms.DateField(widget=DATE, label="Letters issued up to")


class FormDocumentForm(forms.Form):
    title = forms.CharField(max_length=120, label="Title (as printed on the form)")
    code = forms.SlugField(
        max_length=40, label="Code (letters, digits, - and _; the same for each language)",
        help_text="e.g. start-service",
    )  # fmt: skip
    language = forms.ChoiceField(choices=TemplateLanguage.choices, label="Language")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=2000, required=False,
        label="What it is for (shown in the library)",
    )  # fmt: skip


class FormVersionForm(forms.Form):
    file = forms.FileField(
        label="PDF file (at most 10 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    note = forms.CharField(max_length=200, required=False, label="What changed (e.g. new fee, 2027 rates)")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        problem = pdf_problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload
