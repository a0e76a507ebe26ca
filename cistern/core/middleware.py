from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import LogoutView
from django.core.exceptions import PermissionDenied

from . import roles


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except the API, which authenticates each request by bearer token.
    A machine's user (only role: Integration) is refused every page, the admin's too, whatever session it has
    (the sign-in form never gives it one)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        open_to_all = not getattr(view_func, "login_required", True) or (
            getattr(view_func, "view_class", None) is LogoutView
        )  # sign-in and sign-out
        if not open_to_all and roles.integration_only(request.user):
            raise PermissionDenied(roles.NO_WEB_SIGN_IN)
        return super().process_view(request, view_func, view_args, view_kwargs)
