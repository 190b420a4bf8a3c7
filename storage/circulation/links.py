"""Linking a messenger account to a reader ticket, and the guard against guessing.

`attempt_link` is the whole decision in one place: may this account try this ticket
now, does the library system (or a desk code) confirm the reader, and what a failure
costs. A wrong answer never says which part was wrong. What failures cost — the
guessing account is locked, the ticket only slowed down, staff told once — is in
`link_guard`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from storage.circulation import link_guard
from storage.circulation.base import (
    Credentials,
    LibrarySystem,
    Patron,
    SystemUnavailable,
    normalise_ticket,
)
from storage.circulation.hashing import check_secret, desk_code, hash_secret
from storage.circulation.link_guard import GuardPolicy, TicketAlarm
from storage.circulation.models import DeskCode, ReaderLink
from storage.db import Database
from storage.models import Person
from storage.types import utcnow

# What is left of a ticket once typed: letters of any alphabet, digits, / . - _
TICKET = re.compile(r"^[\w/.-]{1,32}$")
# Desk codes are six digits (`hashing.desk_code`): in the password and surname modes a
# secret of this shape is also tried as a desk code.
DESK_CODE = re.compile(r"^\d{6}$")
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-")
)
# Words people put before the number: «мой читательский билет №», «номер билета:», «N 1001».
# A lone N / No / Nr is a word only when something separates it from the number, since
# a card number may itself start with a letter.
_PREFIX = re.compile(
    r"^(?:(?:мо[йяё]|это|читательск\w*|библиотечн\w*|номер\w*|билет\w*|карт[аыу]|"
    r"карточк\w*|ticket|library|card|number|n|no|nr)(?:[\s.:#=]+|$))+",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[^\W\d_]{5,}")


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    WRONG = "wrong"  # ticket unknown or verification failed: the reader is not told which
    LOCKED = "locked"  # this messenger account, for guessing
    SLOWED = "slowed"  # the ticket had many failures: it is checked again from `retry_at`
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    patron: Patron | None = None
    locked_until: datetime | None = None
    retry_at: datetime | None = None
    failures_left: int | None = None
    alarm: TicketAlarm | None = None  # the ticket just reached the threshold: tell staff


@dataclass(frozen=True, slots=True)
class LinkView:
    person_id: int
    ticket: str
    patron_ref: str
    reader_name: str | None
    reminders: bool

    def patron(self) -> Patron:
        return Patron(ticket=self.ticket, ref=self.patron_ref, name=self.reader_name)


@dataclass(frozen=True, slots=True)
class LinkedReader:
    """A linked account as the reminder sweep needs it."""

    person_id: int
    platform: str
    chat_id: str
    language: str
    ticket: str
    patron_ref: str
    reader_name: str | None


def typed_ticket(text: str) -> str | None:
    """The ticket number in what a reader typed, or None if it cannot be one.

    People type «№ 1001», «билет 10 01», «N 1001.», «10–01»: the number sign, the words
    before the number, punctuation at the edges and spaces are dropped, dashes made one
    kind, and a number of digits and dashes only loses the dashes (they group digits, as
    spaces do). Letters and dashes inside a mixed number stay, as some systems store them.
    Something with no digit, or with a word in it («Иванова 1985», «не помню»), is not a
    ticket: answered without costing an attempt.
    """
    text = unicodedata.normalize("NFKC", text.replace("\u2116", " ").translate(_DASHES))
    text = _PREFIX.sub("", text.strip())
    text = "".join(ch for ch in text if not ch.isspace())
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    ticket = text[start:end]
    if ticket and all(ch.isdigit() or ch == "-" for ch in ticket):
        ticket = ticket.replace("-", "")
    if not TICKET.match(ticket) or not any(ch.isdigit() for ch in ticket):
        return None
    if _LETTERS.search(ticket):  # a word, not a letter prefix
        return None
    return ticket


async def attempt_link(
    db: Database,
    system: LibrarySystem,
    *,
    guard: GuardPolicy,
    person_id: int,
    account: str,
    ticket: str,
    credentials: Credentials | None = None,
    code: str | None = None,
) -> LinkResult:
    """Check the reader's proof and link the ticket. The guard is asked before the
    library system is asked anything.

    `code` is a desk code, accepted in every verification mode: staff gave it to the
    reader in person, the strongest proof there is. When both are given (a six-digit
    secret in the password mode may be either), a matching desk code links and
    otherwise the credentials are checked — one failure at most is counted."""
    ticket = normalise_ticket(ticket)
    admission = await link_guard.admit(db, guard, ticket, account)
    if admission.account_locked_until is not None:
        return LinkResult(LinkOutcome.LOCKED, locked_until=admission.account_locked_until)
    if admission.ticket_open_at is not None:
        return LinkResult(LinkOutcome.SLOWED, retry_at=admission.ticket_open_at)
    try:
        patron = await _patron_by_code(db, system, ticket, code) if code is not None else None
        if patron is None and credentials is not None:
            patron = await system.verify(ticket, credentials)
    except SystemUnavailable:
        return LinkResult(LinkOutcome.UNAVAILABLE)
    if patron is None:
        failure = await link_guard.record_failure(db, guard, ticket, account)
        if failure.account_locked_until is not None:
            return LinkResult(
                LinkOutcome.LOCKED, locked_until=failure.account_locked_until, alarm=failure.alarm
            )
        return LinkResult(
            LinkOutcome.WRONG, failures_left=failure.failures_left, alarm=failure.alarm
        )
    await link_guard.clear(db, guard, ticket, account)
    await save_link(db, person_id, patron)
    return LinkResult(LinkOutcome.LINKED, patron=patron)


async def save_link(db: Database, person_id: int, patron: Patron) -> None:
    async with db.transaction() as session:
        link = await session.get(ReaderLink, person_id)
        if link is None:
            link = ReaderLink(person_id=person_id, reminders=True)
            session.add(link)
        link.ticket = patron.ticket
        link.patron_ref = patron.ref
        link.reader_name = patron.name
        link.linked_at = utcnow()


async def get_link(db: Database, person_id: int) -> LinkView | None:
    async with db.transaction() as session:
        link = await session.get(ReaderLink, person_id)
        if link is None:
            return None
        return LinkView(
            link.person_id, link.ticket, link.patron_ref, link.reader_name, link.reminders
        )


async def unlink(db: Database, person_id: int) -> bool:
    async with db.transaction() as session:
        result = await session.execute(delete(ReaderLink).where(ReaderLink.person_id == person_id))
        return bool(result.rowcount)


async def unlink_ticket(db: Database, ticket: str) -> list[tuple[str, str, str]]:
    """Staff unlinking on a reader's request: every account on that ticket.

    Returns (platform, chat id, language) of each, so they can be told."""
    wanted = normalise_ticket(ticket).casefold()
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(ReaderLink.person_id, ReaderLink.ticket, Person.platform)
                .add_columns(Person.platform_user_id, Person.language)
                .join(Person, Person.id == ReaderLink.person_id)
            )
        ).all()
        matched = [r for r in rows if r.ticket.casefold() == wanted]
        if matched:
            await session.execute(
                delete(ReaderLink).where(ReaderLink.person_id.in_([r.person_id for r in matched]))
            )
        return [(r.platform, r.platform_user_id, r.language) for r in matched]


async def set_reminders(db: Database, person_id: int, enabled: bool) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(ReaderLink).where(ReaderLink.person_id == person_id).values(reminders=enabled)
        )


async def readers_for_reminders(db: Database) -> list[LinkedReader]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                ReaderLink.person_id,
                Person.platform,
                Person.platform_user_id,
                Person.language,
                ReaderLink.ticket,
                ReaderLink.patron_ref,
                ReaderLink.reader_name,
            )
            .join(Person, Person.id == ReaderLink.person_id)
            .where(ReaderLink.reminders.is_(True))
            .order_by(ReaderLink.person_id)
        )
        return [LinkedReader(*row) for row in rows]


# --- desk codes -----------------------------------------------------------------------


async def issue_desk_code(
    db: Database, ticket: str, *, valid_for: timedelta, issued_by: str | None
) -> str:
    """A fresh one-time code for this ticket; earlier unused codes stop working."""
    ticket = normalise_ticket(ticket).casefold()
    code = desk_code()
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            update(DeskCode)
            .where(DeskCode.ticket == ticket, DeskCode.used_at.is_(None))
            .values(used_at=now)
        )
        session.add(
            DeskCode(
                ticket=ticket,
                code_hash=hash_secret(code),
                expires_at=now + valid_for,
                created_by=issued_by,
            )
        )
    return code


async def _patron_by_code(
    db: Database, system: LibrarySystem, ticket: str, code: str
) -> Patron | None:
    """The reader a valid desk code vouches for, the code used up; None if no code of
    this ticket matches. The library system is asked only when one does, and the code
    is spent only once the system has named the reader (a system that is down leaves
    the code for the next try)."""
    found = await _matching_code(db, ticket, code)
    if found is None:
        return None
    patron = await system.find_patron(ticket)
    if patron is None or not await _spend_code(db, found):
        return None
    return patron


async def _matching_code(db: Database, ticket: str, code: str) -> int | None:
    now = utcnow()
    code = "".join(code.split())
    async with db.transaction() as session:
        rows = await session.execute(
            select(DeskCode.id, DeskCode.code_hash).where(
                DeskCode.ticket == ticket.casefold(),
                DeskCode.used_at.is_(None),
                DeskCode.expires_at > now,
            )
        )
        return next((row.id for row in rows if check_secret(code, row.code_hash)), None)


async def _spend_code(db: Database, code_id: int) -> bool:
    """Mark the code used; False if another press used it first."""
    async with db.transaction() as session:
        result = await session.execute(
            update(DeskCode)
            .where(DeskCode.id == code_id, DeskCode.used_at.is_(None))
            .values(used_at=utcnow())
        )
        return result.rowcount == 1
