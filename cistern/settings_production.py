"""Production: everything from settings.py, hardened. Needs CISTERN_SECRET_KEY, CISTERN_ALLOWED_HOSTS and
CISTERN_FIELD_KEY; the rest of the environment is in deploy/environment.example (README, Production)."""

import os

from .settings import *  # noqa: F403
from .settings import DATABASES, STORAGES

DEBUG = False
SECRET_KEY = os.environ["CISTERN_SECRET_KEY"]
ALLOWED_HOSTS = os.environ["CISTERN_ALLOWED_HOSTS"].split(",")
# The key of the bank account numbers kept for autopay (payments/secrets.py). Outside development it is never
# the file a checkout makes for itself: it is set here, and kept with the database's backups.
if not os.environ.get("CISTERN_FIELD_KEY"):
    raise KeyError(
        "CISTERN_FIELD_KEY: set it to a Fernet key (see README, Payments) before running in production"
    )

SECURE_SSL_REDIRECT = True
# The load balancer or a monitor on the machine asks http://127.0.0.1:8000/healthz directly, without the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Static files from the application server itself (WhiteNoise, in settings.MIDDLEWARE): no separate web server
# to configure at a district. Here the collected files (`manage.py collectstatic`), hashed and compressed.
WHITENOISE_USE_FINDERS = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# gunicorn's workers keep their connection (CONN_MAX_AGE); one the database closed meanwhile is replaced before use.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
