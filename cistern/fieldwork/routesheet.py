"""The technician's printed route sheet for a day: one PDF, orders in route order (fpdf2, no system libraries)."""

from datetime import date

from fpdf import FPDF


def _text(value) -> str:
    # The core PDF fonts speak Latin-1; anything else prints as "?" rather than failing the sheet.
    return str(value or "").encode("latin-1", "replace").decode("latin-1")


def _window(order) -> str:
    if order.window_start and order.window_end:
        return f"{order.window_start:%H:%M}-{order.window_end:%H:%M}"
    if order.window_start:
        return f"from {order.window_start:%H:%M}"
    return "any time"


def render(*, technician, day: date, orders: list, meters: dict) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Route sheet {technician.username} {day:%Y-%m-%d}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    name = technician.get_full_name() or technician.username
    pdf.cell(0, 8, _text(f"Route sheet: {name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _text(f"{day:%A, %B %d, %Y} - {len(orders)} orders"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not orders:
        pdf.cell(0, 8, "No orders scheduled.", new_x="LMARGIN", new_y="NEXT")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for stop, order in enumerate(orders, start=1):
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.set_draw_color(180, 180, 180)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_font("Helvetica", "B", 11)
        point = order.service_point
        route = f"{point.route.code}/{point.read_sequence}" if point and point.route else "-"
        pdf.cell(0, 6, _text(f"{stop}. {order.label}  {order.order_type.name}  [{_window(order)}]  route {route}"),
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_font("Helvetica", "", 10)
        customer = order.account.customer if order.account else None
        lines = [order.premise.service_address]
        if customer:
            lines.append(f"{customer.name}  {customer.phone}".strip())
        meter = meters.get(order.pk)
        where = f" ({point.location_note})" if point and point.location_note else ""
        lines.append(
            f'Meter: {meter.serial} {meter.size}"{where}' if meter else f"Meter: none installed{where}"
        )
        lines.append(f"Priority: {order.get_priority_display()}   Status: {order.get_status_display()}")
        if order.notes:
            lines.append(f"Notes: {order.notes}")
        for line in lines:
            pdf.multi_cell(width, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.cell(
            0, 7, "Read: ______________   Done at: ________   Initials: ______", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1)
    return bytes(pdf.output())
