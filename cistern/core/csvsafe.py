"""CSV files a spreadsheet can open without running anything in them (CSV or formula injection).

Every CSV the project writes goes through `writer()`: a text cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return is one Excel, LibreOffice or Google Sheets would read as a formula (`=HYPERLINK(...)` in a
customer's name, a mailing line or a GL account's name), so it gets a leading apostrophe, as OWASP's CSV
injection guidance says: the spreadsheet shows the text, it runs nothing.

Numbers are left as numbers, so the files still import into the district's accounting software and the print
vendor's system: a Decimal, int or float cell is written as it is (a negative amount of money stays -12.50),
and so is a text cell that is a plain decimal number and nothing else (`-12.50`, `+3`, `0.00`), which no
spreadsheet reads as a formula. A negative zero is written as 0 ("-0.00" is nowhere). Everything else that
starts with a trigger character is neutralised, whatever follows it (`-1+2`, `-2+3+cmd|' /C calc'!A0`).
"""

import csv
import re
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")


def cell(value):
    """The value as the CSV should hold it: numbers as they are (negative zero as zero), text neutralised."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int | float):
        return abs(value) if value == 0 else value
    text = str(value)
    if text.startswith(TRIGGERS):
        if _PLAIN_NUMBER.match(text):
            return text.lstrip("-+") if Decimal(text) == 0 else text
        return "'" + text
    return text


def row(values) -> list:
    return [cell(v) for v in values]


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell passed through cell()."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, values):
        return self._writer.writerow(row(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)


def writer(out, **kwargs) -> SafeWriter:
    """A csv.writer over `out` whose cells cannot run as formulas (see the module's docstring)."""
    return SafeWriter(out, **kwargs)
