"""Seats, the waiting list and promotion: exactly as many confirmed as there are seats,
however many press «Записаться» at once — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import people
from storage.db import Database
from storage.events import registrations
from storage.events.models import Event, EventKind, Registration, RegistrationStatus
from storage.events.registrations import Refused, Registered

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _event(db: Database, seats: int | None = 65, **fields: object) -> int:
    fields.setdefault("waitlist", True)
    async with db.transaction() as session:
        event = Event(
            title="Открытое общение",
            kind=EventKind.MEETUP,
            starts_at=NOW + timedelta(days=7),
            seats=seats,
            **fields,
        )
        session.add(event)
        await session.flush()
        return event.id


async def _people(db: Database, count: int) -> list[int]:
    return [(await people.resolve(db, "telegram", str(10_000 + i))).id for i in range(count)]


async def test_500_at_once_for_65_seats(database: Database) -> None:
    event_id = await _event(database)
    ids = await _people(database, 500)

    async def press(person_id: int) -> Registered | Refused:
        return await registrations.register(
            database, event_id, person_id, name=f"Участник {person_id}", now=NOW
        )

    results = await asyncio.gather(*(press(p) for p in ids))
    placed = [r for r in results if isinstance(r, Registered)]
    statuses = [r.place.status for r in placed]
    assert statuses.count(RegistrationStatus.CONFIRMED) == 65
    assert statuses.count(RegistrationStatus.WAITLISTED) == 435
    positions = sorted(r.place.position for r in placed if r.place.position is not None)
    assert positions == list(range(1, 436))  # one queue, no gaps, no duplicates
    async with database.transaction() as session:
        event = await session.get(Event, event_id)
        rows = list(await session.scalars(select(Registration)))
    assert event is not None
    assert event.taken == 65
    assert len({r.person_id for r in rows}) == 500


async def test_registering_twice_shows_the_existing_place(database: Database) -> None:
    event_id = await _event(database, seats=1)
    anna, boris = await _people(database, 2)
    first = await registrations.register(database, event_id, anna, name="Анна", now=NOW)
    again = await registrations.register(database, event_id, anna, name="Анна", now=NOW)
    assert isinstance(first, Registered)
    assert isinstance(again, Registered)
    assert again.existing
    assert again.place.id == first.place.id
    waiting = await registrations.register(database, event_id, boris, name="Борис", now=NOW)
    assert isinstance(waiting, Registered)
    assert (waiting.place.status, waiting.place.position) == (RegistrationStatus.WAITLISTED, 1)


async def test_cancel_promotes_the_first_waiting_who_must_confirm(database: Database) -> None:
    event_id = await _event(database, seats=1)
    anna, boris, vera = await _people(database, 3)
    first = await registrations.register(database, event_id, anna, name="Анна", now=NOW)
    await registrations.register(database, event_id, boris, name="Борис", now=NOW)
    await registrations.register(database, event_id, vera, name="Вера", now=NOW)
    assert isinstance(first, Registered)
    # Boris cannot cancel Anna's place.
    assert await registrations.cancel(database, first.place.id, person_id=boris, now=NOW) is None
    cancelled = await registrations.cancel(database, first.place.id, person_id=anna, now=NOW)
    assert cancelled is not None
    place, promotion = cancelled
    assert place.status == RegistrationStatus.CANCELLED
    assert promotion is not None
    assert promotion.place.person_id == boris
    assert promotion.expires_at == NOW + timedelta(hours=12)
    assert promotion.chat_id == "10001"
    # Boris lets it lapse; the seat goes to Vera.
    lapsed = await registrations.lapse_offers(database, now=NOW + timedelta(hours=13))
    assert len(lapsed) == 1
    assert lapsed[0][0].status == RegistrationStatus.LAPSED
    assert lapsed[0][1] is not None
    assert lapsed[0][1].place.person_id == vera
    confirmed = await registrations.confirm_offer(
        database, lapsed[0][1].place.id, person_id=vera, now=NOW + timedelta(hours=14)
    )
    assert confirmed is not None
    assert confirmed.status == RegistrationStatus.CONFIRMED
    counts = await registrations.counts(database, event_id)
    assert counts == {
        RegistrationStatus.CANCELLED: 1,
        RegistrationStatus.LAPSED: 1,
        RegistrationStatus.CONFIRMED: 1,
    }
    async with database.transaction() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert event.taken == 1


async def test_cancelling_with_nobody_waiting_frees_the_seat(database: Database) -> None:
    event_id = await _event(database, seats=1)
    (anna,) = await _people(database, 1)
    first = await registrations.register(database, event_id, anna, name="Анна", now=NOW)
    assert isinstance(first, Registered)
    await registrations.cancel(database, first.place.id, person_id=anna, now=NOW)
    again = await registrations.register(database, event_id, anna, name="Анна", now=NOW)
    assert isinstance(again, Registered)
    assert again.place.status == RegistrationStatus.CONFIRMED
    assert again.place.id == first.place.id  # one row per person and event


async def test_window_and_capacity_refusals(database: Database) -> None:
    (anna,) = await _people(database, 1)
    later = await _event(database, registration_opens_at=NOW + timedelta(days=1))
    assert await registrations.register(database, later, anna, name="А", now=NOW) is (
        Refused.NOT_OPEN
    )
    past = await _event(database, registration_closes_at=NOW - timedelta(hours=1))
    assert await registrations.register(database, past, anna, name="А", now=NOW) is Refused.CLOSED
    full = await _event(database, seats=0, waitlist=False)
    assert await registrations.register(database, full, anna, name="А", now=NOW) is Refused.FULL
    assert await registrations.register(database, 999_999, anna, name="А", now=NOW) is (
        Refused.GONE
    )
