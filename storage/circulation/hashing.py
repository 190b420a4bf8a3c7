"""Salted scrypt hashes for what readers type to prove a ticket is theirs.

PINs and desk codes are short, so a fast hash would fall to a dictionary in
seconds if the database leaked; scrypt makes each guess cost memory and time.
The parameters are stored with the hash, so they can be raised later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

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


def guard_key(kind: str, value: str) -> str:
    """A lookup key that does not reveal the ticket it guards."""
    return f"{kind}:{hashlib.sha256(value.casefold().encode()).hexdigest()[:40]}"


def identity_secret(surname: str, year: int) -> str:
    """The text hashed for «фамилия и год рождения»: folded so typing style does not matter."""
    return f"{fold_name(surname)}|{year}"


def desk_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
