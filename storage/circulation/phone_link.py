"""Linking a ticket by the reader's own phone number (`verification = "phone"`).

The messenger vouches that the number is the reader's (a contact shared with its button,
checked by the handler to be the sender's own), and the library system says whose
record holds it. Exactly one reader links; several (a family sharing a phone) or none
leave the reader to the usual proof — the ticket and its secret, or a desk code.

The number is personal data that libbot never needs again: it is normalised, asked
about, and forgotten. It is not stored, not logged, not put in the conversation state;
only the link itself is kept, as for any other proof. A lookup costs no attempt — the
messenger, not the reader, supplied the number — but a locked account may not look.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from storage.circulation import link_guard, links
from storage.circulation.base import (
    LibrarySystem,
    Patron,
    SystemUnavailable,
    messenger_phone,
    normalise_ticket,
    phone_finder,
)
from storage.circulation.link_guard import GuardPolicy
from storage.db import Database


class PhoneOutcome(enum.StrEnum):
    LINKED = "linked by phone"
    SEVERAL = "several readers with the phone"
    NONE = "no reader with the phone"  # or not a Russian number: nothing to search for
    NOT_SEARCHABLE = "system cannot search by phone"
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class PhoneLinkResult:
    outcome: PhoneOutcome
    patron: Patron | None = None
    locked_until: datetime | None = None


async def link_by_phone(
    db: Database,
    system: LibrarySystem,
    *,
    guard: GuardPolicy,
    person_id: int,
    account: str,
    phone: str,
) -> PhoneLinkResult:
    """Link the one reader whose record holds `phone` (as the messenger gave it)."""
    until = await link_guard.account_locked_until(db, guard, account)
    if until is not None:
        return PhoneLinkResult(PhoneOutcome.LOCKED, locked_until=until)
    finder = phone_finder(system)
    if finder is None:
        return PhoneLinkResult(PhoneOutcome.NOT_SEARCHABLE)
    number = messenger_phone(phone)
    if number is None:
        return PhoneLinkResult(PhoneOutcome.NONE)
    try:
        found = await finder.patrons_by_phone(number)
    except SystemUnavailable:
        return PhoneLinkResult(PhoneOutcome.UNAVAILABLE)
    readers = {normalise_ticket(p.ticket).casefold(): p for p in found}
    if not readers:
        return PhoneLinkResult(PhoneOutcome.NONE)
    if len(readers) > 1:
        return PhoneLinkResult(PhoneOutcome.SEVERAL)
    patron = next(iter(readers.values()))
    await link_guard.clear(db, guard, normalise_ticket(patron.ticket), account)
    await links.save_link(db, person_id, patron)
    return PhoneLinkResult(PhoneOutcome.LINKED, patron=patron)
