"""What a «Продлить» button may say about a loan: a key bound to one reader.

A button never carries a loan's raw id. It names the loan by a short hash of (reader,
loan), so data copied from another reader's chat, or made up, names none of the
presser's own loans and renews nothing; «Продлить все» names the list the reader saw by
a digest of it, so a list that changed since is shown again before anything is renewed.
The «Мои книги» screen and the reminders make the keys, the renewal checks them
(`storage.circulation.renewal`): one rule, in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from storage.circulation.base import Loan


def loan_key(patron_ref: str, loan_ref: str) -> str:
    """Names a loan in button data; bound to the reader, so it means nothing to anyone else."""
    return hashlib.sha256(f"{patron_ref}\x1f{loan_ref}".encode()).hexdigest()[:12]


def state_digest(patron_ref: str, loans: Sequence[Loan]) -> str:
    """«Продлить все» acts on the list the reader saw; a changed list is shown again first."""
    state = "\x1e".join(sorted(f"{loan.ref}\x1f{loan.due.isoformat()}" for loan in loans))
    return hashlib.sha256(f"{patron_ref}\x1d{state}".encode()).hexdigest()[:12]
