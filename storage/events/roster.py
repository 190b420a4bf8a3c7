"""Who is registered for an event and who came: the counts, the confirmed participants,
attendance marked by a scanned ticket or a tick, and the people to tell about a change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.events.models import ACTIVE, Event, Registration, RegistrationStatus
from storage.events.places import Place, place_from_row
from storage.models import Person
from storage.types import utcnow


async def counts(db: Database, event_id: int) -> dict[RegistrationStatus, int]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        )
        return {RegistrationStatus(status): n for status, n in rows}


@dataclass(frozen=True, slots=True)
class Attendance:
    place: Place
    event_title: str
    already: bool  # attendance was marked before (a second scan)


async def mark_attended(
    db: Database,
    *,
    ticket: str | None = None,
    registration_id: int | None = None,
    present: bool = True,
    now: datetime | None = None,
) -> Attendance | None:
    """Mark (or unmark) attendance of a confirmed registration, by QR ticket or by id."""
    now = now or utcnow()
    async with db.transaction() as session:
        query = select(Registration)
        if ticket is not None:
            query = query.where(Registration.ticket == ticket)
        else:
            query = query.where(Registration.id == registration_id)
        row = await session.scalar(query)
        if row is None or row.status != RegistrationStatus.CONFIRMED:
            return None
        event = await session.get(Event, row.event_id)
        already = row.attended_at is not None
        if present and not already:
            row.attended_at = now
        elif not present:
            row.attended_at = None
        return Attendance(await place_from_row(session, row), event.title if event else "", already)


@dataclass(frozen=True, slots=True)
class Recipient:
    registration_id: int
    person_id: int
    platform: str
    chat_id: str
    language: str


async def recipients(
    db: Database, event_id: int, statuses: tuple[RegistrationStatus, ...] = ACTIVE
) -> list[Recipient]:
    """Who to tell about an event: registered people still reachable in a messenger."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                Registration.id,
                Person.id,
                Person.platform,
                Person.platform_user_id,
                Person.language,
            )
            .join(Person, Person.id == Registration.person_id)
            .where(Registration.event_id == event_id, Registration.status.in_(statuses))
            .order_by(Registration.id)
        )
        return [Recipient(*row) for row in rows]


async def attendees(db: Database, event_id: int) -> list[Place]:
    """Confirmed participants, for the attendance list with ticks."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.name, Registration.id)
        )
        return [await place_from_row(session, row) for row in rows]


async def attended_ids(db: Database, event_id: int) -> set[int]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Registration.id).where(
                Registration.event_id == event_id, Registration.attended_at.is_not(None)
            )
        )
        return set(rows)
