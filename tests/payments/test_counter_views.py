"""The counter's pages as a cashier and a lead use them: open a drawer, post (cash with change, check, card,
split, second tender), void, close with a blind count (exact, over, short), explain, audit, reverse."""

import re
from datetime import date
from decimal import Decimal

import pytest

from cistern.core.models import AuditEvent
from cistern.ledger import selectors as ledger_selectors
from cistern.payments import services as payments
from cistern.payments.models import DrawerSession, DrawerStatus, Payment, PaymentStatus

from .conftest import cash

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def at_counter(client, cashier, open_drawer):
    client.force_login(cashier)
    return client


def post_payment(client, account, amount, follow=False, **extra):
    data = {"account": account.number if hasattr(account, "number") else account, "amount": amount,
            "tender": "cash", **extra}  # fmt: skip
    return client.post("/payments/counter/", data, follow=follow)


def page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_without_a_drawer_the_counter_opens_one_with_the_standard_float(client, cashier):
    client.force_login(cashier)
    text = page(client.get("/payments/counter/"))
    assert 'id="open-drawer-form"' in text and 'value="150.00"' in text
    assert 'name="account"' not in text
    response = client.post("/payments/drawers/open/", {"drawer": "Counter 2", "opening_float": "175.00"})
    assert response.status_code == 302 and response["Location"] == "/payments/counter/"
    session = DrawerSession.objects.get(cashier=cashier)
    assert (session.drawer, session.opening_float, session.status) == ("Counter 2", D("175.00"), "open")
    text = page(client.get("/payments/counter/"))
    assert re.search(r'<input[^>]*name="account"[^>]*autofocus', text)
    # A second drawer for the same cashier is refused with the reason.
    again = client.post(
        "/payments/drawers/open/", {"drawer": "Counter 3", "opening_float": "150.00"}, follow=True
    )
    assert "already have an open drawer" in page(again)
    assert DrawerSession.objects.filter(cashier=cashier).count() == 1


def test_the_menu_has_the_counter_for_who_takes_payments(client, cashier, make_user):
    client.force_login(cashier)
    assert 'href="/payments/counter/"' in page(client.get("/"))
    client.force_login(make_user("Field Technician", username="tech"))
    assert 'href="/payments/counter/"' not in page(client.get("/"))


def test_cash_with_change_posts_and_says_so(at_counter, owing_account, open_drawer):
    response = post_payment(at_counter, owing_account, "4556", cash_received="5000")
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/counter/?posted={payment.pk}"
    assert (payment.amount, payment.cash_tendered, payment.change_given) == (
        D("45.56"),
        D("50.00"),
        D("4.44"),
    )
    assert payment.session == open_drawer and payment.status == PaymentStatus.POSTED
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    text = page(at_counter.get(response["Location"]))
    assert (
        f"Payment {payment.receipt_number} posted: $45.56 to account {owing_account.number}, change due $4.44, "
        "balance now $0.00"
    ) in text
    assert f'href="/payments/payments/{payment.pk}/receipt.pdf?size=80mm"' in text
    assert f'href="/payments/payments/{payment.pk}/receipt.pdf?size=letter"' in text
    assert re.search(r'<input[^>]*name="account"[^>]*autofocus', text)  # the next customer: focus back
    assert 'name="account"' in text and f'value="{owing_account.number}"' not in text  # an empty form
    assert f'id="payment-{payment.pk}"' in text  # in the session's list, with its void form
    assert f'action="/payments/payments/{payment.pk}/void/"' in text


def test_exact_cash_and_dollars_with_a_point(at_counter, owing_account):
    post_payment(at_counter, owing_account, "45.56")
    payment = Payment.objects.get()
    assert (payment.amount, payment.cash_tendered, payment.change_given) == (D("45.56"), None, D("0.00"))


def test_a_mistyped_account_number_is_a_field_error(at_counter, owing_account):
    number = owing_account.number
    swapped = number[:3] + number[4] + number[3] + number[5:] if number[3] != number[4] else number[:-1] + "0"
    response = post_payment(at_counter, swapped, "4556")
    assert response.status_code == 200
    assert "check digit fails" in page(response) or "is no account" in page(response)
    response = post_payment(at_counter, "1234", "4556")
    assert "An account number has 8 digits" in page(response)
    assert Payment.objects.count() == 0


