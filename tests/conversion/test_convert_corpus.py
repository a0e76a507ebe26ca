"""Every broken folder of the corpus is refused by `manage.py convert`: its first error printed first, the
count last, exit status 1, nothing converted and the refused run kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cistern.conversion.models import ConversionOutcome, ConversionRun
from cistern.core import roles
from cistern.customers.models import Account, Customer
from cistern.ledger.models import JournalEntry
from cistern.metering.models import Read
from tests.conversion.broken_corpus import AS_OF, CASES, build


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_broken_folder_is_refused(case, db, make_user, tmp_path):
    admin = make_user(roles.BILLING_ADMIN, "conversion-admin")
    folder = build(case, tmp_path)
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "convert", str(folder), "--as-of", AS_OF.isoformat(), "--user", admin.username, stdout=out
        )
    assert refused.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{case.expect}: "), lines[0]
    assert case.fragment in lines[0]
    run = ConversionRun.objects.get()
    assert run.outcome == ConversionOutcome.REFUSED
    assert lines[-1] == f"{run.error_count:,} error{'s' if run.error_count != 1 else ''}"
    assert run.errors[0] == lines[0]
    assert not Account.objects.exists() and not Customer.objects.exists()
    assert not Read.objects.exists() and not JournalEntry.objects.exists()
