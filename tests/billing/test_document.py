"""The printed bill. No PDF reader is installed, so bills render uncompressed and the tests look for the
literal text in the page content (fpdf2 writes each core-font string as "(text) Tj", in Latin-1)."""

import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cistern.billing.document import (
    BillDocument,
    DocumentError,
    DocumentLine,
    DocumentMeter,
    render_many,
    render_pdf,
)

ROOT = Path(__file__).resolve().parents[2]


def months(last: date, count: int = 13) -> list[date]:
    """The 15th of `count` months ending with `last`'s month, oldest first."""
    days, year, month = [], last.year, last.month
    for _ in range(count):
        days.append(date(year, month, 15))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return days[::-1]


def make_doc(**changes) -> BillDocument:
    units = [9, 11, 10, 12, 14, 17, 20, 22, 21, 16, 13, 12, 18]
    usage = tuple(zip(months(date(2025, 11, 15)), map(Decimal, units), strict=True))
    doc = BillDocument(
        district_name="High Desert Water District",
        district_address="55439 29 Palms Highway\nYucca Valley, CA 92284",
        district_phone="(760) 228-6266",
        district_email="billing@hdwd.example",
        pay_channels=(("office", "55439 29 Palms Hwy"), ("mail", "")),
        bill_number=123456,
        kind="regular",
        account_number="10000015",
        customer_name="Dana Whitfield",
        mailing_lines=("PO Box 1234", "Joshua Tree, CA 92252"),
        service_address="61750 Chollita Rd",
        period_start=date(2025, 10, 16),
        period_end=date(2025, 11, 15),
        bill_date=date(2025, 11, 18),
        due_date=date(2025, 12, 8),
        meters=(
            DocumentMeter(
                serial="M0012345",
                size="3/4",
                from_date=date(2025, 10, 16),
                from_value=Decimal(1200),
                to_date=date(2025, 11, 15),
                to_value=Decimal(1218),
                units=Decimal(18),
                estimated=True,
            ),
        ),  # fmt: skip
        lines=(
            DocumentLine('Basic fee 3/4"', 'monthly basic fee 3/4": $38.91', Decimal("38.91")),
            DocumentLine("Tier 1: units 1-5", "units 1-5: 5 x $8.00", Decimal("40.00")),
            DocumentLine("Tier 2: units 6-10", "units 6-10: 5 x $9.65", Decimal("48.25")),
            DocumentLine("Tier 3: units 11 and up", "units 11 and up: 8 x $3.655", Decimal("29.24")),
        ),
        previous_amount_due=Decimal("1402.17"),
        payments_and_adjustments=Decimal("-1402.17"),
        current_charges=Decimal("156.40"),
        deposit_applied=Decimal("0.00"),
        refund=Decimal("0.00"),
        amount_due=Decimal("156.40"),
        usage=usage,
    )
    return replace(doc, **changes)


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_regular_english_bill():
    pdf = render_pdf(make_doc(), compress=False)
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 1
    for text in [
        "High Desert Water District", "55439 29 Palms Highway", "Yucca Valley, CA 92284",
        "Phone: \\(760\\) 228-6266", "billing@hdwd.example",  # parentheses are escaped in a PDF string
        "(Bill)", "Bill no. 123456", "10000015", "Dana Whitfield", "PO Box 1234", "61750 Chollita Rd",
        "Oct 16, 2025 - Nov 15, 2025", "Nov 18, 2025", "Dec 8, 2025",
        "M0012345", '3/4"', "1,200", "1,218 E", "E = estimated read", "Units \\(HCF\\)",
        "Tier 2: units 6-10", "units 6-10: 5 x $9.65", "$48.25", "units 11 and up: 8 x $3.655", "$29.24",
        "Previous amount due", "$1,402.17", "Payments and adjustments since", "-$1,402.17",
        "Current charges", "TOTAL DUE", "$156.40", "Please pay by Dec 8, 2025",
        "Usage history \\(HCF\\)", "(Nov 24)", "(Nov 25)", "(22)",
        "A late penalty of the greater of", "How to pay: at our office, 55439 29 Palms Hwy; or by mail", "with the stub below.",
        "Please return this portion with your payment", "Amount enclosed", "Remit to:",
        "(10000015 0000015640 3)",
    ]:  # fmt: skip
        assert text.encode("latin-1") in pdf, text
    for absent in [
        b"FINAL BILL",
        b"REBILL",
        b"Deposit applied",
        b"Refund",
        b"Factura",
        b"online",
        b"by phone",
    ]:
        assert absent not in pdf
    assert b"/Courier" in pdf  # the scanline's monospace face


