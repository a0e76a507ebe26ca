"""The parallel-bills form: the previous system's bills.csv (alone, or in its conversion folder's ZIP), the
period end to compare and, optionally, one cycle. `bills_lines` opens the upload as text lines for
parallel.read_bills, or says why it cannot, naming the field."""

import io
import zipfile
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS

from .parallel import BILLS_FILE


class BillsRefused(Exception):
    """The upload holds no readable bills.csv; the message says why, for the clerk."""


class ParallelForm(forms.Form):
    bills = forms.FileField(
        label="Previous system's bills (bills.csv or the folder's ZIP)",
        help_text="bills.csv as the conversion load format describes it, alone or in a ZIP of the folder.",
    )
    period_end = forms.DateField(
        label="Period end",
        help_text="The cycle's read date (YYYY-MM-DD): the bills whose period_end it is are compared.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cycle = forms.CharField(
        label="Cycle (optional)", max_length=12, required=False,
        help_text="A cycle code, e.g. C01. Blank: every cycle the bills' accounts are in.",
    )  # fmt: skip

    def clean_bills(self):
        """The upload cap (settings.CISTERN_UPLOAD_MAX_BYTES)."""
        upload = self.cleaned_data["bills"]
        limit = settings.CISTERN_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read."
            )
        return upload

    def clean_cycle(self):
        return self.cleaned_data["cycle"].strip().upper()

    def problems(self) -> list[str]:
        """Every error as `field: message`, naming the field as the form posts it."""
        found = list(self.non_field_errors())
        for name, errors in self.errors.items():
            if name != NON_FIELD_ERRORS:
                found += [f"{name}: {message}" for message in errors]
        return found


def bills_lines(upload, *, max_inflated: int) -> io.StringIO:
    """The text lines of the upload's bills.csv: the file itself, or the one member of a ZIP named bills.csv
    (at its root or in one folder inside it). Read in memory, never unpacked to disk; the member's size is
    capped at `max_inflated` before it is inflated and while it is."""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(upload)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise BillsRefused("The ZIP cannot be read.") from None
        with archive:
            found = [
                m for m in archive.infolist()
                if not m.is_dir() and PurePosixPath(m.filename).name.lower() == BILLS_FILE
                and len(PurePosixPath(m.filename).parts) <= 2 and not m.filename.startswith("__MACOSX/")
            ]  # fmt: skip
            if len(found) != 1:
                raise BillsRefused(
                    f"The ZIP holds {'no' if not found else 'more than one'} {BILLS_FILE} at its root or in one "
                    "folder inside it."
                )
            if found[0].file_size > max_inflated:
                raise BillsRefused(f"{BILLS_FILE} unpacks to more than {max_inflated / 2**20:,.0f} MB.")
            with archive.open(found[0]) as member:
                data = member.read(max_inflated + 1)
            if len(data) > max_inflated:
                raise BillsRefused(f"{BILLS_FILE} unpacks to more than {max_inflated / 2**20:,.0f} MB.")
    else:
        data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BillsRefused(f"{BILLS_FILE} is not UTF-8 text.") from None
    return io.StringIO(text, newline="")
