"""What Koha's answers mean for the reader: refusal codes, renewals and holds placed or
refused, and the values (days, titles, ids) read out of its JSON."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from storage.circulation.base import (
    HoldOutcome,
    HoldPlacement,
    HoldRefusal,
    HoldStatus,
    Loan,
    Outcome,
    Patron,
    Refusal,
    Renewal,
    SurnameAndYear,
    SystemUnavailable,
    same_surname,
)
from storage.circulation.koha.client import Reply, failure, opt_int

# The package's name: log lines read as they did before the package was split.
log = logging.getLogger("storage.circulation.koha")

NO_TITLE = "—"

# CanBookBeRenewed's codes (C4/Circulation.pm), in the reader's terms. Unknown → RULES.
REFUSALS: dict[str, Refusal] = {
    "too_many": Refusal.TOO_MANY,
    "too_unseen": Refusal.TOO_MANY,
    "on_reserve": Refusal.RESERVED,
    "recalled": Refusal.RESERVED,
    "booked": Refusal.RESERVED,
    "overdue": Refusal.OVERDUE,
    "auto_too_late": Refusal.OVERDUE,
    "too_much_owing": Refusal.DEBTS,
    "auto_too_much_oweing": Refusal.DEBTS,  # Koha ≤ 25.x spelling
    "auto_too_much_owing": Refusal.DEBTS,
    "restriction": Refusal.BLOCKED,
    "auto_account_expired": Refusal.BLOCKED,
    "too_soon": Refusal.TOO_SOON,
    "auto_too_soon": Refusal.TOO_SOON,
    "onsite_checkout": Refusal.AT_DESK,
    "item_denied_renewal": Refusal.AT_DESK,
    "item_issued_to_other_patron": Refusal.AT_DESK,
}
HOLD_STATUSES = {"W": HoldStatus.WAITING, "T": HoldStatus.IN_TRANSIT}
# Why Koha will not place a hold: CanBookBeReserved / CanItemBeReserved statuses
# (C4/Reserves.pm) and Koha::Patron->can_place_holds codes. Unknown → RULES.
HOLD_REFUSALS: dict[str, HoldRefusal] = {
    "alreadyReserved": HoldRefusal.ALREADY_HELD,
    "itemAlreadyOnHold": HoldRefusal.ALREADY_HELD,
    "tooManyHoldsForThisRecord": HoldRefusal.ALREADY_HELD,
    "alreadypossession": HoldRefusal.HAVE_IT,
    "tooManyReserves": HoldRefusal.TOO_MANY,
    "tooManyReservesToday": HoldRefusal.TOO_MANY,
    "hold_limit": HoldRefusal.TOO_MANY,
    "expired": HoldRefusal.BLOCKED,
    "debt_limit": HoldRefusal.BLOCKED,
    "debt": HoldRefusal.BLOCKED,
    "restricted": HoldRefusal.BLOCKED,
    "debarred": HoldRefusal.BLOCKED,
    "card_lost": HoldRefusal.BLOCKED,
    "bad_address": HoldRefusal.BLOCKED,
    "notReservable": HoldRefusal.NOT_HOLDABLE,
    "noReservesAllowed": HoldRefusal.NOT_HOLDABLE,
    "notforloan": HoldRefusal.NOT_HOLDABLE,
    "ageRestricted": HoldRefusal.NOT_HOLDABLE,
    "damaged": HoldRefusal.NOT_HOLDABLE,
    "recall": HoldRefusal.NOT_HOLDABLE,
    "cannotReserveFromOtherBranches": HoldRefusal.NOT_HOLDABLE,
    "branchNotInHoldGroup": HoldRefusal.NOT_HOLDABLE,
    "libraryNotPickupLocation": HoldRefusal.PICKUP,
    "pickupNotInHoldGroup": HoldRefusal.PICKUP,
    "cannotBeTransferred": HoldRefusal.PICKUP,
    "libraryNotFound": HoldRefusal.PICKUP,
}
_HOLD_REASON = re.compile(r"Reason: (\w+)")
_BAD_PICKUP = re.compile(r"pickup location", re.IGNORECASE)
_NOT_AUTHORISED = re.compile(r"Renewal not authorized \(([^)]*)\)")


def refusal_for(code: str | None) -> Refusal:
    """A refusal code from Koha in the reader's terms; codes we do not know are «rules»."""
    return REFUSALS.get(code or "", Refusal.RULES)


