"""The files of a conversion folder as CSV: header, encoding, row cap, the width of each row; and the problems
found, kept in a stable order. Pure: no ORM.

A row's line is its record number counting the header as line 1: the row number a spreadsheet shows.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .loadformat import FILES, MAX_LISTED, TRIAL_BALANCE_FILE, Problem

# Problems are listed by file (in the order of FILES), then line.
FILE_ORDER = {name: rank for rank, name in enumerate([*FILES, TRIAL_BALANCE_FILE])}
WHOLE_ROW = "-"  # the field of a problem that is not one cell's: a missing file, a row of the wrong width


class Listed:
    """Problems found: the first `keep` in file order then line (then as found), all of them counted. Holds at
    most a few times `keep` at once, so a folder with a million bad rows costs no memory."""

    def __init__(self, keep: int = MAX_LISTED):
        self.keep = keep
        self.count = 0
        self._items: list[tuple[int, int, int, Problem]] = []

    def add(self, file: str, line: int, field: str, message: str) -> None:
        self.count += 1
        self._items.append(
            (FILE_ORDER.get(file, len(FILE_ORDER)), line, self.count, Problem(file, line, field, message))
        )
        if len(self._items) >= 4 * self.keep + 100:
            self._trim()

    def _trim(self) -> None:
        self._items.sort()
        del self._items[self.keep :]

    def listed(self) -> list[Problem]:
        self._trim()
        return [item[3] for item in self._items]


@dataclass(frozen=True)
class Table:
    """A file whose header holds every column of its kind: where each column is in a row."""

    name: str
    path: Path
    positions: tuple[int, ...]  # per column of FILES[name] (or the trial balance's), its place in a row
    width: int  # values in the header: every row has as many


def undecodable_line(path: Path) -> int:
    """The first line of the file that is not UTF-8."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


NOT_UTF8 = "not UTF-8: save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"


def open_table(
    folder: Path, name: str, columns: tuple[str, ...], errors: Listed, warnings: Listed, ignored: dict
) -> Table | None:
    """The file's table when its header is usable; None when the file is absent (the caller says whether that
    is an error) or its header is not (an error listed here)."""
    path = folder / name
    if not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), None)
    except UnicodeDecodeError:
        errors.add(name, undecodable_line(path), WHOLE_ROW, NOT_UTF8)
        return None
    except csv.Error as error:
        errors.add(name, 1, WHOLE_ROW, f"not CSV: {error}")
        return None
    if not header:
        errors.add(name, 1, WHOLE_ROW, f"no header: the first line names the columns ({', '.join(columns)})")
        return None
    names = [value.strip() for value in header]
    usable = True
    for column in dict.fromkeys(names):
        if names.count(column) > 1 and column in columns:
            errors.add(name, 1, column, "column named twice in the header")
            usable = False
    for column in columns:
        if column not in names:
            errors.add(name, 1, column, "column missing from the header")
            usable = False
    extra = [column for column in names if column not in columns]
    if extra:
        ignored[name] = extra
        for column in extra:
            warnings.add(name, 1, column or WHOLE_ROW, f'extra column "{column}" ignored')
    if not usable:
        return None
    return Table(name, path, tuple(names.index(column) for column in columns), len(names))


def rows(table: Table, errors: Listed, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """The file's data rows as (line, values as in the file), each as wide as the header; blank lines
    skipped. A row of another width, and a file past `max_rows` rows, are errors listed here (the file's
    rows past the cap are not read)."""
    name, width = table.name, table.width
    line, count = 1, 0
    try:
        with open(table.path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            for row in reader:
                line += 1
                if not row:
                    continue
                count += 1
                if count > max_rows:
                    errors.add(name, 0, WHOLE_ROW, f"more than {max_rows:,} rows: over the cap, not read")
                    return
                if len(row) != width:
                    errors.add(name, line, WHOLE_ROW, f"{len(row)} values: the header has {width}")
                    continue
                yield line, row
    except UnicodeDecodeError:
        errors.add(name, undecodable_line(table.path), WHOLE_ROW, NOT_UTF8)
    except csv.Error as error:
        errors.add(name, line + 1, WHOLE_ROW, f"not CSV: {error}")


def plain_rows(folder: Path, name: str, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """A checked file's rows as (line, its columns' values stripped, in the order of `columns`)."""
    path = folder / name
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [value.strip() for value in next(reader)]
        positions = [header.index(column) for column in columns]
        line = 1
        for row in reader:
            line += 1
            if row:
                yield line, [row[p].strip() for p in positions]