def test_compressed_by_default_and_deterministic():
    doc = make_doc()
    compressed = render_pdf(doc)
    assert compressed.startswith(b"%PDF")
    assert b"TOTAL DUE" not in compressed
    assert len(compressed) < len(render_pdf(doc, compress=False))
    assert render_pdf(doc) == compressed  # a re-print is the same file


def test_spanish_bill():
    doc = make_doc(
        language="es",
        customer_name="María Peña",
        messages=("Cada gota cuenta: revise si hay fugas.",),
    )
    pdf = render_pdf(doc, compress=False)
    for text in [
        "(Factura)", "Factura núm. 123456", "Número de cuenta", "María Peña", "Dirección de servicio",
        "16 oct 2025 - 15 nov 2025", "Fecha de vencimiento", "8 dic 2025",
        "Lectura actual", "1,218 E", "E = lectura estimada", "Saldo anterior", "Cargos actuales",
        "TOTAL A PAGAR", "$156.40", "Historial de consumo", "(Dic 24)", "(Nov 25)",
        "Se cobra un recargo por pago tardío",
        "Cómo pagar: en nuestra oficina, 55439 29 Palms Hwy; o por", "correo con el talón de abajo.",
        "Cada gota cuenta: revise si hay fugas.", "Por favor devuelva esta parte con su pago",
        "Monto incluido", "(10000015 0000015640 3)",
    ]:  # fmt: skip
        assert text.encode("latin-1") in pdf, text
    for english in [b"TOTAL DUE", b"(Bill)", b"estimated read", b"A late penalty", b"Dec 24"]:
        assert english not in pdf


def test_final_bill_with_deposit_applied_and_refund():
    doc = make_doc(
        kind="final",
        previous_amount_due=Decimal("0.00"),
        payments_and_adjustments=Decimal("0.00"),
        current_charges=Decimal("62.35"),
        deposit_applied=Decimal("150.00"),
        refund=Decimal("87.65"),
        amount_due=Decimal("0.00"),
    )
    pdf = render_pdf(doc, compress=False)
    for text in [
        "FINAL BILL", "This is the final bill for service at this address.",
        "Deposit applied", "-$150.00", "Your deposit of $150.00 has been applied",
        "(Refund)", "$87.65", "A refund of $87.65 will be mailed",
        "TOTAL DUE", "$0.00", "(10000015 0000000000 7)",
    ]:  # fmt: skip
        assert text.encode("latin-1") in pdf, text


def test_rebill_and_credit_balance():
    pdf = render_pdf(make_doc(kind="rebill", amount_due=Decimal("-12.00")), compress=False)
    for text in [b"REBILL", b"replaces an earlier bill", b"-$12.00", b"credit balance", b"0000000000"]:
        assert text in pdf, text


def test_a_long_bill_runs_on_and_keeps_one_stub():
    lines = tuple(
        DocumentLine(f"Fire line charge {n}", f"monthly fee: 1 x ${n}.00", Decimal(n)) for n in range(1, 61)
    )
    pdf = render_pdf(make_doc(lines=lines), compress=False)
    assert pages(pdf) >= 2
    assert b"\\(continued\\)" in pdf  # parentheses are escaped in a PDF string
    assert b"Fire line charge 60" in pdf and b"$60.00" in pdf
    assert pdf.count(b"Please return this portion with your payment") == 1


def test_overlong_text_is_shortened_not_overprinted():
    line = DocumentLine(
        "A description far too long for its column " * 3, "and an explanation " * 10, Decimal(1)
    )
    pdf = render_pdf(make_doc(lines=(line,)), compress=False)
    assert b"(A description far too long for its column A d...)" in pdf


def test_without_meters_or_history():
    pdf = render_pdf(make_doc(meters=(), usage=()), compress=False)
    assert b"No metered service this period." in pdf
    assert b"No usage history yet." in pdf
    assert b"estimated read" not in pdf


def test_characters_outside_latin1_print_as_question_marks():
    pdf = render_pdf(make_doc(customer_name="Zoë Nguyễn – Trust"), compress=False)
    assert "Zoë Nguy?n ? Trust".encode("latin-1") in pdf


