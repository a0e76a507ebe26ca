"""The conversion page's form: the conversion folder as a ZIP, the as-of date, dry run, and the legacy trial
balance's figures as the district reads them off its old system's report (each optional).

`extract_folder` unpacks the ZIP's CSV files into a folder of our own: the files at the ZIP's root or in one
folder inside it (as Windows' "Send to compressed folder" makes it). A member whose path would land outside the
folder (`../x.csv`, an absolute path: "zip slip") refuses the whole upload; the other members (a README, a
spreadsheet, files in folders further down) are ignored and listed. The CSVs' declared sizes together are capped
(settings.CISTERN_XLSX_MAX_INFLATED, the cap a workbook's parts have) before a byte is inflated, and every byte
written is counted too, so a member that lies about its size stops at the cap.
"""

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS

from .checks_values import INT_MAX, MONEY_WHOLE_DIGITS
from .loadformat import TRIAL_BALANCE_FIGURES
from .reader import COUNT_FIGURES  # figures that count (accounts, meters) rather than sum money

# What a Mac's "Compress" adds beside the folder: not the district's files.
_MAC_LITTER = ("__MACOSX/",)
_CHUNK = 1024 * 1024


class FolderRefused(Exception):
    """The ZIP cannot be converted as it is; the message says why, for the clerk."""


@dataclass(frozen=True)
class Extracted:
    files: list[str]  # the CSVs written into the folder, by name
    ignored: list[str]  # the ZIP's members left out, as the ZIP names them


def _unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def extract_folder(source, folder: Path, *, max_inflated: int) -> Extracted:
    """The ZIP `source` (a path or a file object) unpacked into `folder` (which exists and is empty)."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FolderRefused(
            "The file is not a ZIP file. Zip the conversion folder and upload the ZIP."
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in archive.infolist():
            if _unsafe(member.filename):
                raise FolderRefused(
                    f"{member.filename[:200]!r} would unpack outside the folder; the ZIP is refused. "
                    "Zip the conversion folder itself."
                )
        ignored = [m.filename for m in members if m.filename.startswith(_MAC_LITTER)]
        members = [m for m in members if not m.filename.startswith(_MAC_LITTER)]
        tops = {PurePosixPath(m.filename).parts[0] for m in members}
        # One folder inside and nothing beside it: the files are in that folder.
        prefix = ()
        if len(tops) == 1 and all(len(PurePosixPath(m.filename).parts) > 1 for m in members):
            prefix = (tops.pop(),)
        chosen = []
        for member in members:
            parts = PurePosixPath(member.filename).parts
            inside = parts[len(prefix) :] if parts[: len(prefix)] == prefix else parts
            if len(inside) != 1 or parts[: len(prefix)] != prefix or not inside[0].lower().endswith(".csv"):
                ignored.append(member.filename)
                continue
            chosen.append((member, inside[0]))
        if not chosen:
            raise FolderRefused("The ZIP holds no CSV files at its root or in one folder inside it.")
        names = [name.lower() for _, name in chosen]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise FolderRefused(f"The ZIP holds {', '.join(twice)} more than once.")
        declared = sum(member.file_size for member, _ in chosen)
        if declared > max_inflated:
            raise FolderRefused(_too_big(declared, max_inflated))
        written = 0
        for member, name in chosen:
            with archive.open(member) as data, open(folder / name, "wb") as out:
                while chunk := data.read(_CHUNK):
                    written += len(chunk)
                    if written > max_inflated:
                        raise FolderRefused(_too_big(written, max_inflated))
                    out.write(chunk)
    return Extracted(files=sorted(name for _, name in chosen), ignored=sorted(ignored))


def _too_big(size: int, limit: int) -> str:
    return (
        f"The ZIP's files unpack to {size / 2**20:,.1f} MB or more; up to {limit / 2**20:,.0f} MB are read. "
        "Ask for the files in a smaller conversion folder."
    )


def figure_field(figure: str) -> str:
    """The form field of a trial balance figure."""
    return f"legacy_{figure}"


class ConversionForm(forms.Form):
    folder = forms.FileField(
        label="Conversion folder (ZIP)",
        help_text="The folder of CSV files, zipped: the files at the ZIP's root or in one folder inside it.",
    )
    as_of = forms.DateField(
        label="As of",
        help_text="The day the balances are as of (YYYY-MM-DD): the old system's last posted day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    dry_run = forms.BooleanField(
        label="Dry run: check and reconcile, write nothing", required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for figure, label in TRIAL_BALANCE_FIGURES.items():
            if figure in COUNT_FIGURES:
                field = forms.IntegerField(label=label, required=False, min_value=0, max_value=INT_MAX)
            else:  # as the trial balance file's amounts are read (reader.py)
                field = forms.DecimalField(
                    label=label, required=False, max_digits=MONEY_WHOLE_DIGITS + 2, decimal_places=2
                )
            field.widget.attrs["inputmode"] = "decimal"
            self.fields[figure_field(figure)] = field

    def figure_fields(self):
        return [self[figure_field(figure)] for figure in TRIAL_BALANCE_FIGURES]

    def clean_folder(self):
        """The upload cap (settings.CISTERN_UPLOAD_MAX_BYTES): the middleware refuses a body far past it."""
        upload = self.cleaned_data["folder"]
        limit = settings.CISTERN_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read."
            )
        return upload

    def legacy_totals(self) -> dict[str, Decimal]:
        """The figures typed in (the blank ones left out), by figure."""
        totals = {}
        for figure in TRIAL_BALANCE_FIGURES:
            value = self.cleaned_data.get(figure_field(figure))
            if value is not None:
                totals[figure] = Decimal(value)
        return totals

    def problems(self) -> list[str]:
        """Every error as `field: message`, naming the field as the form posts it."""
        found = list(self.non_field_errors())
        for name, errors in self.errors.items():
            if name != NON_FIELD_ERRORS:
                found += [f"{name}: {message}" for message in errors]
        return found
