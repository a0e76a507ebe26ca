"""The letters and e-mails the product ships with, in English and Spanish. Installed by migration 0002 and
again after every migrate for any template that is missing (`install`); once installed, the wording is the
district's to change (a new version on the templates page), never overwritten from here.

Merge fields: every letter has `district`, `customer`, `account`, `service_address`, `mailing_lines` and
`today` (merge.account_context); collections adds `notice` and `policy_phone`, the high-usage check `usage`,
payments `payment`, the account page `memo_subject` and `memo_body`.
"""

EN = 'date:"F j, Y"'
ES = r'date:"j \d\e F \d\e Y"'
PHONE = "{{ policy_phone|default:district.phone }}"


def _d(var: str, lang: str) -> str:
    return "{{ " + var + "|" + (EN if lang == "en" else ES) + " }}"


def _sign(lang: str) -> str:
    if lang == "en":
        return "Sincerely,\n{{ district.name }} Customer Service\n{{ district.phone }}"
    return "Atentamente,\nServicio al Cliente de {{ district.name }}\n{{ district.phone }}"


def _dear(lang: str, name: str = "{{ customer.name }}") -> str:
    return f"Dear {name}," if lang == "en" else f"Estimado(a) {name}:"


# code -> (name, help text, ad hoc)
NAMES = {
    "past_due_reminder": ("Past-due reminder", "The first reminder of a past-due balance (collections: notice).", False),
    "shutoff_notice": ("Notice of discontinuation (SB 998)", "The written notice at least 7 business days before shutoff for nonpayment; states every fact Health & Safety Code 116908 requires (collections: notice).", False),
    "shutoff_notice_occupant": ("Notice to occupants (landlord-tenant)", "To \"Occupant\" at a rental served through the owner's account, at least 10 days before shutoff (collections: notice).", False),
    "door_hanger": ("48-hour door hanger", "Left at the door 48 hours before the shutoff (collections: notice).", False),
    "final_notice": ("Final notice of intent to disconnect", "Posted at the property when a payment arrangement is broken, at least 5 business days before shutoff (collections: notice).", False),
    "high_usage": ("High water use", "Usage far above the same period last year: check for a leak (usage).", False),
    "memo": ("Letter or memo", "Written on the account page: the subject and text the clerk gives (memo_subject, memo_body).", True),
    "returned_check": ("Returned check", "A check the bank returned unpaid (payments: payment).", False),
    "returned_ach": ("Returned automatic payment", "An autopay or ACH debit the bank returned (payments: payment).", False),
}  # fmt: skip


def _past_due(lang):
    if lang == "en":
        subject = "Past-due reminder for account {{ account.number }}"
        body = f"""{_dear(lang)}

Our records show a past-due balance of {{{{ notice.amount }}}} on water account {{{{ account.number }}}} for service at {{{{ service_address }}}}. The oldest unpaid bill was due on {_d("notice.oldest_due", lang)}.

If you have already paid, thank you; please disregard this reminder. Otherwise, please pay the past-due amount as soon as you can. Unpaid balances may lead to late penalties and, after the notices the law requires, discontinuation of service.

If you cannot pay the full amount now, please call us at {PHONE}. We can discuss a payment arrangement, an extension of time to pay, or an alternative payment schedule.

{_sign(lang)}"""
    else:
        subject = "Recordatorio de saldo vencido de la cuenta {{ account.number }}"
        body = f"""{_dear(lang)}

Nuestros registros muestran un saldo vencido de {{{{ notice.amount }}}} en la cuenta de agua {{{{ account.number }}}} por el servicio en {{{{ service_address }}}}. La factura impaga más antigua venció el {_d("notice.oldest_due", lang)}.

Si ya pagó, le damos las gracias; por favor no tome en cuenta este recordatorio. De lo contrario, le pedimos que pague el saldo vencido lo antes posible. Un saldo sin pagar puede generar recargos por mora y, después de los avisos que exige la ley, la suspensión del servicio.

Si no puede pagar el monto total ahora, llámenos al {PHONE}. Podemos hablar de un acuerdo de pago, una prórroga para pagar o un plan de pagos alternativo.

{_sign(lang)}"""
    return subject, body


def _past_due_email(lang):
    subject, body = _past_due(lang)
    return subject, body


