"""Encryption of sensitive fields (an autopay enrolment's bank account number): `cryptography`'s Fernet
(AES-128-CBC with an HMAC-SHA256, authenticated: a changed ciphertext is refused, never decrypted to
something else).

The key: the environment variable CISTERN_FIELD_KEY (a Fernet key, 32 url-safe base64 bytes; several keys
separated by commas rotate: the first encrypts, every one decrypts). Without it (development, tests, the demo)
a key kept under the var directory (var/field_key, owner-only), made on first use as settings.py keeps the
secret key: per checkout, never in the repository. Production sets CISTERN_FIELD_KEY and keeps it with the
backups' keys: the stored numbers cannot be read without it.
"""

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

KEY_VARIABLE = "CISTERN_FIELD_KEY"
KEY_FILE = "field_key"


class FieldKeyError(RuntimeError):
    """The key is missing, malformed, or not the one the value was encrypted with."""


def _dev_key() -> str:
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / KEY_FILE
    if not path.exists():
        try:  # created owner-only from the start, and never overwritten by a second process at once
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(Fernet.generate_key().decode())
    return path.read_text().strip()


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    except (ValueError, TypeError) as e:
        raise FieldKeyError(
            f"{KEY_VARIABLE} is not a Fernet key (32 url-safe base64-encoded bytes): {e}"
        ) from None


def _current() -> MultiFernet:
    return _fernet(os.environ.get(KEY_VARIABLE) or _dev_key())


def encrypt(plain: str) -> str:
    """The value encrypted, as text for a TextField."""
    return _current().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise FieldKeyError(
            f"A stored value cannot be decrypted with the key in use: is {KEY_VARIABLE} the district's key?"
        ) from None