def test_an_amount_that_does_not_fit_is_a_field_error(at_counter, owing_account):
    for typed, message in [("9" * 20, "more than the largest amount"), ("12.345", "at most 2 digits"),
                           ("abc", "Type only digits"), ("0", "more than zero")]:  # fmt: skip
        response = post_payment(at_counter, owing_account, typed)
        assert response.status_code == 200 and message in page(response), typed
    response = post_payment(at_counter, owing_account, "4556", cash_received="4000")
    assert "Cash received must be at least the $45.56" in page(response)
    assert Payment.objects.count() == 0


def test_a_check_needs_its_number(at_counter, owing_account):
    response = post_payment(at_counter, owing_account, "4556", tender="check")
    assert "A check needs its check number." in page(response)
    assert Payment.objects.count() == 0
    post_payment(at_counter, owing_account, "4556", tender="check", check_number="1042")
    tender = Payment.objects.get().tenders.get()
    assert (tender.kind, tender.check_number, tender.amount) == ("check", "1042", D("45.56"))


def test_a_card_is_its_reference_and_last_four_only(at_counter, owing_account):
    text = page(at_counter.get("/payments/counter/"))
    names = set(re.findall(r'name="([^"]+)"', text))
    assert not {n for n in names if "card" in n and n != "card_last_four"}  # no card number field at all
    assert re.search(r'<input[^>]*name="card_last_four"[^>]*maxlength="4"', text)
    refused = [
        ({"card_last_four": "4111111111111111", "reference": "AUTH-1"}, "at most 4 characters"),
        ({"card_last_four": "42a2", "reference": "AUTH-1"}, "four digits, nothing more"),
        ({"card_last_four": "4242", "reference": "4111 1111 1111 1111"}, "That is a card number"),
        ({"card_last_four": "4242"}, "processor&#x27;s reference"),
    ]
    for extra, message in refused:
        response = post_payment(at_counter, owing_account, "4556", tender="card", **extra)
        assert message in page(response), extra
    assert Payment.objects.count() == 0
    post_payment(at_counter, owing_account, "4556", tender="card", card_last_four="4242", reference="AUTH-77")
    tender = Payment.objects.get().tenders.get()
    assert (tender.kind, tender.card_last_four, tender.reference) == ("card", "4242", "AUTH-77")


def test_split_across_two_accounts_of_the_customer(
    at_counter, owing_account, start_account, charge, customer_factory
):
    second = start_account(customer=owing_account.customer)
    charge(second, "20.00", date(2026, 11, 25))
    stranger = start_account(customer=customer_factory(name="Someone Else"))
    response = post_payment(
        at_counter, owing_account, "4556", split_account_1=stranger.number, split_amount_1="2000"
    )
    assert "one payment pays one customer" in page(response) and Payment.objects.count() == 0
    response = post_payment(at_counter, owing_account, "4556", split_account_1=second.number, split_amount_1="2500",
                            cash_received="10000")  # fmt: skip
    payment = Payment.objects.get()
    assert payment.amount == D("70.56") and payment.change_given == D("29.44")
    parts = {p.account_id: p for p in payment.parts.all()}
    assert parts[owing_account.pk].amount == D("45.56") and parts[owing_account.pk].balance_after == D("0.00")
    assert parts[second.pk].amount == D("25.00") and parts[second.pk].credit == D("5.00")
    assert ledger_selectors.account_balance(second) == D("-5.00")
    text = page(at_counter.get(response["Location"]))
    assert f"$70.56 to account {owing_account.number} ($45.56), account {second.number} ($25.00)" in text


def test_a_second_tender_pays_part(at_counter, owing_account):
    post_payment(at_counter, owing_account, "4556", tender="check", check_number="501", tender2="cash",
                 tender2_amount="556", cash_received="1000")  # fmt: skip
    payment = Payment.objects.get()
    tenders = {t.kind: t for t in payment.tenders.all()}
    assert tenders["check"].amount == D("40.00") and tenders["check"].check_number == "501"
    assert tenders["cash"].amount == D("5.56") and payment.change_given == D("4.44")


