"""The events themselves as staff change them: created, moved, edited, cancelled — each
under the event's lock (`places.lock_event`), like every change to its seats. A change of
the seat count moves people up from the waiting list, so it is a seat rule:
`registrations.set_seats`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.db import Database
from storage.events.models import Event, EventStatus
from storage.events.places import lock_event
from storage.types import utcnow


async def create_event(db: Database, **values: Any) -> int:
    async with db.transaction() as session:
        event = Event(**values, status=EventStatus.SCHEDULED)
        session.add(event)
        await session.flush()
        return event.id


async def move_event(db: Database, event_id: int, starts_at: datetime) -> bool:
    """A new start (the end moves with it); False if the event is gone or cancelled."""
    async with db.transaction() as session:
        event = await lock_event(session, event_id)
        if event is None or event.status != EventStatus.SCHEDULED:
            return False
        if event.ends_at is not None:
            event.ends_at = starts_at + (event.ends_at - event.starts_at)
        event.starts_at = starts_at
        event.updated_at = utcnow()
        return True


async def update_event(db: Database, event_id: int, **values: Any) -> bool:
    """Change an event's title, description, questions or photo."""
    async with db.transaction() as session:
        event = await lock_event(session, event_id)
        if event is None:
            return False
        for key, value in values.items():
            setattr(event, key, value)
        event.updated_at = utcnow()
        return True


async def cancel_event(db: Database, event_id: int) -> bool:
    """Staff cancel an event; False if it was already cancelled or does not exist."""
    async with db.transaction() as session:
        event = await lock_event(session, event_id)
        if event is None or event.status != EventStatus.SCHEDULED:
            return False
        event.status = EventStatus.CANCELLED
        event.updated_at = utcnow()
        return True
