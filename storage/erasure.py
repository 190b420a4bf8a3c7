"""/forget across every table: what names or quotes a person goes, what counts stays.

One place knows every column that can hold a reader's personal data — their own rows
and the rows others wrote about them (a request's card in the staff chat, a staff
member's answer, an attendance tick) — so a new table with personal data is added here
and to the privacy dump test, and nowhere else.

What stays, for the reports: that an interaction, a registration, a request happened,
its kind, date, topic and outcome, and who of the staff handled it. What goes: the
person's row, their roles, linked accounts, subscriptions, watches and ticket link; the
names, organisations, contacts, questions, answers, files and messenger ids anywhere; and
the library FAQ entries made from their question in one tap and not edited since (an
entry staff changed is staff's own text and stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, case, cast, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.catalogue.models import CatalogueWatch
from storage.circulation.hold_requests import ANSWERABLE
from storage.circulation.hold_requests import State as HoldState
from storage.circulation.models import DeskCode, ReaderHold, ReaderLink
from storage.consultations import models as requests_models
from storage.consultations.models import Author, ConsultationRequest, RequestEntry, RequestStatus
from storage.consultations.requests import ERASED
from storage.db import Database
from storage.events.models import ACTIVE, Event, Registration
from storage.faq.models import LibraryFaqEntry
from storage.grants.models import Application as GrantApplication
from storage.identity import PersonAccount
from storage.models import Activity, Person
from storage.outbox import OPEN, OutboxMessage
from storage.ratings.answers import erase_person as erase_ratings
from storage.subscriptions import Subscription
from storage.types import utcnow
from storage.work.records import erase_customer


@dataclass(frozen=True, slots=True)
class Erased:
    """What the database no longer knows but others may still hold: the messenger accounts
    (conversation state is keyed by them) and the reader tickets (guard keys derive from
    them)."""

    accounts: tuple[tuple[str, str], ...]
    tickets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WhatGoes:
    """What /forget will take from the person, told before they confirm."""

    places: int  # seats held or waited for at events still to come (they go to others)
    open_requests: int  # consultation requests still open (they are withdrawn)
    ticket: str | None  # the linked reader ticket
    subscriptions: int
    watches: int  # «Сообщить, когда вернут»
    holds: int = 0  # «Забронировать» requests not yet closed (staff are no longer asked)


async def what_goes(db: Database, person_id: int) -> WhatGoes:
    async with db.transaction() as session:

        async def count(*where: Any) -> int:
            return int(await session.scalar(select(func.count()).where(*where)) or 0)

        places = await count(
            Registration.person_id == person_id,
            Registration.status.in_([s.value for s in ACTIVE]),
            Registration.event_id == Event.id,
            Event.starts_at > utcnow(),
        )
        open_requests = await count(
            ConsultationRequest.person_id == person_id,
            ConsultationRequest.status.in_([s.value for s in requests_models.OPEN]),
        )
        subscriptions = await count(Subscription.person_id == person_id)
        watches = await count(CatalogueWatch.person_id == person_id)
        holds = await count(
            ReaderHold.person_id == person_id,
            ReaderHold.status.in_([*(s.value for s in ANSWERABLE), HoldState.READY.value]),
        )
        ticket = await session.scalar(
            select(ReaderLink.ticket).where(ReaderLink.person_id == person_id)
        )
    return WhatGoes(places, open_requests, ticket, subscriptions, watches, holds)


async def erase(db: Database, person_id: int) -> Erased:
    """Erase one person everywhere in the database, in one transaction."""
    async with db.transaction() as session:
        accounts = await _accounts(session, person_id)
        tickets = tuple(
            await session.scalars(
                select(ReaderLink.ticket).where(ReaderLink.person_id == person_id)
            )
        )
        await _activities(session, person_id)
        await _outbox(session, person_id)
        await _registrations(session, person_id)
        await _requests(session, person_id)
        if tickets:
            # Desk codes staff issued for the ticket: useless now, and they name it.
            await session.execute(delete(DeskCode).where(DeskCode.ticket.in_(tickets)))
        # Work records staff kept by hand name a customer as typed: their name goes from
        # those (the record of the work stays). Staff authors stay: the library's records.
        name = await session.scalar(select(Person.display_name).where(Person.id == person_id))
        await erase_customer(session, name or "")
        # Library FAQ entries made from their question and not edited since quote them.
        await session.execute(
            delete(LibraryFaqEntry).where(LibraryFaqEntry.source_person_id == person_id)
        )
        # Grant applications are the organisation's: only the link to who pressed goes.
        await session.execute(
            update(GrantApplication)
            .where(GrantApplication.person_id == person_id)
            .values(person_id=None)
        )
        # Ratings after a service stay counted, unnamed; their comments and «Не спрашивать
        # больше» go (#26).
        await erase_ratings(session, person_id)
        # Roles, linked accounts, subscriptions, watches, holds asked for from the catalogue
        # and the ticket link go with the person (ON DELETE CASCADE); a few columns
        # elsewhere are SET NULL. A hold already placed in the library system stays there:
        # it is the library's record, and its card in the staff chat no longer names them.
        await session.execute(delete(Person).where(Person.id == person_id))
    return Erased(accounts, tickets)


async def _accounts(session: AsyncSession, person_id: int) -> tuple[tuple[str, str], ...]:
    own = (
        await session.execute(
            select(Person.platform, Person.platform_user_id).where(Person.id == person_id)
        )
    ).all()
    linked = (
        await session.execute(
            select(PersonAccount.platform, PersonAccount.platform_user_id).where(
                PersonAccount.person_id == person_id
            )
        )
    ).all()
    return tuple((platform, user_id) for platform, user_id in [*own, *linked])


async def _activities(session: AsyncSession, person_id: int) -> None:
    """Their own rows lose the link and every text; rows others wrote about them keep the
    staff member's step (content) but lose the name and the notes (an answer, an org)."""
    await session.execute(
        update(Activity)
        .where(Activity.person_id == person_id)
        .values(person_id=None, about_person_id=None, customer=None, content=None, notes=None)
    )
    await session.execute(
        update(Activity)
        .where(Activity.about_person_id == person_id)
        .values(about_person_id=None, customer=None, notes=None)
    )


