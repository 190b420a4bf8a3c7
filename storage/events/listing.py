"""Reading events: the upcoming list (paged, filtered), one event, a person's places."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.db import Database
from storage.events.models import (
    ACTIVE,
    NKO_KINDS,
    Event,
    EventKind,
    EventStatus,
    Registration,
)
from storage.events.registrations import Place, place_from_row
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    required: bool


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    title: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime | None
    branch_id: str | None
    room: str | None
    description: str | None
    photo: str | None
    seats: int | None
    taken: int
    waitlist: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    questions: tuple[Question, ...]
    ask_organisation: bool
    ask_contact: bool
    status: EventStatus

    @property
    def contact_required(self) -> bool:
        """A contact the form insists on: asked, and for NKO work (see `NKO_KINDS`)."""
        return self.ask_contact and self.kind in NKO_KINDS

    @property
    def seats_left(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.taken, 0)

    def open_for_registration(self, now: datetime) -> bool:
        if self.status != EventStatus.SCHEDULED:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now < (self.registration_closes_at or self.starts_at)


def _questions(text: str) -> tuple[Question, ...]:
    data: list[dict[str, Any]] = json.loads(text or "[]")
    return tuple(Question(str(q.get("text", "")), bool(q.get("required"))) for q in data)


def view(row: Event) -> EventView:
    return EventView(
        id=row.id,
        title=row.title,
        kind=EventKind(row.kind),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        branch_id=row.branch_id,
        room=row.room,
        description=row.description,
        photo=row.photo,
        seats=row.seats,
        taken=row.taken,
        waitlist=row.waitlist,
        registration_opens_at=row.registration_opens_at,
        registration_closes_at=row.registration_closes_at,
        questions=_questions(row.questions),
        ask_organisation=row.ask_organisation,
        ask_contact=row.ask_contact,
        status=EventStatus(row.status),
    )


async def upcoming(
    db: Database,
    *,
    now: datetime | None = None,
    kind: str = "",
    branch: str = "",
    offset: int = 0,
    limit: int = 5,
    before: datetime | None = None,
) -> tuple[list[EventView], int]:
    """Events still to come (from `now`, up to `before` when given), the soonest first."""
    now = now or utcnow()
    where = [Event.status == EventStatus.SCHEDULED, Event.starts_at > now]
    if before is not None:
        where.append(Event.starts_at < before)
    if kind:
        where.append(Event.kind == kind)
    if branch:
        where.append(Event.branch_id == branch)
    async with db.reading() as session:
        total = await session.scalar(select(func.count()).select_from(Event).where(*where))
        rows = await session.scalars(
            select(Event)
            .where(*where)
            .order_by(Event.starts_at, Event.id)
            .offset(offset)
            .limit(limit)
        )
        return [view(r) for r in rows], int(total or 0)


async def get(db: Database, event_id: int) -> EventView | None:
    async with db.reading() as session:
        row = await session.get(Event, event_id)
        return view(row) if row is not None else None


async def my_places(
    db: Database, person_id: int, *, now: datetime | None = None
) -> list[tuple[EventView, Place]]:
    """Upcoming events the person is registered for (or waiting for), soonest first."""
    now = now or utcnow()
    async with db.reading() as session:
        rows = await session.execute(
            select(Event, Registration)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.person_id == person_id,
                Registration.status.in_(ACTIVE),
                Event.starts_at > now,
                Event.status == EventStatus.SCHEDULED,
            )
            .order_by(Event.starts_at)
        )
        return [(view(event), await place_from_row(session, row)) for event, row in rows]
