"""Salted scrypt hashes for what readers type to prove a ticket is theirs, and keyed
lookup keys for the guard against guessing.

PINs and desk codes are short, so a fast hash would fall to a dictionary in
seconds if the database leaked; scrypt makes each guess cost memory and time.
The parameters are stored with the hash, so they can be raised later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable

from storage.circulation.base import fold_name

# ~10 ms and 4 MiB per hash here: bearable for a nightly import of a few thousand PINs.
N, R, P = 2**12, 8, 1


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def check_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            secret.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


class GuardKeys:
    """Lookup keys for `link_guards` rows, keyed with this installation's secret.

    A plain hash of a ticket number or a messenger id is reversed by hashing every short
    number, so a leaked table would say whose ticket was being guessed, and by whom. An
    HMAC with a secret kept outside the database (`storage.installation`) says nothing.
    The secret is read on the first key asked for, so tools that never need one never
    create it.
    """

    def __init__(self, secret: Callable[[], bytes]) -> None:
        self._load = secret
        self._secret: bytes | None = None

    def digest(self, kind: str, value: str, length: int = 40) -> str:
        """`length` hex digits of HMAC-SHA256(secret, kind, folded value)."""
        if self._secret is None:
            self._secret = self._load()
        message = f"{kind}\0{value.casefold()}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:length]

    def key(self, kind: str, value: str) -> str:
        """A lookup key that does not reveal the ticket or account it guards."""
        return f"{kind}:{self.digest(kind, value)}"


def identity_secret(surname: str, year: int) -> str:
    """The text hashed for «фамилия и год рождения»: folded so typing style does not matter."""
    return f"{fold_name(surname)}|{year}"


def desk_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
