"""Taking a seat (or a place on the waiting list): the decision, and the desk that takes
the decisions of everyone pressing at once together.

A popular meetup announced, and hundreds finish the sign-up form within a second. One
transaction per person, each locking the event, made them queue: on SQLite behind the
one writer (and every other write of the bot), on PostgreSQL behind the event's row lock
and the connection pool — seconds for the last in line, and on PostgreSQL not even in
the order they came. So the requests wait at a desk instead (one per database, in this
process): a single worker takes every request waiting, decides them in one transaction
in the order they came — one lock of the event, one read of who already has a place,
one insert of the new rows — and starts on the next group while the answers go out. A
request that comes to an idle desk is decided at once, alone, as before.

The requests are decided in the order the messenger numbered their updates (`arrival`:
Telegram numbers a bot's updates in the order it received them, the VK transport as they
come), not in the order the handlers happened to reach the desk — the database's pool,
a cache that missed, can let a later press overtake an earlier one: within a group they
are sorted, and a request waits (briefly) for an earlier press the handler has announced
(`Desk.expect`) to reach the desk. The seats go to the first to press. Requests without
a number (staff adding someone by hand) come after the others of their group.

Should a group fail (a row another process inserted meanwhile), each request in it is
decided again alone, so one request's problem is never another's.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import json
import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.events.models import ACTIVE, Event, EventStatus, Registration, RegistrationStatus
from storage.events.places import Place, lock_event, place_from_row, place_of
from storage.types import utcnow

MAX_GROUP = 500  # requests decided in one transaction
PATIENCE = 1.0  # seconds a request waits at most for a press before it still on its way


class Refused(enum.StrEnum):
    """Why a registration was not made."""

    GONE = "gone"  # no such event, or cancelled
    NOT_OPEN = "not_open"  # registration opens later
    CLOSED = "closed"  # registration has closed (or the event has started)
    FULL = "full"  # no seats and no waiting list


@dataclass(frozen=True, slots=True)
class Registered:
    place: Place
    existing: bool = False  # the person was already registered: this is their place

    @property
    def ticket_due(self) -> bool:
        """A seat taken just now: its ticket goes with the confirmation (not for a place
        they already had, nor for the waiting list)."""
        return self.place.status is RegistrationStatus.CONFIRMED and not self.existing


def new_ticket() -> str:
    return secrets.token_urlsafe(12)


def outside_window(event: Event, now: datetime) -> Refused | None:
    """Why registration is not open now, by the event's registration window."""
    if event.registration_opens_at and now < event.registration_opens_at:
        return Refused.NOT_OPEN
    if now >= (event.registration_closes_at or event.starts_at):
        return Refused.CLOSED
    return None


@dataclass(frozen=True, slots=True)
class Request:
    """One person (or staff adding someone by hand: no person) asking for a place."""

    event_id: int
    person_id: int | None
    name: str | None
    organisation: str | None
    contact: str | None
    answers: list[dict[str, Any]]
    now: datetime
    added_by: str | None = None
    ignore_window: bool = False
    arrival: int | None = None  # the update's number from the messenger, for press order

    @property
    def order(self) -> tuple[int, int]:
        return (0, self.arrival) if self.arrival is not None else (1, 0)


Outcome = Registered | Refused


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
    arrival: int | None = None,
) -> Outcome:
    """A seat if one is free, else a place on the waiting list (if the event keeps one).

    A person already registered gets their existing place back, unchanged. Staff adding
    someone by hand (`added_by`) may register outside the registration window.
    `arrival`: the number of the update that asked (its place among presses that come
    together). Returns once the decision is committed.
    """
    request = Request(
        event_id,
        person_id,
        name,
        organisation,
        contact,
        answers or [],
        now or utcnow(),
        added_by,
        ignore_window,
        arrival,
    )
    if db.holding_turn():  # inside the caller's transaction: the desk would wait for it
        (outcome,) = await decide_group(db, [request])
        return outcome
    return await desk_for(db).decide(request)


