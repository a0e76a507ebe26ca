"""A letter on paper: the district's letterhead, the date, the address block where a #10 window envelope shows
it, the subject as its title, the body's paragraphs, and a footer with the account number; and a print batch
(a cover sheet with the count, then each letter from a new page, in the order given). Pure: plain values in,
PDF bytes out, no ORM.

fpdf2 with the core fonts (Helvetica), as the bill (billing/document.py) and the returned-payment letter: no font
files, Latin-1 text, which holds Spanish's accents. A character outside Latin-1 prints as "?" rather than
failing a batch.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.fonts import CORE_FONTS_CHARWIDTHS

MARGIN = 25.0
PAGE_W = 215.9
CONTENT_W = PAGE_W - 2 * MARGIN
LANGUAGES = ("en", "es")

TEXT = {
    "en": {"date": "Date", "account": "Account", "page": "Page"},
    "es": {"date": "Fecha", "account": "Cuenta", "page": "Página"},
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
}  # fmt: skip


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: str  # one line: "61750 Chollita Rd, Joshua Tree, CA 92252"
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Letter:
    letterhead: Letterhead
    letter_date: date
    recipient_name: str
    address_lines: tuple[str, ...]
    subject: str
    body: str  # paragraphs separated by a blank line; a single line break stays a line break
    account_number: str = ""
    language: str = "en"
    reference: str = ""  # the record's number, printed small in the footer (for returned mail)

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"Letter language must be one of {', '.join(LANGUAGES)}; got {self.language!r}.")


@dataclass(frozen=True)
class BatchCover:
    batch_id: int
    day: date
    district_name: str
    letter_count: int
    first_zip: str = ""
    last_zip: str = ""


def day_text(value: date, language: str) -> str:
    month = MONTHS[language][value.month - 1]
    return (
        f"{month} {value.day}, {value.year}"
        if language == "en"
        else f"{value.day} de {month} de {value.year}"
    )


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs: split at blank lines, each paragraph's own lines kept."""
    text = body.replace("\r\n", "\n").strip()
    found, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            found.append("\n".join(current))
            current = []
    if current:
        found.append("\n".join(current))
    return found


def wrap(text: str, fontkey: str, size_pt: float, width_mm: float) -> list[str]:
    """`text`'s lines, each as wide as fits in `width_mm` in the core font `fontkey` at `size_pt`, broken at
    spaces (a word wider than the line is broken where it must). Its own breaking, with the font's widths:
    fpdf2's multi_cell measures each character again per candidate line, most of a letter's time."""
    widths = CORE_FONTS_CHARWIDTHS[fontkey]
    limit = width_mm * 72 / 25.4 * 1000 / size_pt  # in the font's units (1/1000 of the size)
    space = widths[" "]
    lines = []
    for source in text.split("\n"):
        line, used = [], 0
        for word in source.split(" "):
            width = sum(widths.get(c, 600) for c in word)
            if line and used + space + width > limit:
                lines.append(" ".join(line))
                line, used = [], 0
            while width > limit:  # a word longer than a line
                cut, run = 0, 0
                while cut < len(word) and run + widths.get(word[cut], 600) <= limit:
                    run += widths.get(word[cut], 600)
                    cut += 1
                cut = max(cut, 1)
                lines.append(word[:cut])
                word = word[cut:]
                width = sum(widths.get(c, 600) for c in word)
            used = used + space + width if line else width
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _lines(pdf: FPDF, text: str, fontkey: str, size_pt: float, height: float) -> None:
    for line in wrap(_latin(text), fontkey, size_pt, CONTENT_W - 2 * pdf.c_margin):
        pdf.cell(CONTENT_W, height, line, new_x="LMARGIN", new_y="NEXT")


def _latin(value) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    """Pages with a footer that names the letter on them (set before each letter's first page)."""

    footer_text = ""

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(CONTENT_W, 4, _latin(self.footer_text), align="C")
        self.set_text_color(0, 0, 0)


def _document(compress: bool, title: str, day: date) -> _Document:
    pdf = _Document(orientation="P", unit="mm", format="Letter")
    pdf.set_compression(compress)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(_latin(title))
    # A fixed creation date: the same letter renders to the same bytes.
    pdf.set_creation_date(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return pdf


def _footer(letter: Letter) -> str:
    t = TEXT[letter.language]
    parts = [letter.letterhead.name]
    if letter.account_number:
        parts.append(f"{t['account']} {letter.account_number}")
    if letter.reference:
        parts.append(letter.reference)
    return " · ".join(parts)


def _write_letter(pdf: _Document, letter: Letter) -> None:
    t = TEXT[letter.language]
    head = letter.letterhead
    pdf.footer_text = _footer(letter)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(CONTENT_W, 7, _latin(head.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    for line in (head.address, "   ".join(p for p in (head.phone, head.email) if p)):
        if line.strip():
            pdf.cell(CONTENT_W, 4.5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    # The address block sits where a #10 window envelope shows it (about 2 in. from the top).
    pdf.set_y(max(pdf.get_y() + 10, 50.0))
    pdf.set_font("Helvetica", "", 11)
    for line in (letter.recipient_name, *letter.address_lines):
        pdf.cell(CONTENT_W, 5.5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(CONTENT_W, 5, _latin(f"{t['date']}: {day_text(letter.letter_date, letter.language)}"),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    if letter.account_number:
        pdf.cell(
            CONTENT_W, 5, _latin(f"{t['account']}: {letter.account_number}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(5)
    pdf.set_font("Helvetica", "B", 13)
    _lines(pdf, letter.subject, "helveticaB", 13, 7)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs(letter.body):
        _lines(pdf, paragraph, "helvetica", 11, 5.5)
        pdf.ln(3)


def render_letter(letter: Letter, *, compress: bool = True) -> bytes:
    """One letter as a PDF. `compress=False` leaves the page text readable in the bytes (for tests)."""
    pdf = _document(compress, letter.subject, letter.letter_date)
    pdf.set_lang(letter.language)
    _write_letter(pdf, letter)
    return bytes(pdf.output())


def render_batch(cover: BatchCover, letters: Sequence[Letter], *, compress: bool = True) -> bytes:
    """A print batch: the cover sheet (how many letters, the ZIP range), then each letter from a new page, in
    the order given (the caller's mailing order)."""
    pdf = _document(compress, f"Print batch {cover.batch_id} {cover.day:%m/%d/%Y}", cover.day)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(CONTENT_W, 10, _latin(cover.district_name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(CONTENT_W, 8, _latin(f"Print batch {cover.batch_id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    lines = [f"Day: {cover.day:%m/%d/%Y}", f"Letters: {cover.letter_count}"]
    if cover.first_zip or cover.last_zip:
        lines.append(f"Mailing order: ZIP {cover.first_zip} to {cover.last_zip}")
    lines.append("Each letter starts on a new page; fold for a #10 window envelope.")
    for line in lines:
        pdf.cell(CONTENT_W, 7, _latin(line), new_x="LMARGIN", new_y="NEXT")
    for letter in letters:
        _write_letter(pdf, letter)
    return bytes(pdf.output())
