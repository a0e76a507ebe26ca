"""Letters' pages in the accessibility table (test_accessibility.py): the billing administrator's templates and
print batches, a clerk's letter, the lead's returned mail, a memo from the account page, and the forms library
(a clerk's and the billing administrator's, a new form, a form's new version). FACTS finds a
letter (the demo's returned checks write them) and a template; with no letter yet, the row opens the templates
list instead; with no form yet (the demo's forms come from correspondence/demo_forms.py), the upload row opens the
new-form page."""

from tests.browser.page_row import Page

PAGES = [
    Page("correspondence:template_list", "billing", "/letters/templates/"),
    Page("correspondence:template_detail", "billing", "/letters/templates/{letters_template}/"),
    Page("correspondence:template_version_new", "billing", "/letters/templates/{letters_template}/new/"),
    Page("correspondence:letter_detail", "css1", "/letters/{letters_letter_path}"),
    Page("correspondence:returned", "css2", "/letters/returned/"),
    Page("correspondence:print_batches", "billing", "/letters/print/"),
    Page("correspondence:print_batches", "css2", "/letters/print/"),
    Page("correspondence:adhoc_new", "css2", "/letters/account/{account}/new"),
    Page("correspondence:form_list", "css1", "/letters/forms/"),
    Page("correspondence:form_list", "billing", "/letters/forms/"),
    Page("correspondence:form_new", "billing", "/letters/forms/new"),
    Page("correspondence:form_upload", "billing", "/letters/{letters_form_upload_path}"),
]

NOT_PAGES = {
    "correspondence:letter_pdf": "a PDF",
    "correspondence:print_batch_pdf": "a PDF",
    "correspondence:form_blank": "a PDF",
    "correspondence:form_version_pdf": "a PDF",
}

FACTS = """
import json
from cistern.correspondence.models import Correspondence, FormDocument, LetterTemplate
letter = Correspondence.objects.order_by("-id").first()
blank = FormDocument.objects.order_by("id").first()
print(json.dumps({
    "letters_template": LetterTemplate.objects.get(code="shutoff_notice", language="en", channel="letter").pk,
    "letters_letter_path": f"{letter.pk}/" if letter else "templates/",
    "letters_form_upload_path": f"forms/{blank.pk}/upload" if blank else "forms/new",
}))
"""