class Desk:
    """Requests waiting for a decision, and the one worker deciding them in groups.

    Press order holds across groups too: the handler says when an update that may end in
    a request has come (`expect`, with the update's number), and a request waits — up to
    `PATIENCE` — while an update pressed before it is still on its way to the desk. It is
    let go as soon as that one asks for its seat or turns out not to (`withdraw`: a name
    the form refused, a step that was not the last).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[Request, asyncio.Future[Outcome]]] = []
        self._worker: asyncio.Task[None] | None = None
        self._coming: dict[int, float] = {}  # update number → when it came (monotonic)
        self._changed = asyncio.Event()
        self.groups = 0  # transactions that decided something (for tests and benchmarks)

    def expect(self, arrival: int) -> None:
        """An update that may end in a request has come: later presses wait for it."""
        self._coming.setdefault(arrival, time.monotonic())

    def withdraw(self, arrival: int) -> None:
        """That update will not ask for a seat after all."""
        if self._coming.pop(arrival, None) is not None:
            self._changed.set()

    async def decide(self, request: Request) -> Outcome:
        decided: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        if request.arrival is not None:
            self._coming.pop(request.arrival, None)
        self._waiting.append((request, decided))
        self._changed.set()
        if self._worker is None or self._worker.done():
            # A fresh context: the caller's open transaction must not look like the worker's.
            self._worker = asyncio.create_task(self._work(), context=contextvars.Context())
        return await decided

    def _ready(self) -> tuple[list[tuple[Request, asyncio.Future[Outcome]]], float | None]:
        """The requests no earlier press is still coming for (in press order), and how long
        the others may still wait."""
        now = time.monotonic()
        for arrival, came in list(self._coming.items()):
            if now - came > PATIENCE:
                del self._coming[arrival]  # it never asked: nobody waits for it any longer
        first_coming = min(self._coming, default=None)
        ready, held = [], []
        for waiting in sorted(self._waiting, key=lambda w: w[0].order):
            arrival = waiting[0].arrival
            if first_coming is None or arrival is None or arrival < first_coming:
                ready.append(waiting)
            else:
                held.append(waiting)
        self._waiting = held
        wait = min(self._coming.values()) + PATIENCE - now if held and self._coming else None
        return ready, wait

    async def _work(self) -> None:
        while self._waiting:
            self._changed.clear()
            ready, wait = self._ready()
            group, self._waiting = ready[:MAX_GROUP], ready[MAX_GROUP:] + self._waiting
            if not group:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), max(wait or 0.0, 0.001))
                continue
            try:
                outcomes = await decide_group(self.db, [request for request, _ in group])
            except Exception:  # noqa: BLE001 - decided again one by one, below
                for one in group:
                    await self._alone(one)
                continue
            self.groups += 1
            for (_, decided), outcome in zip(group, outcomes, strict=True):
                if not decided.done():  # a cancelled caller: the place is taken regardless
                    decided.set_result(outcome)

    async def _alone(self, waiting: tuple[Request, asyncio.Future[Outcome]]) -> None:
        request, decided = waiting
        try:
            (outcome,) = await decide_group(self.db, [request])
        except Exception as exc:  # noqa: BLE001 - handed to its caller
            if not decided.done():
                decided.set_exception(exc)
            return
        self.groups += 1
        if not decided.done():
            decided.set_result(outcome)


_desks: weakref.WeakKeyDictionary[Database, Desk] = weakref.WeakKeyDictionary()


def desk_for(db: Database) -> Desk:
    desk = _desks.get(db)
    if desk is None:
        desk = _desks[db] = Desk(db)
    return desk


async def decide_group(db: Database, requests: list[Request]) -> list[Outcome]:
    """Decide every request, in order, in one transaction: each event locked once. The
    transaction is urgent (storage.db): it goes before the burst's other writes."""
    outcomes: list[Outcome | None] = [None] * len(requests)
    by_event: dict[int, list[int]] = {}
    for i, request in enumerate(requests):
        by_event.setdefault(request.event_id, []).append(i)
    async with db.transaction(urgent=True) as session:
        for event_id, indexes in by_event.items():
            chosen = [requests[i] for i in indexes]
            decided = await _decide_for_event(session, event_id, chosen)
            for i, outcome in zip(indexes, decided, strict=True):
                outcomes[i] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


