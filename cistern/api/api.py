from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from . import billing, collections, customers, errors, metering, payments, rates
from .auth import TokenAuth

api = NinjaAPI(
    title="Cistern API",
    version="1",
    description="Accounts for integrations (AMI head-ends, pay-by-phone, the customer portal). "
    "Bearer tokens from `manage.py create_api_token USERNAME`; a token can do what its user can. "
    'A bad value answers 400 with `{"detail": "...", "field": "..."}` (`field` names the input, '
    "`reads[3].value` inside a list, `body` for the request as a whole).",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", customers.router)
api.add_router("/", metering.router)
api.add_router("/", rates.router)
api.add_router("/", billing.router)
api.add_router("/", payments.router)
api.add_router("/", collections.router)
errors.install(api)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Permission denied"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)
