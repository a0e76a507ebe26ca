"""The demo district's forms library: a start-service application and a payment arrangement request, in English
and Spanish, each a one-page blank PDF drawn here (fpdf2, core fonts, as letter_pdf.py) and uploaded through the
library's services, so the counter's "Print blank" has something to print. A district uploads its own forms."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from fpdf import FPDF

from . import form_library
from .models import FormDocument, FormVersion


@dataclass(frozen=True)
class BlankForm:
    code: str
    language: str
    title: str
    description: str
    intro: str
    fields: tuple[str, ...]
    signature: str


DEMO_FORMS = (
    BlankForm(
        "start-service", "en", "Start service application",
        "For a new customer starting water service at an address (owner or tenant).",
        "Please print clearly. Bring a photo ID; a deposit may be required.",
        ("Name", "Service address", "Mailing address (if different)", "Phone", "E-mail", "Start date",
         "Owner or tenant", "Property owner's name and phone (tenants)"),
        "Signature and date",
    ),
    BlankForm(
        "start-service", "es", "Solicitud de inicio de servicio",
        "Para un cliente nuevo que inicia el servicio de agua en una dirección (propietario o inquilino).",
        "Escriba con letra clara. Traiga una identificación con foto; puede requerirse un depósito.",
        ("Nombre", "Dirección del servicio", "Dirección postal (si es diferente)", "Teléfono", "Correo electrónico",
         "Fecha de inicio", "Propietario o inquilino", "Nombre y teléfono del propietario (inquilinos)"),
        "Firma y fecha",
    ),
    BlankForm(
        "payment-arrangement", "en", "Payment arrangement request",
        "For a customer who cannot pay a past-due balance at once: pay it over time with the current bills.",
        "Tell us how you would like to pay the past-due balance. A lead reviews the request.",
        ("Name", "Account number", "Service address", "Phone", "Amount past due", "Payment you propose",
         "Paid every (two weeks, month)", "Reason for the request"),
        "Signature and date",
    ),
    BlankForm(
        "payment-arrangement", "es", "Solicitud de arreglo de pago",
        "Para un cliente que no puede pagar un saldo vencido de una vez: pagarlo a plazos con las facturas.",
        "Díganos cómo desea pagar el saldo vencido. Un supervisor revisa la solicitud.",
        ("Nombre", "Número de cuenta", "Dirección del servicio", "Teléfono", "Saldo vencido", "Pago que propone",
         "Pagado cada (dos semanas, mes)", "Motivo de la solicitud"),
        "Firma y fecha",
    ),
)  # fmt: skip


def render_blank(form: BlankForm, district_name: str = "") -> bytes:
    """One page: the district's name, the form's title, a line of instructions, a ruled line per field."""
    pdf = FPDF(format="Letter", unit="mm")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(form.title)
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.set_lang(form.language)
    pdf.add_page()
    if district_name:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, district_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, form.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, form.intro, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for label in (*form.fields, form.signature):
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        y = pdf.get_y() + 6
        pdf.line(25, y, 190.9, y)
        pdf.set_y(y + 4)
    return bytes(pdf.output())


def demo_forms_load(*, actor, district_name: str = "") -> list[FormVersion]:
    """The demo's forms, added and their PDFs uploaded by `actor` (a billing administrator); a form already in
    the library is left as it is. Returns the versions uploaded."""
    uploaded = []
    for blank in DEMO_FORMS:
        if FormDocument.objects.filter(code=blank.code, language=blank.language).exists():
            continue
        document = form_library.form_add(
            actor=actor,
            code=blank.code,
            title=blank.title,
            language=blank.language,
            description=blank.description,
        )
        content = ContentFile(render_blank(blank, district_name), name=f"{blank.code}-{blank.language}.pdf")
        uploaded.append(
            form_library.version_upload(
                actor=actor, form=document, file=content, note="The demo district's form"
            )
        )
    return uploaded
