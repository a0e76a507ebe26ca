"""What correspondence adds to other apps' pages: the account page's "Letters" panel and the home page's
returned-mail queue (core/panels.py, core/queues.py), and the shipped templates after a migrate."""

from cistern.core import panels, queues

from . import selectors


def _letters(account, request):
    return {"letters": list(selectors.account_correspondence(account))}


letters_panel = panels.AccountPanel(
    key="letters", title="Letters and e-mails", template="correspondence/_letters_panel.html",
    permission="correspondence.view_correspondence", context=_letters,
)  # fmt: skip


returned_mail_queue = queues.WorkQueue(
    key="returned_mail", title="Returned mail", permission="correspondence.resolve_returned",
    count=lambda user: selectors.returned_waiting().count(), url_name="correspondence:returned",
    hint="Letters the post office sent back: find a better address or call the customer.",
)  # fmt: skip


def seed_after_migrate(sender, **kwargs):
    from django.db import connections

    from . import seed
    from .models import LetterTemplate, TemplateVersion

    connection = connections[kwargs.get("using", "default")]
    if TemplateVersion._meta.db_table in connection.introspection.table_names():
        seed.install(LetterTemplate, TemplateVersion)
