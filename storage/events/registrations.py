"""Taking a seat, the waiting list, cancelling and promotion — each one transaction — and
what a person may do about an event's registration (`standing`).

Every change starts by locking the event (`places.lock_event`), so changes to one event
are serialised, the seat count is read and written under the lock, and the waiting list
is numbered in the order people arrived. Taking a seat (`register`) is storage.events.seats:
the requests of everyone pressing at once are decided together, in one transaction.

`register` with `Registered` and `Refused`, `Place`, the lists of who is coming
(storage.events.roster) and the staff's changes to the event itself
(storage.events.schedule) are importable from here too, as they were before they had
modules of their own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
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
from storage.events.places import Place as Place
from storage.events.places import lock_event
from storage.events.places import place_from_row as place_from_row
from storage.events.roster import Attendance as Attendance
from storage.events.roster import Recipient as Recipient
from storage.events.roster import attended_ids as attended_ids
from storage.events.roster import attendees as attendees
from storage.events.roster import counts as counts
from storage.events.roster import mark_attended as mark_attended
from storage.events.roster import recipients as recipients
from storage.events.schedule import cancel_event as cancel_event
from storage.events.schedule import create_event as create_event
from storage.events.schedule import move_event as move_event
from storage.events.schedule import update_event as update_event
from storage.events.seats import Refused as Refused
from storage.events.seats import Registered as Registered
from storage.events.seats import new_ticket as new_ticket
from storage.events.seats import outside_window
from storage.events.seats import register as register
from storage.models import Consent, Person
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class Promotion:
    """Someone moved up from the waiting list and must confirm before `expires_at`."""

    place: Place
    platform: str | None
    chat_id: str | None
    language: str | None
    expires_at: datetime


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
        event = await lock_event(session, row.event_id)
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
        await lock_event(session, row.event_id)
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
            event = await lock_event(session, event_id)
            row = await session.get(Registration, registration_id, populate_existing=True)
            if event is None or row is None or row.status != RegistrationStatus.OFFERED:
                continue
            row.status = RegistrationStatus.LAPSED
            row.updated_at = now
            promotion = await _promote_next(session, event, now=now, window=window)
            results.append((await place_from_row(session, row), promotion))
    return results


class Opening(enum.StrEnum):
    """What an event's card offers someone without a place."""

    SEAT = "seat"  # registration open and a seat free (or no limit): «Записаться»
    WAITLIST = "waitlist"  # open, full, and the waiting list takes them
    NONE = "none"  # closed, or full with no waiting list


class NoForm(enum.StrEnum):
    """Why the sign-up form does not start (the value is what the activity log says)."""

    CLOSED = "closed"  # no such event, cancelled, or outside its registration window
    DUPLICATE = "duplicate"  # they have a place already
    NEEDS_CONSENT = "needs consent"  # a form keeps personal data: consent comes first


@dataclass(frozen=True, slots=True)
class Standing:
    """A person before an event's registration: their place, if they have one, and what
    they may do. A full event still starts the form: the seat is taken (or refused,
    `Refused.FULL`) at its end, by `register`."""

    place: Place | None
    open: bool  # the event is on and inside its registration window
    opening: Opening
    consented: bool

    @property
    def no_form(self) -> NoForm | None:
        if not self.open:
            return NoForm.CLOSED
        if self.place is not None:
            return NoForm.DUPLICATE
        if not self.consented:
            return NoForm.NEEDS_CONSENT
        return None


def _opening(event: Event | None, is_open: bool) -> Opening:
    if event is None or not is_open:
        return Opening.NONE
    if event.seats is None or event.taken < event.seats:
        return Opening.SEAT
    return Opening.WAITLIST if event.waitlist else Opening.NONE


async def standing(
    db: Database, event_id: int, person_id: int, *, now: datetime | None = None
) -> Standing:
    """The person's place at the event (confirmed, offered or waiting) and whether they may
    register now: what the card offers and whether «Записаться» starts the form."""
    now = now or utcnow()
    async with db.reading() as session:
        event = await session.get(Event, event_id)
        person = await session.get(Person, person_id)
        row = await session.scalar(
            select(Registration).where(
                Registration.event_id == event_id,
                Registration.person_id == person_id,
                Registration.status.in_(ACTIVE),
            )
        )
        place = await place_from_row(session, row) if row is not None else None
        is_open = (
            event is not None
            and event.status == EventStatus.SCHEDULED
            and outside_window(event, now) is None
        )
        consented = person is not None and person.consent == Consent.GIVEN
        return Standing(place, is_open, _opening(event, is_open), consented)


async def ticket_place(db: Database, registration_id: int, person_id: int) -> Place | None:
    """The person's own confirmed place at an event still on — what a ticket is for — or
    None: a registration id from a button is only a choice, never proof of whose it is."""
    async with db.reading() as session:
        row = await session.scalar(
            select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.id == registration_id,
                Registration.person_id == person_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Event.status == EventStatus.SCHEDULED,
            )
        )
        return await place_from_row(session, row) if row is not None else None


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
        event = await lock_event(session, event_id)
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
