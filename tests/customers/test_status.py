"""customers/status.py is pure (no Django) and speaks the stored status values."""

import subprocess
import sys
from pathlib import Path

from cistern.customers import status
from cistern.customers.models import AccountStatus


def test_the_plain_values_are_the_stored_ones():
    assert (AccountStatus.FINAL.value, AccountStatus.CLOSED.value) == status.STOPPED
    assert AccountStatus.ACTIVE.value == status.ACTIVE


def test_the_status_rule_loads_no_django():
    code = (
        "import sys; import cistern.customers.status; "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