def test_enter_pressed_twice_posts_once(at_counter, owing_account):
    form = page(at_counter.get("/payments/counter/"))
    key = re.search(r'name="key" value="([0-9a-f]+)"', form)[1]
    first = post_payment(at_counter, owing_account, "4556", key=key)
    second = post_payment(at_counter, owing_account, "4556", key=key)
    assert Payment.objects.count() == 1
    assert first["Location"] == second["Location"]
    # The same page posted again with another amount (its first answer lost): sent to what it posted.
    third = post_payment(at_counter, owing_account, "1000", key=key, follow=True)
    assert Payment.objects.count() == 1 and "This form was already posted as" in page(third)


def test_prefill_from_start_service(at_counter, owing_account):
    text = page(at_counter.get(f"/payments/counter/?account={owing_account.number}&amount=411.72"))
    assert f'value="{owing_account.number}"' in text and 'value="411.72"' in text
    text = page(at_counter.get("/payments/counter/?account=x%27%3E&amount=1e309"))
    assert 'value="x' not in text  # what does not fit is left out


def test_void_needs_a_reason(at_counter, owing_account):
    post_payment(at_counter, owing_account, "4556")
    payment = Payment.objects.get()
    response = at_counter.post(f"/payments/payments/{payment.pk}/void/", {"reason": " "}, follow=True)
    assert "say why" in page(response)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.POSTED
    response = at_counter.post(
        f"/payments/payments/{payment.pk}/void/", {"reason": "Wrong account"}, follow=True
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED and payment.ended_reason == "Wrong account"
    assert ledger_selectors.account_balance(owing_account) == D("45.56")
    assert f"Payment {payment.receipt_number} ($45.56) is voided." in page(response)
    x = page(at_counter.get(f"/payments/drawers/{payment.session_id}/x-report/"))
    assert 'id="x-voids">1 ($45.56)' in x and "Wrong account" in x


# 150.00 float + 45.56 cash: 100 + 50 + 2 x 20 + 5 + 2 quarters + a nickel + a penny.
EXACT = {
    "bill_100": "1",
    "bill_50": "1",
    "bill_20": "2",
    "bill_5": "1",
    "coin_25": "2",
    "coin_5": "1",
    "coin_1": "1",
}


@pytest.mark.parametrize(
    "change, variance, says",
    [
        ({}, D("0.00"), "Balanced: no variance."),
        ({"bill_1": "1"}, D("1.00"), "Over $1.00"),
        ({"coin_1": ""}, D("-0.01"), "Short $0.01"),
    ],
    ids=["exact", "over", "short"],
)
def test_close_with_a_blind_count(at_counter, owing_account, open_drawer, change, variance, says):
    post_payment(at_counter, owing_account, "4556", cash_received="5000")
    post_payment(at_counter, owing_account, "1000", tender="check", check_number="77")
    close = page(at_counter.get(f"/payments/drawers/{open_drawer.pk}/close/"))
    for expected in ("$45.56", "45.56", "195.56", "$10.00"):
        assert expected not in close  # blind: nothing the drawer should hold is shown before the count
    response = at_counter.post(
        f"/payments/drawers/{open_drawer.pk}/close/", {**EXACT, **change, "checks": "77 10.00"}
    )
    assert response.status_code == 302 and response["Location"] == f"/payments/drawers/{open_drawer.pk}/"
    session = DrawerSession.objects.get(pk=open_drawer.pk)
    assert session.status == DrawerStatus.CLOSED and session.variance == variance
    assert (session.expected_cash, session.counted_checks) == (D("45.56"), D("10.00"))
    text = page(at_counter.get(response["Location"]))
    assert says in text and "$45.56" in text
    assert ('id="explain-form"' in text) and (
        'id="audit-form"' not in text
    )  # the cashier explains, not audits
    # A closed drawer takes no more payments; its close page goes to the drawer.
    assert at_counter.get(f"/payments/drawers/{open_drawer.pk}/close/")["Location"] == response["Location"]


def test_a_bad_check_line_is_refused_with_its_line(at_counter, open_drawer):
    response = at_counter.post(
        f"/payments/drawers/{open_drawer.pk}/close/", {**EXACT, "checks": "10.00\n1 2 3"}
    )
    assert response.status_code == 200 and "Line 2:" in page(response)
    assert DrawerSession.objects.get(pk=open_drawer.pk).status == DrawerStatus.OPEN


def _closed_short(client, account, session):
    post_payment(client, account, "4556")
    client.post(f"/payments/drawers/{session.pk}/close/", {**EXACT, "coin_1": ""})
    return DrawerSession.objects.get(pk=session.pk)


def test_a_lead_audits_after_the_explanation(at_counter, owing_account, open_drawer, client, lead, cashier):
    session = _closed_short(at_counter, owing_account, open_drawer)
    assert at_counter.post(f"/payments/drawers/{session.pk}/audit/", {"note": "mine"}).status_code == 403
    client.force_login(lead)
    home = page(client.get("/"))
    assert 'data-queue="drawers_to_audit"' in home and "Drawers to audit" in home
    assert re.search(
        r'data-queue="drawers_to_audit"><a href="/payments/drawers/"><span class="count">1<', home
    )
    listing = page(client.get("/payments/drawers/"))
    assert f'href="/payments/drawers/{session.pk}/"' in listing
    response = client.post(f"/payments/drawers/{session.pk}/audit/", {"note": ""}, follow=True)
    assert "write what explains it" in page(response)
    client.force_login(cashier)
    client.post(f"/payments/drawers/{session.pk}/explain/", {"note": "A penny fell behind the drawer"})
    client.force_login(lead)
    response = client.post(f"/payments/drawers/{session.pk}/audit/", {"note": "Checked"})
    assert response.status_code == 302 and response["Location"] == "/payments/drawers/"
    session.refresh_from_db()
    assert session.status == DrawerStatus.AUDITED and session.audited_by == lead
    assert session.variance_note == "A penny fell behind the drawer"
    assert AuditEvent.objects.filter(action="drawer.audit", object_id=str(session.pk)).count() == 1
    assert "Audited" in page(client.get(f"/payments/drawers/{session.pk}/"))


def test_a_cashier_cannot_see_the_leads_pages(at_counter, owing_account, open_drawer):
    assert at_counter.get("/payments/drawers/").status_code == 403
    post_payment(at_counter, owing_account, "4556")
    payment = Payment.objects.get()
    assert at_counter.post(f"/payments/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code == 403


def test_a_lead_reverses_after_the_close(at_counter, owing_account, open_drawer, client, lead):
    post_payment(at_counter, owing_account, "4556")
    payment = Payment.objects.get()
    client.force_login(lead)
    assert 'id="reverse-form"' not in page(
        client.get(f"/payments/payments/{payment.pk}/")
    )  # the drawer is open
    at_counter.post(f"/payments/drawers/{open_drawer.pk}/close/", EXACT)
    text = page(client.get(f"/payments/payments/{payment.pk}/"))
    assert 'id="reverse-form"' in text
    response = client.post(
        f"/payments/payments/{payment.pk}/reverse/", {"reason": "Check was for another bill"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED and payment.ended_by == lead
    assert ledger_selectors.account_balance(owing_account) == D("45.56")
    drawer_page = page(client.get(f"/payments/drawers/{open_drawer.pk}/"))
    assert "Reversals" in drawer_page and "Check was for another bill" in drawer_page


def test_the_account_page_lists_the_payment_with_its_receipt(at_counter, owing_account):
    post_payment(at_counter, owing_account, "4556")
    payment = Payment.objects.get()
    text = page(at_counter.get(f"/accounts/{owing_account.number}/"))
    assert 'id="panel-payments"' in text and payment.receipt_number in text
    assert f"/payments/payments/{payment.pk}/receipt.pdf?size=80mm" in text


def test_a_payment_error_is_the_form_error_not_a_500(at_counter, owing_account, open_drawer, cashier):
    from cistern.customers.models import AccountFlag, FlagKind

    AccountFlag.objects.create(
        account=owing_account,
        kind=FlagKind.CASH_ONLY,
        starts_on=date(2026, 1, 1),
        reason="Two returned checks",
    )
    response = post_payment(at_counter, owing_account, "4556", tender="check", check_number="9")
    assert response.status_code == 200 and "cash only" in page(response)
    # The drawer closed in another window: the next post says so.
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "1.00"))
    DrawerSession.objects.filter(pk=open_drawer.pk).update(status=DrawerStatus.CLOSED)
    response = post_payment(at_counter, owing_account, "4556", follow=True)
    assert "Your drawer is not open" in page(response)