def _shutoff(lang):
    if lang == "en":
        subject = "Notice of discontinuation of water service for nonpayment"
        body = f"""{_dear(lang)}

Customer: {{{{ customer.name }}}}
Service address: {{{{ service_address }}}}
Account: {{{{ account.number }}}}
Amount delinquent: {{{{ notice.amount }}}} (delinquent since {_d("notice.delinquent_since", lang)})

Your water account is delinquent. To avoid discontinuation of your water service, you must pay the delinquent amount, or make a payment arrangement with us, by {_d("notice.shutoff_on", lang)}. Service will not be shut off before that date.

Extension of time to pay: you may ask for an extension of up to {{{{ notice.extension_days }}}} days to pay. Call us at {PHONE} or visit our office before {_d("notice.shutoff_on", lang)} and tell us you need more time.

Deferred, reduced or alternative payment schedule: if you cannot pay during the normal period, you may ask to pay the balance over time (an amortization plan), to defer payment, or for another alternative payment schedule. If a physician certifies that shutting off service would threaten the life or health of someone living at the property, and you show that you cannot pay during the normal billing cycle, we will offer one of these options and will not shut off service while you keep to it. Call {PHONE} to apply.

Appeal or contest your bill: if you believe your bill is wrong, you may contest it by calling {PHONE} or writing to us within {{{{ notice.dispute_days }}}} days of this notice. While your appeal is being reviewed, your service will not be shut off. If you disagree with our decision, you may ask for a hearing before the district.

Questions: call the district at {PHONE} ({{{{ district.name }}}}, {{{{ district.street }}}}, {{{{ district.city }}}}, {{{{ district.state }}}} {{{{ district.zip }}}}).

{_sign(lang)}"""
    else:
        subject = "Aviso de suspensión del servicio de agua por falta de pago"
        body = f"""{_dear(lang)}

Cliente: {{{{ customer.name }}}}
Dirección del servicio: {{{{ service_address }}}}
Cuenta: {{{{ account.number }}}}
Monto atrasado: {{{{ notice.amount }}}} (atrasado desde el {_d("notice.delinquent_since", lang)})

Su cuenta de agua está atrasada. Para evitar la suspensión de su servicio de agua, debe pagar el monto atrasado, o hacer un acuerdo de pago con nosotros, a más tardar el {_d("notice.shutoff_on", lang)}. El servicio no se suspenderá antes de esa fecha.

Prórroga para pagar: puede solicitar una prórroga de hasta {{{{ notice.extension_days }}}} días para pagar. Llámenos al {PHONE} o visite nuestra oficina antes del {_d("notice.shutoff_on", lang)} y díganos que necesita más tiempo.

Plan de pagos diferido, reducido o alternativo: si no puede pagar en el plazo normal, puede solicitar pagar el saldo a plazos (un plan de amortización), diferir el pago u otro plan de pagos alternativo. Si un médico certifica que suspender el servicio pondría en peligro la vida o la salud de alguien que vive en la propiedad, y usted demuestra que no puede pagar durante el ciclo normal de facturación, le ofreceremos una de estas opciones y no suspenderemos el servicio mientras la cumpla. Llame al {PHONE} para solicitarlo.

Apelar o impugnar su factura: si cree que su factura es incorrecta, puede impugnarla llamando al {PHONE} o escribiéndonos dentro de los {{{{ notice.dispute_days }}}} días siguientes a este aviso. Mientras se revisa su apelación, su servicio no se suspenderá. Si no está de acuerdo con nuestra decisión, puede solicitar una audiencia ante el distrito.

Preguntas: llame al distrito al {PHONE} ({{{{ district.name }}}}, {{{{ district.street }}}}, {{{{ district.city }}}}, {{{{ district.state }}}} {{{{ district.zip }}}}).

{_sign(lang)}"""
    return subject, body