async def _outbox(session: AsyncSession, person_id: int) -> None:
    """Nothing more is sent to them or about them; what was sent keeps its delivery status
    (the reports count it) but no text, buttons, messenger id or key."""
    theirs = or_(OutboxMessage.person_id == person_id, OutboxMessage.about_person_id == person_id)
    await session.execute(delete(OutboxMessage).where(theirs, OutboxMessage.status.in_(OPEN)))
    await session.execute(
        update(OutboxMessage)
        .where(theirs)
        .values(
            chat_id=case(
                (
                    OutboxMessage.person_id == person_id,
                    literal("forgotten:") + cast(OutboxMessage.id, String),
                ),
                else_=OutboxMessage.chat_id,
            ),
            person_id=None,
            about_person_id=None,
            text=None,
            buttons=None,
            dedupe_key=None,
            error=None,
        )
    )


async def _registrations(session: AsyncSession, person_id: int) -> None:
    """Places stay counted (seats, attendance), unnamed."""
    await session.execute(
        update(Registration)
        .where(Registration.person_id == person_id)
        .values(person_id=None, name=None, organisation=None, contact=None, answers="[]")
    )


async def _requests(session: AsyncSession, person_id: int) -> None:
    """Requests stay in the register (topic, dates, who handled them, outcome); what the
    requester wrote or sent and what staff wrote about it goes, and an open one is
    withdrawn."""
    ids = list(
        await session.scalars(
            select(ConsultationRequest.id).where(ConsultationRequest.person_id == person_id)
        )
    )
    if not ids:
        return
    await session.execute(
        update(ConsultationRequest)
        .where(ConsultationRequest.id.in_(ids))
        .values(
            person_id=None,
            chat_id=None,
            requester_name=None,
            organisation=None,
            contact=None,
            contact_time=None,
            question=ERASED,
            rating_comment=None,
            status=case(
                (
                    ConsultationRequest.status.in_([s.value for s in requests_models.OPEN]),
                    RequestStatus.WITHDRAWN.value,
                ),
                else_=ConsultationRequest.status,
            ),
            closed_at=func.coalesce(ConsultationRequest.closed_at, utcnow()),
        )
    )
    # Every entry's text and file: the requester's own, and staff notes and answers,
    # which quote them. Who acted, when, and the status changes stay.
    await session.execute(
        update(RequestEntry)
        .where(RequestEntry.request_id.in_(ids))
        .values(text=None, file_id=None, file_name=None)
    )
    await session.execute(
        update(RequestEntry)
        .where(
            RequestEntry.request_id.in_(ids),
            or_(
                RequestEntry.author_person_id == person_id,
                RequestEntry.author == Author.REQUESTER.value,
            ),
        )
        .values(author_person_id=None, author_name=None)
    )