def test_render_many_one_bill_after_another():
    docs = [
        make_doc(),
        make_doc(bill_number=123457, account_number="10001236", language="es", amount_due=Decimal("1234.56")),
        make_doc(bill_number=123458, kind="final", deposit_applied=Decimal("150.00")),
    ]
    pdf = render_many(docs, compress=False)
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 3
    assert b"(10000015 0000015640 3)" in pdf and b"(10001236 0000123456 4)" in pdf
    assert b"Factura n\xfam. 123457" in pdf and b"FINAL BILL" in pdf
    long_bill = make_doc(lines=make_doc().lines * 20)
    assert pages(render_many(iter([long_bill, *docs]), compress=False)) == pages(render_pdf(long_bill)) + 3


def test_render_many_needs_a_bill():
    with pytest.raises(DocumentError, match="no bills"):
        render_many([])


@pytest.mark.parametrize(("field", "value"), [("kind", "interim"), ("language", "fr")])
def test_unknown_kind_or_language_is_refused(field, value):
    with pytest.raises(DocumentError, match=field.replace("kind", "kind must")):
        make_doc(**{field: value})


def test_pure_modules_load_no_django():
    code = (
        "import sys; import cistern.billing.document, cistern.billing.scanline, cistern.billing.line_text; "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_a_spanish_bill_prints_its_charge_lines_in_spanish():
    """Seen: the Spanish PDF printed its charge lines in English."""
    doc = make_doc(language="es")
    pdf = render_pdf(
        replace(doc, lines=tuple(replace(ln, meter="M0012345") for ln in doc.lines)), compress=False
    )
    for text in ['Cargo básico 3/4"', 'cargo básico mensual 3/4": $38.91', "Nivel 2: unidades 6-10",
                 "unidades 6-10: 5 x $9.65", "Medidor M0012345"]:  # fmt: skip
        assert text.encode("latin-1") in pdf, text
    for english in [b"Tier 2", b"Basic fee", b"monthly basic fee", b"units 6-10", b"(Meter"]:
        assert english not in pdf


def test_no_empty_email_label_when_the_district_has_no_email():
    """Seen: the bill printed "Email:" with nothing after it."""
    pdf = render_pdf(make_doc(district_email=""), compress=False)
    assert b"Email" not in pdf
    assert b"Phone: \\(760\\) 228-6266" in pdf
    both = render_pdf(make_doc(district_email="billing@hdwd.example"), compress=False)
    assert b"Email: billing@hdwd.example" in both


def test_charge_lines_are_grouped_by_meter_with_a_total_each():
    """Seen: a premise with two meters printed one list of charges, with no way to tell whose each was."""
    irrigation = DocumentMeter(
        serial="IR000777", size="1", from_date=date(2025, 10, 16), from_value=Decimal(50),
        to_date=date(2025, 11, 15), to_value=Decimal(60), units=Decimal(10), estimated=False,
    )  # fmt: skip
    doc = make_doc()
    lines = (
        DocumentLine('Basic fee 1"', 'monthly basic fee 1": $60.00', Decimal("60.00"), meter="IR000777"),
        *(replace(line, meter="M0012345") for line in doc.lines),
        DocumentLine("Tier 1: units 1-5", "units 1-5: 5 x $8.00", Decimal("40.00"), meter="IR000777"),
    )
    pdf = render_pdf(replace(doc, meters=(*doc.meters, irrigation), lines=lines), compress=False).decode(
        "latin-1"
    )
    first, second = pdf.index("(Meter M0012345)"), pdf.index("(Meter IR000777)")
    assert first < pdf.index("(Tier 2: units 6-10)") < pdf.index("(Meter M0012345 total)") < second
    assert second < pdf.index('(Basic fee 1"') < pdf.index("(Meter IR000777 total)")
    assert "($156.40)" in pdf and "($100.00)" in pdf  # each meter's total
    # A bill of one meter names it once and needs no subtotal.
    single = render_pdf(replace(doc, lines=lines[1:-1]), compress=False)
    assert b"(Meter M0012345)" in single and b"total)" not in single


def test_how_to_pay_names_only_the_channels_turned_on():
    from cistern.billing.document import TEXT, how_to_pay

    assert how_to_pay((), TEXT["en"]) == ""
    assert how_to_pay((("mail", ""),), TEXT["en"]) == "How to pay: by mail with the stub below."
    assert how_to_pay((("online", "https://pay.example"), ("phone", "(760) 555-0100")), TEXT["en"]) == (
        "How to pay: online at https://pay.example; or by phone at (760) 555-0100."
    )
    pdf = render_pdf(make_doc(pay_channels=()), compress=False)
    assert b"How to pay" not in pdf