def _occupant(lang):
    if lang == "en":
        subject = "Notice to occupants: water service at {{ service_address }} may be shut off"
        body = f"""To the Occupant,

Service address: {{{{ service_address }}}}
Account holder: {{{{ customer.name }}}}
Amount delinquent on the account: {{{{ notice.amount }}}}

The account for water service at this address, which is in the name of the property owner or manager, is delinquent. Water service at this address will be shut off on or after {_d("notice.shutoff_on", lang)} unless the amount is paid or an arrangement is made.

Your right to become the customer: you may become the district's customer for water service at this address without paying the amount owed on the delinquent account. To do so, you must agree to the terms and conditions of service and pay the charges from the date you become the customer. You may be asked for proof of your tenancy, such as a lease or rent receipts. Call us at {PHONE} before {_d("notice.shutoff_on", lang)}.

The account holder may still ask for an extension of time to pay (up to {{{{ notice.extension_days }}}} days), a deferred, reduced or alternative payment schedule (amortization), or contest the bill within {{{{ notice.dispute_days }}}} days, by calling {PHONE}.

Questions: call the district at {PHONE}.

{{{{ district.name }}}}
{{{{ district.street }}}}, {{{{ district.city }}}}, {{{{ district.state }}}} {{{{ district.zip }}}}"""
    else:
        subject = "Aviso a los ocupantes: el servicio de agua en {{ service_address }} puede suspenderse"
        body = f"""Al Ocupante:

Dirección del servicio: {{{{ service_address }}}}
Titular de la cuenta: {{{{ customer.name }}}}
Monto atrasado en la cuenta: {{{{ notice.amount }}}}

La cuenta del servicio de agua de esta dirección, que está a nombre del propietario o administrador de la propiedad, está atrasada. El servicio de agua en esta dirección se suspenderá el {_d("notice.shutoff_on", lang)} o después, a menos que se pague el monto o se haga un acuerdo de pago.

Su derecho a ser el cliente: usted puede hacerse cliente del distrito para el servicio de agua en esta dirección sin pagar el monto adeudado en la cuenta atrasada. Para ello, debe aceptar los términos y condiciones del servicio y pagar los cargos desde la fecha en que se haga cliente. Es posible que le pidamos un comprobante de su arrendamiento, como un contrato o recibos de renta. Llámenos al {PHONE} antes del {_d("notice.shutoff_on", lang)}.

El titular de la cuenta todavía puede solicitar una prórroga para pagar (hasta {{{{ notice.extension_days }}}} días), un plan de pagos diferido, reducido o alternativo (amortización), o impugnar la factura dentro de {{{{ notice.dispute_days }}}} días, llamando al {PHONE}.

Preguntas: llame al distrito al {PHONE}.

{{{{ district.name }}}}
{{{{ district.street }}}}, {{{{ district.city }}}}, {{{{ district.state }}}} {{{{ district.zip }}}}"""
    return subject, body


def _door_hanger(lang):
    if lang == "en":
        subject = "{{ notice.door_hanger_hours }}-hour notice: water service will be shut off"
        body = f"""{{{{ customer.name }}}}
{{{{ service_address }}}} · Account {{{{ account.number }}}}

Your water service will be shut off for nonpayment in {{{{ notice.door_hanger_hours }}}} hours, on or after {_d("notice.shutoff_on", lang)}, unless the past-due amount of {{{{ notice.amount }}}} is paid or a payment arrangement is made.

To keep your water on, pay at our office or by phone, or call us now at {PHONE} to ask about an extension, a payment arrangement or an alternative payment schedule. If someone at this address has a medical condition that would be threatened by a shutoff, call us right away.

A fee may be charged to restore service after a shutoff.

{{{{ district.name }}}} · {PHONE}"""
    else:
        subject = "Aviso de {{ notice.door_hanger_hours }} horas: se suspenderá el servicio de agua"
        body = f"""{{{{ customer.name }}}}
{{{{ service_address }}}} · Cuenta {{{{ account.number }}}}

Su servicio de agua se suspenderá por falta de pago dentro de {{{{ notice.door_hanger_hours }}}} horas, el {_d("notice.shutoff_on", lang)} o después, a menos que se pague el saldo vencido de {{{{ notice.amount }}}} o se haga un acuerdo de pago.

Para mantener su servicio, pague en nuestra oficina o por teléfono, o llámenos ahora al {PHONE} para preguntar por una prórroga, un acuerdo de pago o un plan de pagos alternativo. Si alguien en esta dirección tiene una condición médica que una suspensión pondría en peligro, llámenos de inmediato.

Puede cobrarse un cargo para restablecer el servicio después de una suspensión.

{{{{ district.name }}}} · {PHONE}"""
    return subject, body


