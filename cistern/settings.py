"""Settings for development, tests and `make run`. Production: cistern.settings_production.

Environment: DATABASE_URL (default: SQLite under var/), CISTERN_SECRET_KEY, CISTERN_DEBUG (off unless "1": a
developer who wants Django's debug pages asks for them; `make run` serves the district's own 404, 403, 400 and
500 pages), CISTERN_ALLOWED_HOSTS, CISTERN_UPLOAD_MAX_BYTES, CISTERN_UPLOAD_MAX_ROWS, CISTERN_XLSX_MAX_INFLATED, CISTERN_TASKS,
CISTERN_MEDIA_ROOT, CISTERN_WORKER_HEARTBEAT_MAX_AGE, CISTERN_LOG_LEVEL (see deploy/environment.example).
"""

import contextlib
import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CISTERN_VAR_DIR", BASE_DIR / "var"))


def _dev_secret_key() -> str:
    """A per-checkout key kept under var/, so sessions survive restarts without a key in the repository."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("CISTERN_SECRET_KEY") or _dev_secret_key()
# Off by default: Django's debug page lists every URL pattern and setting to whoever mistypes an address.
DEBUG = os.environ.get("CISTERN_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("CISTERN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")

# Uploads (seen: a 287 KB XLSX with 2,000,000 rows held a request for 108 s and 1.5 GB). A read file is at most
# CISTERN_UPLOAD_MAX_BYTES and CISTERN_UPLOAD_MAX_ROWS reads, and a workbook whose parts would inflate past
# CISTERN_XLSX_MAX_INFLATED bytes is refused before it is opened. A request body larger than the upload limit
# (plus room for the form around the file) is refused before it is read (core.badinput).
CISTERN_UPLOAD_MAX_BYTES = int(os.environ.get("CISTERN_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))
CISTERN_UPLOAD_MAX_ROWS = int(os.environ.get("CISTERN_UPLOAD_MAX_ROWS", 2_000_000))
CISTERN_XLSX_MAX_INFLATED = int(os.environ.get("CISTERN_XLSX_MAX_INFLATED", 200 * 1024 * 1024))
# A form or JSON body without files (the API's batch of 10,000 reads is about 2 MB); more answers 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads go to a temporary file, not memory

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "cistern.core",
    "cistern.customers",
    "cistern.correspondence",
    "cistern.metering",
    "cistern.rates",
    "cistern.ledger",
    "cistern.billing",
    "cistern.fieldwork",
    "cistern.payments",
    "cistern.assistance",
    "cistern.collections",
    "cistern.frontdesk",
    "cistern.schedule",
    "cistern.reports",
    "cistern.conversion",
    "cistern.api",
    "cistern.demo",
    "django_tasks",
    "django_tasks_db",
]

# E-bills and letters: SMTP where the district names a server, else each message is written to var/mail
# (the demo runs offline).
DEFAULT_FROM_EMAIL = os.environ.get("CISTERN_EMAIL_FROM", "billing@cistern.invalid")
if os.environ.get("CISTERN_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["CISTERN_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("CISTERN_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("CISTERN_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("CISTERN_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("CISTERN_EMAIL_TLS") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Background work (bill runs, late fees) through Django's Tasks API: run at once in the request or command
# by default; with CISTERN_TASKS=database they queue in the database for `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("CISTERN_TASKS") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# /healthz fails ("worker") when no `manage.py db_worker` wrote its heartbeat (every minute) this recently.
CISTERN_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("CISTERN_WORKER_HEARTBEAT_MAX_AGE", 300))

MIDDLEWARE = [
    "cistern.core.logs.RequestLogMiddleware",  # first: times and counts every answer, redirects included
    "django.middleware.security.SecurityMiddleware",
    # Static files from the application server itself, with DEBUG off too: `make run` and a district's one
    # box need no separate web server (runserver serves them only with DEBUG on, or --insecure).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cistern.core.badinput.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cistern.core.middleware.StaffLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cistern.urls"
WSGI_APPLICATION = "cistern.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cistern.core.context_processors.district",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cistern.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite the project ships (pysqlite3-binary, a current SQLite with FTS5 and JSON) rather than the
    # system's: Debian 12's 3.40.1 segfaults on FTS5 trigram queries. Swapped in here, before Django's
    # backend first imports `sqlite3`, so every part of that backend uses the one library. Where no wheel
    # exists, the system's SQLite (search keeps short words away from the trigram index either way).
    try:
        import pysqlite3
    except ImportError:
        pass
    else:
        sys.modules["sqlite3"] = pysqlite3
        sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the counter read while a bill run writes; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-131072;"  # 128 MB of pages: a read import or bill run touches big indexes
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cistern.core.auth_backend.RoleBackend",  # ModelBackend, its permissions read in one query
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A counter PC left alone for an hour signs out; every request pushes the expiry on.
SESSION_COOKIE_AGE = int(os.environ.get("CISTERN_SESSION_SECONDS", 60 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Lockout: 5 failed sign-ins for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded and generated files (bill PDFs, letters, read files). Several web and worker machines share one
# path (a network mount): CISTERN_MEDIA_ROOT.
MEDIA_ROOT = Path(os.environ.get("CISTERN_MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Development and `make run`: WhiteNoise serves the apps' static folders as they are, no collectstatic.
# Production (settings_production) serves the collected, hashed and compressed files instead.
WHITENOISE_USE_FINDERS = True
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing

# One JSON line per event on stdout (cistern/core/logs.py): requests, tasks, imports, postings, and every
# warning or error of Django's and the libraries'.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cistern.core.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "cistern": {"level": os.environ.get("CISTERN_LOG_LEVEL", "INFO")},
        "axes": {"level": "WARNING"},
    },
}
