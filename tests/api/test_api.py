import pytest

from cistern.api.models import ApiToken
from cistern.core import roles

pytestmark = pytest.mark.django_db


def _get(client, path, token):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_is_stored_only_as_a_hash(token_for):
    key = token_for(roles.CSS_I)
    stored = ApiToken.objects.get()
    assert (
        stored.key_hash == ApiToken.hash_key(key) and key not in stored.key_hash and stored.prefix == key[:8]
    )


def test_account_search_and_detail(client, token_for, start_account, customer_factory, premise_factory):
    account = start_account(
        customer=customer_factory(name="Jose Ortiz", phone="(760) 228-4433"),
        premise=premise_factory(street="6455 Sunburst Ave", parcel_number="0601-222-33-0000"),
    )
    token = token_for(roles.CSS_I)
    found = _get(client, "/api/v1/accounts?q=sunburst", token).json()
    assert found == [
        {"number": account.number, "name": "Jose Ortiz", "service_address": "6455 Sunburst Ave, Joshua Tree",
         "status": "pending"}
    ]  # fmt: skip
    detail = _get(client, f"/api/v1/accounts/{account.number}", token).json()
    assert detail["number"] == account.number and detail["status"] == "pending"
    assert detail["customer"]["name"] == "Jose Ortiz" and detail["customer"]["phone"] == "(760) 228-4433"
    assert detail["premise"]["parcel_number"] == "0601-222-33-0000"
    assert detail["flags"] == []


def test_api_errors(client, token_for, start_account):
    account = start_account()
    token = token_for(roles.CSS_I)
    assert client.get("/api/v1/accounts?q=sun").status_code == 401
    assert _get(client, "/api/v1/accounts?q=sun", "not-a-token").status_code == 401
    typo = account.number[:-1] + str((int(account.number[-1]) + 1) % 10)
    response = _get(client, f"/api/v1/accounts/{typo}", token)
    assert response.status_code == 400 and "check digit" in response.json()["detail"]
    from cistern.customers.account_number import make_account_number

    assert _get(client, f"/api/v1/accounts/{make_account_number(9_999_999)}", token).status_code == 404


def test_token_is_limited_to_its_users_permissions(client, token_for, start_account):
    account = start_account()
    token = token_for(roles.FIELD_TECHNICIAN)
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 403
    assert _get(client, f"/api/v1/accounts/{account.number}", token).status_code == 403


def test_revoked_token_is_refused(client, token_for):
    from django.utils import timezone

    token = token_for(roles.CSS_I)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 401


def test_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/accounts" in schema["paths"] and "/api/v1/accounts/{number}" in schema["paths"]


def test_a_tokens_last_use_is_written_at_most_once_a_minute_and_an_inactive_user_is_refused(client, token_for):
    from datetime import timedelta

    from django.utils import timezone

    token = token_for(roles.CSS_I)
    assert ApiToken.objects.get().last_used_at is None
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 200
    first = ApiToken.objects.get().last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 200
    assert ApiToken.objects.get().last_used_at == first  # within the minute: not written again
    ApiToken.objects.update(last_used_at=first - timedelta(seconds=61))
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 200
    assert ApiToken.objects.get().last_used_at > first
    ApiToken.objects.get().user.__class__.objects.update(is_active=False)
    assert _get(client, "/api/v1/accounts?q=sun", token).status_code == 401
