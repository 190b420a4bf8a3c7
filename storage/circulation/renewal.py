"""Renewing from «Мои книги» or a reminder: which loans a press means, and what became of them.

A press is checked against the reader's loans as the library system lists them now,
never against what the button says: the button only names a loan by a key bound to
this reader (`loan_keys`) and the due date it was made for, or — «Продлить все» — the
list the reader saw by its digest. So a replayed or forged button renews nothing of
anyone else's, a second press after a renewal is «уже продлено» instead of spending
another renewal, and «Продлить все» on a list that changed since shows the list again.

Then loans the pre-check already refuses are not sent at all (their reason is known),
the rest go to the system — one request for several, where the system can — and the
outcomes come back in the order of the list. A system that stops answering midway
leaves its loans UNAVAILABLE; nothing is retried blindly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from storage import activity as activity_log
from storage.activity import ActivityNote
from storage.circulation.base import (
    LibrarySystem,
    Loan,
    Outcome,
    Patron,
    Renewal,
    SystemUnavailable,
)
from storage.circulation.loan_keys import loan_key, state_digest
from storage.db import Database
from storage.models import ActivityKind

# Renewed, or sent and unconfirmed: the list right after offers no «Продлить» for these.
ACTED_ON = frozenset({Outcome.RENEWED, Outcome.UNCONFIRMED})


class Reader(Protocol):
    """Who renewed, as the activity log names them (a `storage.people.PersonView`)."""

    @property
    def id(self) -> int: ...

    @property
    def platform(self) -> str: ...

    @property
    def display_name(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RenewOne:
    """«Продлить» on one loan: its key, and the due date (an ordinal) the button was made for."""

    key: str
    due: int


@dataclass(frozen=True, slots=True)
class RenewAll:
    """«Продлить все»: the digest of the list the reader saw."""

    digest: str


Press = RenewOne | RenewAll


class Stop(enum.StrEnum):
    """Why a press renews nothing (the values are what the activity log says)."""

    UNAVAILABLE = "unavailable"  # the system could not be asked
    TICKET_GONE = "ticket gone"  # the system no longer knows the linked ticket
    STALE_LIST = "stale list"  # «Продлить все» on a list that has changed since
    NOT_THEIRS = "not this reader's loan"  # the key names none of this reader's loans
    ALREADY_RENEWED = "already renewed"  # the loan's due date moved since the button was made


@dataclass(frozen=True, slots=True)
class Stopped:
    """Nothing is sent to the system. `loans` is the list now (STALE_LIST shows it again);
    `loan` the loan the button names (ALREADY_RENEWED: with its new due date)."""

    stop: Stop
    patron: Patron | None = None
    loans: tuple[Loan, ...] = ()
    loan: Loan | None = None


@dataclass(frozen=True, slots=True)
class Chosen:
    """The loans a press means, in the order of the reader's list."""

    patron: Patron
    loans: tuple[Loan, ...]


@dataclass(frozen=True, slots=True)
class Renewed:
    """One result per chosen loan, in order; the list afterwards (None: the system stopped
    answering) and which loans it should offer no «Продлить» for."""

    results: tuple[Renewal, ...]
    fresh: tuple[Loan, ...] | None
    just_renewed: frozenset[str]


async def choose(system: LibrarySystem, ticket: str, press: Press) -> Chosen | Stopped:
    """What this press may renew of the reader's loans now, or why nothing."""
    try:
        patron = await system.find_patron(ticket)  # a card may have been blocked since
        loans = tuple(await system.loans(patron)) if patron is not None else ()
    except SystemUnavailable:
        return Stopped(Stop.UNAVAILABLE)
    if patron is None:
        return Stopped(Stop.TICKET_GONE)
    if isinstance(press, RenewAll):
        if press.digest != state_digest(patron.ref, loans):
            return Stopped(Stop.STALE_LIST, patron, loans)
        return Chosen(patron, loans)
    loan = next((x for x in loans if loan_key(patron.ref, x.ref) == press.key), None)
    if loan is None:
        return Stopped(Stop.NOT_THEIRS, patron, loans)
    if loan.due.toordinal() != press.due:
        return Stopped(Stop.ALREADY_RENEWED, patron, loans, loan)
    return Chosen(patron, (loan,))


async def renew(system: LibrarySystem, chosen: Chosen) -> Renewed:
    """Renew what was chosen; refused loans are answered from the pre-check, unsent."""
    patron = chosen.patron
    refused = {
        x.ref: Renewal(x.ref, x.title, Outcome.REFUSED, refusal=x.refusal)
        for x in chosen.loans
        if x.refusal is not None
    }
    renewable = [x for x in chosen.loans if x.refusal is None]
    try:
        if len(renewable) > 1:
            done = await system.renew_all(patron, renewable)
        else:
            done = [await system.renew(patron, x) for x in renewable]
    except SystemUnavailable:
        done = [Renewal(x.ref, x.title, Outcome.UNAVAILABLE) for x in renewable]
    by_ref = {**refused, **{r.loan_ref: r for r in done}}
    results = tuple(by_ref[x.ref] for x in chosen.loans if x.ref in by_ref)
    try:
        fresh: tuple[Loan, ...] | None = tuple(await system.loans(patron))
    except SystemUnavailable:
        fresh = None
    acted = frozenset(r.loan_ref for r in results if r.outcome in ACTED_ON)
    return Renewed(results, fresh, acted)


async def record(
    db: Database, person: Reader, results: tuple[Renewal, ...], update_id: int | None
) -> None:
    """One activity row per renewal attempt, with its result (the продление sheet)."""
    for result in results:
        status = result.outcome.value
        if result.outcome is Outcome.REFUSED and result.refusal is not None:
            status = f"refused: {result.refusal.value}"
        await activity_log.record(
            db,
            ActivityNote(
                platform=person.platform,
                kind=ActivityKind.RENEWAL,
                person_id=person.id,
                content=result.title,
                customer=person.display_name,
                executor=activity_log.BOT_EXECUTOR,
                status=status,
                notes=f"new due {result.due.isoformat()}" if result.due else result.detail,
                update_id=update_id,
            ),
        )
