"""This installation's own secret, kept in the data directory rather than the database.

Some keys stored in the database are made from short, guessable values (ticket numbers,
messenger ids). Keyed with a secret that lives only in the data directory, they reveal
nothing to someone who has a copy of the database — a backup, a dump — but not the files.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_FILE = "installation-secret"
SECRET_BYTES = 32


class InstallationSecretError(Exception):
    """The secret file exists but is not one this code wrote."""


def installation_secret(data_dir: Path) -> bytes:
    """The 32 random bytes in `data_dir/installation-secret`, created (mode 0600) on first use.

    Several processes may start together: each writes a draft and hard-links it into place,
    which fails for all but the first, so every process ends up reading the same secret.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        _create(path)
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != SECRET_BYTES:
        msg = (
            f"{path} does not hold {SECRET_BYTES * 2} hex digits; delete it and libbot "
            "makes a new one (pending guards against guessing start afresh)"
        )
        raise InstallationSecretError(msg)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("%s is readable by other users; chmod 600 it", path)
    return secret


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(SECRET_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its secret is the one
        else:
            log.info("created the installation secret %s", path)
    finally:
        draft.unlink(missing_ok=True)
