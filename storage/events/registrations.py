"""Taking a seat, the waiting list, cancelling and promotion — each one transaction.

Every change starts by bumping `events.queue_seq` for the event. On PostgreSQL that
UPDATE takes the event's row lock; on SQLite it takes the database's write lock. So
changes to one event are serialised, the seat count is read and written under the
lock, and the waiting list is numbered in the order people arrived.
"""

from __future__ import annotations

import enum
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.events.models import (
    ACTIVE,
    SEATED,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from storage.models import Person
from storage.types import utcnow


class Refused(enum.StrEnum):
    """Why a registration was not made."""

    GONE = "gone"  # no such event, or cancelled
    NOT_OPEN = "not_open"  # registration opens later
    CLOSED = "closed"  # registration has closed (or the event has started)
    FULL = "full"  # no seats and no waiting list


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


@dataclass(frozen=True, slots=True)
class Registered:
    place: Place
    existing: bool = False  # the person was already registered: this is their place


@dataclass(frozen=True, slots=True)
class Promotion:
    """Someone moved up from the waiting list and must confirm before `expires_at`."""

    place: Place
    platform: str | None
    chat_id: str | None
    language: str | None
    expires_at: datetime


async def _lock(session: AsyncSession, event_id: int) -> Event | None:
    """Serialise changes to this event; return it (None if it does not exist)."""
    bumped = await session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(queue_seq=Event.queue_seq + 1)
        .execution_options(synchronize_session=False)
    )
    if not bumped.rowcount:
        return None
    return await session.get(Event, event_id, populate_existing=True)


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


async def place_from_row(session: AsyncSession, row: Registration) -> Place:
    return Place(
        id=row.id,
        event_id=row.event_id,
        person_id=row.person_id,
        status=RegistrationStatus(row.status),
        name=row.name,
        organisation=row.organisation,
        contact=row.contact,
        ticket=row.ticket,
        position=await _position(session, row),
        offer_expires_at=row.offer_expires_at,
    )


def new_ticket() -> str:
    return secrets.token_urlsafe(12)


async def register(
    db: Database,
    event_id: int,
    person_id: int | None,
    *,
    name: str | None,
    organisation: str | None = None,
    contact: str | None = None,
    answers: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
    added_by: str | None = None,
    ignore_window: bool = False,
) -> Registered | Refused:
    """A seat if one is free, else a place on the waiting list (if the event keeps one).

    A person already registered gets their existing place back, unchanged. Staff adding
    someone by hand (`added_by`) may register outside the registration window.
    """
    now = now or utcnow()
    async with db.transaction() as session:
        event = await _lock(session, event_id)
        if event is None or event.status != EventStatus.SCHEDULED:
            return Refused.GONE
        if person_id is not None:
            existing = await session.scalar(
                select(Registration).where(
                    Registration.event_id == event_id, Registration.person_id == person_id
                )
            )
        else:
            existing = None
        if existing is not None and existing.status in ACTIVE:
            return Registered(await place_from_row(session, existing), existing=True)
        if not ignore_window:
            if event.registration_opens_at and now < event.registration_opens_at:
                return Refused.NOT_OPEN
            closes = event.registration_closes_at or event.starts_at
            if now >= closes:
                return Refused.CLOSED
        if event.seats is None or event.taken < event.seats:
            status = RegistrationStatus.CONFIRMED
            event.taken += 1
        elif event.waitlist:
            status = RegistrationStatus.WAITLISTED
        else:
            return Refused.FULL
        row = existing or Registration(event_id=event_id, person_id=person_id, ticket=new_ticket())
        row.status = status
        row.name, row.organisation, row.contact = name, organisation, contact
        row.answers = json.dumps(answers or [], ensure_ascii=False)
        row.queued_at = event.queue_seq
        row.offer_expires_at = None
        row.created_at = row.created_at or now
        row.updated_at = now
        row.added_by = added_by
        if existing is None:
            session.add(row)
        await session.flush()
        return Registered(await place_from_row(session, row))


async def _promote_next(
    session: AsyncSession, event: Event, *, now: datetime, window: timedelta
) -> Promotion | None:
    """Offer the freed seat to the first on the waiting list, or give the seat back."""
    nxt = await session.scalar(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )
    if nxt is None or event.status != EventStatus.SCHEDULED or now >= event.starts_at:
        event.taken = max(event.taken - 1, 0)
        return None
    expires = min(now + window, event.starts_at)
    nxt.status = RegistrationStatus.OFFERED
    nxt.offer_expires_at = expires
    nxt.updated_at = now
    person = await session.get(Person, nxt.person_id) if nxt.person_id else None
    return Promotion(
        await place_from_row(session, nxt),
        person.platform if person else None,
        person.platform_user_id if person else None,
        person.language if person else None,
        expires,
    )


async def cancel(
    db: Database,
    registration_id: int,
    *,
    person_id: int | None,
    now: datetime | None = None,
    window: timedelta = timedelta(hours=12),
) -> tuple[Place, Promotion | None] | None:
    """Cancel a place. `person_id` is the canceller (None: staff); a reader can only
    cancel their own. Returns None when there is nothing of theirs to cancel."""
    now = now or utcnow()
    async with db.transaction() as session:
        row = await session.get(Registration, registration_id)
        if row is None or (person_id is not None and row.person_id != person_id):
            return None
        event = await _lock(session, row.event_id)
        await session.refresh(row)
        if event is None or row.status not in ACTIVE:
            return None
        held_seat = row.status in SEATED
        row.status = RegistrationStatus.CANCELLED
        row.offer_expires_at = None
        row.updated_at = now
        promotion = None
        if held_seat:
            promotion = await _promote_next(session, event, now=now, window=window)
        return await place_from_row(session, row), promotion


