"""Letters' pages in the accessibility table (test_accessibility.py): the billing administrator's templates and
print batches, a clerk's letter, the lead's returned mail and a memo from the account page. FACTS finds a
letter (the demo's returned checks write them) and a template; with no letter yet, the row opens the templates
list instead."""

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
]

NOT_PAGES = {
    "correspondence:letter_pdf": "a PDF",
    "correspondence:print_batch_pdf": "a PDF",
}

FACTS = """
import json
from cistern.correspondence.models import Correspondence, LetterTemplate
letter = Correspondence.objects.order_by("-id").first()
print(json.dumps({
    "letters_template": LetterTemplate.objects.get(code="shutoff_notice", language="en", channel="letter").pk,
    "letters_letter_path": f"{letter.pk}/" if letter else "templates/",
}))
"""