def _final(lang):
    if lang == "en":
        subject = "Final notice of intent to disconnect water service"
        body = f"""{{{{ customer.name }}}}
{{{{ service_address }}}} · Account {{{{ account.number }}}}

Your payment arrangement for this account has not been kept: payments due under it have gone unpaid. This is the district's final notice of intent to disconnect water service at this property, posted here on {_d("notice.mailed_on", lang)}.

Water service may be disconnected on or after {_d("notice.shutoff_on", lang)} unless the amount now due, {{{{ notice.amount }}}}, is paid.

To avoid disconnection, pay the amount due or call us at {PHONE} before {_d("notice.shutoff_on", lang)}.

{{{{ district.name }}}} · {PHONE}"""
    else:
        subject = "Aviso final de intención de desconectar el servicio de agua"
        body = f"""{{{{ customer.name }}}}
{{{{ service_address }}}} · Cuenta {{{{ account.number }}}}

Su acuerdo de pago de esta cuenta no se ha cumplido: hay pagos vencidos bajo el acuerdo. Este es el aviso final del distrito de su intención de desconectar el servicio de agua en esta propiedad, colocado aquí el {_d("notice.mailed_on", lang)}.

El servicio de agua puede desconectarse el {_d("notice.shutoff_on", lang)} o después, a menos que se pague el monto ahora adeudado, {{{{ notice.amount }}}}.

Para evitar la desconexión, pague el monto adeudado o llámenos al {PHONE} antes del {_d("notice.shutoff_on", lang)}.

{{{{ district.name }}}} · {PHONE}"""
    return subject, body


def _high_usage(lang):
    if lang == "en":
        subject = "Your water use is higher than usual"
        body = f"""{_dear(lang)}

Your meter at {{{{ service_address }}}} recorded {{{{ usage.units }}}} units of water in the period ending {_d("usage.period_end", lang)}{{% if usage.last_year_units %}}, compared with {{{{ usage.last_year_units }}}} units in the same period last year{{% endif %}}. Use this much higher than usual can mean a leak.

Please check for leaks: a running toilet (a few drops of food coloring in the tank show one within 15 minutes), dripping faucets, irrigation lines and valves, and wet spots in the yard. With every tap off, your meter's leak indicator should not move.

If you find and repair a leak, keep the receipts and call us at {{{{ district.phone }}}}: you may qualify for a leak adjustment. We can also send a technician to check the meter.

{_sign(lang)}"""
    else:
        subject = "Su consumo de agua es más alto de lo normal"
        body = f"""{_dear(lang)}

Su medidor en {{{{ service_address }}}} registró {{{{ usage.units }}}} unidades de agua en el período que terminó el {_d("usage.period_end", lang)}{{% if usage.last_year_units %}}, comparado con {{{{ usage.last_year_units }}}} unidades en el mismo período del año pasado{{% endif %}}. Un consumo mucho más alto de lo normal puede indicar una fuga.

Revise si hay fugas: un inodoro que no deja de correr (unas gotas de colorante en el tanque la revelan en 15 minutos), llaves que gotean, líneas y válvulas de riego, y manchas húmedas en el jardín. Con todas las llaves cerradas, el indicador de fugas del medidor no debe moverse.

Si encuentra y repara una fuga, guarde los recibos y llámenos al {{{{ district.phone }}}}: podría calificar para un ajuste por fuga. También podemos enviar a un técnico a revisar el medidor.

{_sign(lang)}"""
    return subject, body


def _memo(lang):
    if lang == "en":
        subject = "{{ memo_subject|default:'About your water account' }}"
    else:
        subject = "{{ memo_subject|default:'Acerca de su cuenta de agua' }}"
    body = f"""{_dear(lang)}

{{{{ memo_body }}}}

{_sign(lang)}"""
    return subject, body


