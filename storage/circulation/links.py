"""Linking a messenger account to a reader ticket, and the guard against guessing.

`attempt_link` is the whole decision in one place: is linking locked for this ticket
or this account, does the library system (or a desk code) confirm the reader, and
what a failure costs. A wrong answer never says which part was wrong. After
`max_failures` failures — counted per ticket and per messenger account — both are
locked for `lock` and the caller is told the lock is new, so staff hear of it once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from storage.circulation.base import (
    Credentials,
    LibrarySystem,
    Patron,
    SystemUnavailable,
    normalise_ticket,
)
from storage.circulation.hashing import check_secret, desk_code, guard_key, hash_secret
from storage.circulation.models import DeskCode, LinkGuard, ReaderLink
from storage.db import Database
from storage.models import Person
from storage.types import utcnow


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    WRONG = "wrong"  # ticket unknown or verification failed: the reader is not told which
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    patron: Patron | None = None
    locked_until: datetime | None = None
    newly_locked: bool = False
    failures_left: int | None = None


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


def _keys(ticket: str, account: str) -> tuple[str, str]:
    return guard_key("ticket", normalise_ticket(ticket)), guard_key("account", account)


async def locked_until(db: Database, ticket: str, account: str) -> datetime | None:
    now = utcnow()
    async with db.transaction() as session:
        rows = await session.scalars(
            select(LinkGuard.locked_until).where(
                LinkGuard.key.in_(_keys(ticket, account)), LinkGuard.locked_until > now
            )
        )
        times = [t for t in rows if t is not None]
        return max(times) if times else None


async def account_locked_until(db: Database, account: str) -> datetime | None:
    now = utcnow()
    async with db.transaction() as session:
        return await session.scalar(
            select(LinkGuard.locked_until).where(
                LinkGuard.key == guard_key("account", account), LinkGuard.locked_until > now
            )
        )


async def _fail(
    db: Database, ticket: str, account: str, *, max_failures: int, lock: timedelta
) -> LinkResult:
    now = utcnow()
    newly_locked = False
    worst = 0
    async with db.transaction() as session:
        for key in _keys(ticket, account):
            guard = await session.get(LinkGuard, key, with_for_update=True)
            if guard is None:
                guard = LinkGuard(key=key, failures=0)
                session.add(guard)
            expired_lock = guard.locked_until is not None and guard.locked_until <= now
            stale = guard.last_failure_at is not None and now - guard.last_failure_at > lock
            if expired_lock or stale:
                guard.failures, guard.locked_until = 0, None
            guard.failures += 1
            guard.last_failure_at = now
            worst = max(worst, guard.failures)
        if worst >= max_failures:
            until = now + lock
            for key in _keys(ticket, account):
                guard = await session.get(LinkGuard, key)
                assert guard is not None
                if guard.locked_until is None or guard.locked_until <= now:
                    newly_locked = True
                guard.locked_until = until
            return LinkResult(LinkOutcome.LOCKED, locked_until=until, newly_locked=newly_locked)
    return LinkResult(LinkOutcome.WRONG, failures_left=max_failures - worst)


async def _clear(db: Database, ticket: str, account: str) -> None:
    async with db.transaction() as session:
        await session.execute(delete(LinkGuard).where(LinkGuard.key.in_(_keys(ticket, account))))


async def attempt_link(
    db: Database,
    system: LibrarySystem,
    *,
    person_id: int,
    account: str,
    ticket: str,
    credentials: Credentials | None = None,
    code: str | None = None,
    max_failures: int,
    lock: timedelta,
) -> LinkResult:
    """Check the reader's proof and link the ticket; `code` is a desk code instead of
    credentials. Locks are checked before the library system is asked anything."""
    ticket = normalise_ticket(ticket)
    until = await locked_until(db, ticket, account)
    if until is not None:
        return LinkResult(LinkOutcome.LOCKED, locked_until=until)
    try:
        if code is not None:
            patron = await system.find_patron(ticket)
            if patron is not None and not await _use_code(db, ticket, code):
                patron = None
        elif credentials is not None:
            patron = await system.verify(ticket, credentials)
        else:
            patron = None
    except SystemUnavailable:
        return LinkResult(LinkOutcome.UNAVAILABLE)
    if patron is None:
        return await _fail(db, ticket, account, max_failures=max_failures, lock=lock)
    await _clear(db, ticket, account)
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


async def _use_code(db: Database, ticket: str, code: str) -> bool:
    now = utcnow()
    code = "".join(code.split())
    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(DeskCode).where(
                    DeskCode.ticket == ticket.casefold(),
                    DeskCode.used_at.is_(None),
                    DeskCode.expires_at > now,
                )
            )
        )
        for row in rows:
            if check_secret(code, row.code_hash):
                row.used_at = now
                return True
    return False