async def confirm_offer(
    db: Database, registration_id: int, *, person_id: int, now: datetime | None = None
) -> Place | None:
    """The promoted person takes the seat (before the offer lapses)."""
    now = now or utcnow()
    async with db.transaction() as session:
        row = await session.get(Registration, registration_id)
        if row is None or row.person_id != person_id:
            return None
        await _lock(session, row.event_id)
        await session.refresh(row)
        if row.status == RegistrationStatus.CONFIRMED:
            return await place_from_row(session, row)
        if row.status != RegistrationStatus.OFFERED or (
            row.offer_expires_at is not None and row.offer_expires_at <= now
        ):
            return None
        row.status = RegistrationStatus.CONFIRMED
        row.offer_expires_at = None
        row.updated_at = now
        return await place_from_row(session, row)


async def lapse_offers(
    db: Database, *, now: datetime | None = None, window: timedelta = timedelta(hours=12)
) -> list[tuple[Place, Promotion | None]]:
    """Offers not confirmed in time lapse; the seat goes to the next on the list."""
    now = now or utcnow()
    async with db.transaction() as session:
        due = list(
            await session.execute(
                select(Registration.id, Registration.event_id).where(
                    Registration.status == RegistrationStatus.OFFERED,
                    Registration.offer_expires_at <= now,
                )
            )
        )
    results = []
    for registration_id, event_id in due:
        async with db.transaction() as session:
            event = await _lock(session, event_id)
            row = await session.get(Registration, registration_id, populate_existing=True)
            if event is None or row is None or row.status != RegistrationStatus.OFFERED:
                continue
            row.status = RegistrationStatus.LAPSED
            row.updated_at = now
            promotion = await _promote_next(session, event, now=now, window=window)
            results.append((await place_from_row(session, row), promotion))
    return results


async def place_of(db: Database, event_id: int, person_id: int) -> Place | None:
    async with db.transaction() as session:
        row = await session.scalar(
            select(Registration).where(
                Registration.event_id == event_id,
                Registration.person_id == person_id,
                Registration.status.in_(ACTIVE),
            )
        )
        return await place_from_row(session, row) if row is not None else None


async def confirmed_place(db: Database, registration_id: int, person_id: int) -> Place | None:
    """The person's own confirmed registration — the one a ticket is for — or None: a
    registration id from a button is only a choice, never proof of whose it is."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(Registration).where(
                Registration.id == registration_id,
                Registration.person_id == person_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        return await place_from_row(session, row) if row is not None else None


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


async def cancel_event(db: Database, event_id: int) -> bool:
    """Staff cancel an event; False if it was already cancelled or does not exist."""
    async with db.transaction() as session:
        event = await _lock(session, event_id)
        if event is None or event.status != EventStatus.SCHEDULED:
            return False
        event.status = EventStatus.CANCELLED
        event.updated_at = utcnow()
        return True


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


async def release_all(
    db: Database, person_id: int, *, window: timedelta = timedelta(hours=12)
) -> list[tuple[int, Promotion | None]]:
    """Cancel the person's places at events still to come (on /forget) and anonymise all
    their rows; returns (event id, promotion) for each seat that went to someone waiting.
    Places at events already held stay as they were, unnamed: the reports count them."""
    async with db.transaction() as session:
        ids = list(
            await session.scalars(
                select(Registration.id)
                .join(Event, Event.id == Registration.event_id)
                .where(
                    Registration.person_id == person_id,
                    Registration.status.in_(ACTIVE),
                    Event.starts_at > utcnow(),
                )
            )
        )
    results = []
    for registration_id in ids:
        done = await cancel(db, registration_id, person_id=person_id, window=window)
        if done is not None:
            results.append((done[0].event_id, done[1]))
    async with db.transaction() as session:
        await session.execute(
            update(Registration)
            .where(Registration.person_id == person_id)
            .values(name=None, organisation=None, contact=None, answers="[]")
        )
    return results


async def create_event(db: Database, **values: Any) -> int:
    async with db.transaction() as session:
        event = Event(**values, status=EventStatus.SCHEDULED)
        session.add(event)
        await session.flush()
        return event.id


async def move_event(db: Database, event_id: int, starts_at: datetime) -> bool:
    """A new start (the end moves with it); False if the event is gone or cancelled."""
    async with db.transaction() as session:
        event = await _lock(session, event_id)
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
        event = await _lock(session, event_id)
        if event is None:
            return False
        for key, value in values.items():
            setattr(event, key, value)
        event.updated_at = utcnow()
        return True


async def set_seats(
    db: Database,
    event_id: int,
    seats: int | None,
    *,
    now: datetime | None = None,
    window: timedelta = timedelta(hours=12),
) -> list[Promotion] | None:
    """A new seat count; seats freed go to the people waiting, in order. None when the
    event is gone or the new count is below the seats already taken."""
    now = now or utcnow()
    async with db.transaction() as session:
        event = await _lock(session, event_id)
        if event is None or (seats is not None and seats < event.taken):
            return None
        event.seats = seats
        promotions = []
        while event.seats is None or event.taken < event.seats:
            event.taken += 1  # _promote_next gives it back if nobody is waiting
            promotion = await _promote_next(session, event, now=now, window=window)
            if promotion is None:
                break
            promotions.append(promotion)
            await session.flush()
        return promotions
