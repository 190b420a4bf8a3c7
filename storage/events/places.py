"""A registration as the reader and staff see it (`Place`), and the lock every change to an
event's seats takes first.

Shared by the seat rules (storage.events.registrations), the lists of who is coming
(storage.events.roster) and the listing (storage.events.listing), so none of them has to
import another for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.events.models import Event, Registration, RegistrationStatus


@dataclass(frozen=True, slots=True)
class Place:
    """A registration as the reader and staff see it."""

    id: int
    event_id: int
    person_id: int | None
    status: RegistrationStatus
    name: str | None
    organisation: str | None
    contact: str | None
    ticket: str
    position: int | None = None  # 1-based place in the waiting list
    offer_expires_at: datetime | None = None


async def lock_event(session: AsyncSession, event_id: int, *, numbers: int = 1) -> Event | None:
    """Serialise changes to this event; return it (None if it does not exist).

    Bumping `events.queue_seq` takes the event's row lock on PostgreSQL and the database's
    write lock on SQLite: the seat count is then read and written under the lock, and the
    waiting list is numbered in the order people arrived. `numbers`: how many queue
    numbers the caller takes (the last of them is the event's `queue_seq` afterwards) —
    one per registration decided under this lock.
    """
    # One statement: the bump and the event as it is now (RETURNING, SQLite 3.35+).
    locked = await session.scalars(
        update(Event)
        .where(Event.id == event_id)
        .values(queue_seq=Event.queue_seq + numbers)
        .returning(Event)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return locked.first()


async def _position(session: AsyncSession, row: Registration) -> int | None:
    if row.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.event_id == row.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.queued_at < row.queued_at,
        )
    )
    return int(ahead or 0) + 1


def place_of(row: Registration, position: int | None) -> Place:
    """The row as a `Place`, its waiting-list position already known."""
    return Place(
        id=row.id,
        event_id=row.event_id,
        person_id=row.person_id,
        status=RegistrationStatus(row.status),
        name=row.name,
        organisation=row.organisation,
        contact=row.contact,
        ticket=row.ticket,
        position=position,
        offer_expires_at=row.offer_expires_at,
    )


async def place_from_row(session: AsyncSession, row: Registration) -> Place:
    return place_of(row, await _position(session, row))