def _returned(kind, lang):
    if lang == "en":
        subject = "Returned check" if kind == "check" else "Returned automatic payment"
        if kind == "check":
            what = (
                'Your check no. {{ payment.check_number|default:"-" }} for {{ payment.amount }}, received on '
                f"{_d('payment.received_on', lang)} and applied to account {{{{ payment.accounts }}}} (receipt "
                "{{ payment.receipt }}), was returned unpaid by your bank on "
                f"{_d('payment.returned_on', lang)}. The bank's reason: {{{{ payment.reason }}}}."
            )
        else:
            what = (
                "Your automatic payment of {{ payment.amount }} from your bank account, dated "
                f"{_d('payment.received_on', lang)}, for account {{{{ payment.accounts }}}} (receipt "
                "{{ payment.receipt }}), was returned unpaid by your bank on "
                f"{_d('payment.returned_on', lang)}. The bank's reason: {{{{ payment.reason }}}}."
            )
        body = f"""{_dear(lang)}

{what}

The payment has been removed from your account, so the charges it paid are due again.
{{% if payment.fee %}}
A returned payment fee of {{{{ payment.fee }}}} has been charged to your account, as the district's fee schedule provides.
{{% endif %}}
Please pay {{{{ payment.total }}}} (the returned payment{{% if payment.fee %}} and the fee{{% endif %}}) as soon as possible to avoid late penalties and collection action.
{{% if payment.cash_only_until %}}
Because payments on your account have been returned more than once in 12 months, we cannot accept checks for it through {_d("payment.cash_only_until", lang)}. Please pay in cash, by money order or by card.
{{% endif %}}
{{% if district.phone %}}If you have questions, please call us at {{{{ district.phone }}}}.{{% else %}}If you have questions, please visit or write to our office.{{% endif %}}

Sincerely,
{{{{ district.name }}}} Customer Service"""
    else:
        subject = "Cheque devuelto" if kind == "check" else "Pago automático devuelto"
        if kind == "check":
            what = (
                'Su cheque núm. {{ payment.check_number|default:"-" }} por {{ payment.amount }}, recibido el '
                f"{_d('payment.received_on', lang)} y aplicado a la cuenta {{{{ payment.accounts }}}} (recibo "
                "{{ payment.receipt }}), fue devuelto sin pagar por su banco el "
                f"{_d('payment.returned_on', lang)}. Motivo indicado por el banco: {{{{ payment.reason }}}}."
            )
        else:
            what = (
                "Su pago automático de {{ payment.amount }} desde su cuenta bancaria, con fecha "
                f"{_d('payment.received_on', lang)}, para la cuenta {{{{ payment.accounts }}}} (recibo "
                "{{ payment.receipt }}), fue devuelto sin pagar por su banco el "
                f"{_d('payment.returned_on', lang)}. Motivo indicado por el banco: {{{{ payment.reason }}}}."
            )
        body = f"""{_dear(lang)}

{what}

Hemos retirado el pago de su cuenta, por lo que los cargos que cubría vuelven a estar pendientes.
{{% if payment.fee %}}
Se ha cobrado a su cuenta un cargo por pago devuelto de {{{{ payment.fee }}}}, según la tabla de tarifas del distrito.
{{% endif %}}
Le pedimos que pague {{{{ payment.total }}}} (el pago devuelto{{% if payment.fee %}} y el cargo{{% endif %}}) lo antes posible para evitar recargos por mora y acciones de cobro.
{{% if payment.cash_only_until %}}
Como se han devuelto pagos de su cuenta más de una vez en 12 meses, no podremos aceptar cheques para esta cuenta hasta el {_d("payment.cash_only_until", lang)}, inclusive. Por favor pague en efectivo, con giro postal (money order) o con tarjeta.
{{% endif %}}
{{% if district.phone %}}Si tiene preguntas, llámenos al {{{{ district.phone }}}}.{{% else %}}Si tiene preguntas, visite o escriba a nuestra oficina.{{% endif %}}

Atentamente,
Servicio al Cliente de {{{{ district.name }}}}"""
    return subject, body


BUILDERS = {
    ("past_due_reminder", "letter"): _past_due,
    ("past_due_reminder", "email"): _past_due_email,
    ("shutoff_notice", "letter"): _shutoff,
    ("shutoff_notice_occupant", "letter"): _occupant,
    ("door_hanger", "letter"): _door_hanger,
    ("final_notice", "letter"): _final,
    ("high_usage", "letter"): _high_usage,
    ("high_usage", "email"): _high_usage,
    ("memo", "letter"): _memo,
    ("memo", "email"): _memo,
    ("returned_check", "letter"): lambda lang: _returned("check", lang),
    ("returned_ach", "letter"): lambda lang: _returned("ach", lang),
}


def templates() -> list[dict]:
    """Every shipped template and its first version's text."""
    found = []
    for (code, channel), build in BUILDERS.items():
        name, help_text, adhoc = NAMES[code]
        for lang in ("en", "es"):
            subject, body = build(lang)
            found.append({
                "code": code, "channel": channel, "language": lang, "name": name, "help_text": help_text,
                "adhoc": adhoc, "subject": subject, "body": body,
            })  # fmt: skip
    return found


def install(template_model, version_model) -> int:
    """Create each shipped template that is missing, with its first version; the ones there are left alone.
    Takes the models (a migration's or the app's). Returns how many were created."""
    created = 0
    for row in templates():
        template, made = template_model.objects.get_or_create(
            code=row["code"], language=row["language"], channel=row["channel"],
            defaults={"name": row["name"], "help_text": row["help_text"], "adhoc": row["adhoc"], "active": True},
        )  # fmt: skip
        if made:
            version_model.objects.create(
                template=template, number=1, subject=row["subject"], body=row["body"], note="As shipped"
            )
            created += 1
    return created
