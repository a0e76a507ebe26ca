"""gunicorn for Cistern: `gunicorn -c deploy/gunicorn.conf.py cistern.wsgi` (deploy/cistern-web.service).

Everything is read from the environment (deploy/environment.example). Its own lines, like the application's, are
JSON on stdout (cistern/core/logs.py), so journald keeps one stream of one shape.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The checkout, so the log formatter imports before gunicorn loads the application.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.glogging import Logger  # noqa: E402

bind = os.environ.get("CISTERN_BIND", "127.0.0.1:8000")
# Sync workers: each answers one request at a time. Two per core and one more is gunicorn's advice.
workers = int(os.environ.get("CISTERN_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A read file of 50 MB is imported in the request (metering): minutes, not gunicorn's 30 seconds.
timeout = int(os.environ.get("CISTERN_WEB_TIMEOUT", 300))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so what a long-lived process might hold on to is given back.
max_requests = 2000
max_requests_jitter = 200
# The proxy on this machine (deploy/nginx-cistern.conf) is trusted for X-Forwarded-Proto; Django reads it too
# (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("CISTERN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice under systemd); gunicorn
# makes them with mkstemp.
if Path("/dev/shm").is_dir():  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# No control socket: several gunicorns on one machine (web, tests) would fight over its one default path.
control_socket_disable = True
proc_name = "cistern-web"


class JsonLogger(Logger):
    """gunicorn's access line as a JSON event like the application's (when CISTERN_ACCESS_LOG=1): the
    application already writes a `request` event per request, with its user; this one adds the client's address
    and the bytes sent. Never the query string."""

    def access(self, resp, req, environ, request_time):
        if os.environ.get("CISTERN_ACCESS_LOG") != "1":
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info(
            "access",
            extra={
                "cistern_event": "access",
                "cistern_user": None,
                "cistern_fields": {
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": int(status),
                    "bytes": getattr(resp, "sent", None),
                    "ms": round(request_time.total_seconds() * 1000, 1),
                    "remote": environ.get("HTTP_X_REAL_IP") or environ.get("REMOTE_ADDR"),
                },
            },
        )


logger_class = JsonLogger
loglevel = os.environ.get("CISTERN_WEB_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cistern.core.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},  # Django's LOGGING takes it over in each worker
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