@dataclass(frozen=True, slots=True)
class Check:
    """What `allows_renewal` said about one checkout."""

    refusal: Refusal | None
    max_renewals: int | None
    detail: str | None


def renewal(loan: Loan, path: str, reply: Reply) -> Renewal:
    """What became of a renewal POST Koha answered."""
    if 200 <= reply.status < 300:  # 201; very old Koha said 200
        body = reply.body if isinstance(reply.body, dict) else {}
        return Renewal(loan.ref, loan.title, Outcome.RENEWED, due=day(body.get("due_date")))
    if reply.status == 403 and (code := _refusal_code(reply.body)) is not None:
        return refused(loan, refusal_for(code), code or None)
    if reply.status == 404:
        return refused(loan, Refusal.NOT_ON_LOAN, "not_found")
    if reply.status == 504:  # a proxy gave up waiting: Koha had the request and may have acted
        log.warning("Renewal %s: gateway timeout, outcome unknown", path)
        return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
    failure("POST", path, reply)  # logs why; Koha refused the request itself
    return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)


def placement(path: str, reply: Reply) -> HoldPlacement:
    """What became of a hold POST Koha answered."""
    body = reply.body if isinstance(reply.body, dict) else {}
    if 200 <= reply.status < 300:
        return HoldPlacement(
            HoldOutcome.PLACED,
            ref=str(body["hold_id"]) if opt_int(body.get("hold_id")) is not None else None,
            queue_position=opt_int(body.get("priority")) or None,
        )
    error = body.get("error") if isinstance(body.get("error"), str) else None
    if reply.status in (403, 409):
        code = body.get("error_code")
        if not isinstance(code, str) or not code:
            match = _HOLD_REASON.search(error or "")
            code = match.group(1) if match else None
        if code:
            refusal = HOLD_REFUSALS.get(code, HoldRefusal.RULES)
            return HoldPlacement(HoldOutcome.REFUSED, refusal=refusal, detail=code)
    if reply.status == 400 and error and _BAD_PICKUP.search(error):
        return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.PICKUP, detail=error[:200])
    said = (error or str(reply.body or ""))[:200]
    if reply.status == 400 and "patron" in said.casefold():  # the card was deleted meanwhile
        log.warning("Koha refused a hold: %s", said)
        return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.RULES, detail=said)
    if reply.status in (400, 404) and "not found" in said.casefold():  # the record went
        log.warning("Koha refused a hold: %s", said)
        return HoldPlacement(HoldOutcome.UNKNOWN_BOOK, detail=said)
    if reply.status == 504:  # a proxy gave up waiting: Koha had the request
        log.warning("Hold %s: gateway timeout, outcome unknown", path)
        return HoldPlacement(HoldOutcome.UNCONFIRMED)
    failure("POST", path, reply)  # logs why
    return HoldPlacement(HoldOutcome.UNAVAILABLE)


def refused(loan: Loan, refusal: Refusal, detail: str | None = None) -> Renewal:
    return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=refusal, detail=detail)


def _refusal_code(body: object) -> str | None:
    """The code of a renewal refusal; None for other 403s (the API user's permissions)."""
    if not isinstance(body, dict):
        return None
    text, code = body.get("error"), body.get("error_code")
    match = _NOT_AUTHORISED.search(text) if isinstance(text, str) else None
    if isinstance(code, str) and code and (match or code in REFUSALS):
        return code
    return match.group(1) if match else None


def identity_ok(record: dict[str, Any], given: SurnameAndYear) -> bool:
    born = day(record.get("date_of_birth"))
    surname = record.get("surname")
    return (
        born is not None
        and born.year == given.year
        and isinstance(surname, str)
        and same_surname(given.surname, surname)
    )


def belongs(row: dict[str, Any], patron: Patron) -> bool:
    """A row of this patron's: the server may have matched `patron_id` loosely."""
    return str(row.get("patron_id")) == patron.ref


def record_title(biblio: object) -> str:
    """The record's title without the ISBD punctuation catalogues leave at its end."""
    title = biblio.get("title") if isinstance(biblio, dict) else None
    if not isinstance(title, str):
        return NO_TITLE
    return title.strip().rstrip(" /:;,=").strip() or NO_TITLE


def day(value: object) -> date | None:
    """The calendar day of a Koha `date` or `date-time` (its date part, as Koha wrote it)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def int_field(row: dict[str, Any], key: str) -> int:
    value = row.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SystemUnavailable(f"Koha sent a {key} that is not a number")
    return value
