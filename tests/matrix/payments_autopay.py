"""Payments, autopay: an account's enrolment page (enrol, end) and an ACH return entered by hand."""

PAGES = {
    "payments:autopay": "payments.view_autopayenrolment",
    "payments:autopay_return": "payments.record_return",
}
# A permitted POST redirects. The end comes before the return: the return of the sent prenote ends the
# enrolment too, and an enrolment ends once.
POSTS = {
    "payments:autopay_enrol": (
        "payments.add_autopayenrolment",
        {
            "holder_name": "Matrix Holder",
            "routing_number": "121000358",
            "bank_account_number": "000123456789",
            "bank_account_type": "checking",
        },
    ),  # fmt: skip
    "payments:autopay_end": ("payments.change_autopayenrolment", {"reason": "Matrix: customer asked"}),
    "payments:autopay_return": (
        "payments.record_return",
        {"reference": "122000240999999", "return_code": "R03", "returned_on": "2026-12-01", "note": "Matrix"},
    ),
}


def build(world):
    from datetime import date

    from cistern.core import clock
    from cistern.customers import services as customers
    from cistern.customers.models import Customer, Premise
    from cistern.payments import autopay
    from tests.conftest import ACCEPTABLE

    with clock.on(date(2026, 11, 30)):
        enrolment = autopay.enrolment_create(
            actor=world["user"], account=world["account"], holder_name="Matrix", routing_number="021000021",
            bank_account_number="55501234", account_type="savings",
        )  # fmt: skip
    # As if the prenote went out in a file (the export is tested in tests/payments/test_nacha_file.py).
    enrolment.debits.update(status="sent", trace_number="122000240999999")
    customer = Customer.objects.create(
        name="Autopay Matrix", mailing_street="2 Main St", mailing_city="Joshua Tree", mailing_zip="92252"
    )
    premise = Premise.objects.create(
        street="11 Autopay St", city="Joshua Tree", zip_code="92252", parcel_number="0601-997-01-0000",
        zone="Zone 1", occupancy_type="owner",
    )  # fmt: skip
    other = customers.service_start(
        actor=world["user"], customer=customer, premise=premise, start_date=world["account"].start_date,
        application=ACCEPTABLE,
    )  # fmt: skip
    return {"autopay_enrolment": enrolment, "autopay_account": other}


def url(name, world):
    return {
        "payments:autopay": f"/payments/accounts/{world['account'].number}/autopay/",
        "payments:autopay_enrol": f"/payments/accounts/{world['autopay_account'].number}/autopay/enrol/",
        "payments:autopay_end": f"/payments/autopay/{world['autopay_enrolment'].pk}/end/",
        "payments:autopay_return": "/payments/autopay/returns/new/",
    }[name]