async def _decide_for_event(
    session: AsyncSession, event_id: int, requests: list[Request]
) -> list[Outcome]:
    """Few statements, as each one waits its turn in a busy bot: the lock, one read of the
    waiting list's length and of the places these people have, one insert."""
    event = await lock_event(session, event_id, numbers=len(requests))
    if event is None or event.status != EventStatus.SCHEDULED:
        return [Refused.GONE] * len(requests)
    people = {r.person_id for r in requests if r.person_id is not None}
    ahead, rows = await _waiting_and_places(session, event_id, people)
    # Queue numbers in the order the requests came: this group took the last len(requests).
    number = event.queue_seq - len(requests)
    decided: list[tuple[Registration, bool, int | None] | Refused] = []
    for request in requests:
        number += 1
        existing = rows.get(request.person_id) if request.person_id is not None else None
        if existing is not None and existing.status in ACTIVE:
            decided.append((existing, True, None))  # their place as it is (read below)
            continue
        taken = None if request.ignore_window else outside_window(event, request.now)
        taken = taken or _take(event)
        if isinstance(taken, Refused):
            decided.append(taken)
            continue
        row = existing or Registration(
            event_id=event_id, person_id=request.person_id, ticket=new_ticket()
        )
        _fill(row, request, status=taken, number=number)
        if existing is None:
            session.add(row)
            if request.person_id is not None:
                rows[request.person_id] = row  # a second request of theirs finds it
        # Everyone waiting came before this group, and this group in order.
        position = None
        if taken is RegistrationStatus.WAITLISTED:
            ahead += 1
            position = ahead
        decided.append((row, False, position))
    await session.flush()
    outcomes: list[Outcome] = []
    for d in decided:
        if isinstance(d, Refused):
            outcomes.append(d)
        elif d[1]:
            outcomes.append(Registered(await place_from_row(session, d[0]), existing=True))
        else:
            outcomes.append(Registered(place_of(d[0], d[2])))
    return outcomes


async def _waiting_and_places(
    session: AsyncSession, event_id: int, people: set[int]
) -> tuple[int, dict[int, Registration]]:
    """How many wait for the event, and the rows these people already have (of any
    status: a cancelled one is reused), in one statement."""
    waiting = (
        select(func.count().label("waiting"))
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .subquery()
    )
    theirs = and_(Registration.event_id == event_id, Registration.person_id.in_(people or {-1}))
    found = (
        await session.execute(
            select(waiting.c.waiting, Registration)
            .select_from(waiting)
            .outerjoin(Registration, theirs)
        )
    ).all()
    rows = {row.person_id: row for _, row in found if row is not None and row.person_id}
    return int(found[0][0]) if found else 0, rows


def _take(event: Event) -> RegistrationStatus | Refused:
    """A seat if one is free, else the waiting list (if kept), counted on the event."""
    if event.seats is None or event.taken < event.seats:
        event.taken += 1
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED if event.waitlist else Refused.FULL


def _fill(row: Registration, request: Request, *, status: RegistrationStatus, number: int) -> None:
    row.status = status
    row.name, row.organisation, row.contact = request.name, request.organisation, request.contact
    row.answers = json.dumps(request.answers, ensure_ascii=False)
    row.queued_at = number
    row.offer_expires_at = None
    row.created_at = row.created_at or request.now
    row.updated_at = request.now
    row.added_by = request.added_by
