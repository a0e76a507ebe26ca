"""Production: everything from settings.py, hardened. Needs CISTERN_SECRET_KEY and CISTERN_ALLOWED_HOSTS."""

import os

from .settings import *  # noqa: F403
from .settings import STORAGES

DEBUG = False
SECRET_KEY = os.environ["CISTERN_SECRET_KEY"]
ALLOWED_HOSTS = os.environ["CISTERN_ALLOWED_HOSTS"].split(",")

SECURE_SSL_REDIRECT = True
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
