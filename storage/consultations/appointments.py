"""Appointments: staff (or the expert) offer a few times, the requester picks one.

Choosing is one conditional UPDATE on an offered slot of the chooser's own open
request, so an old button or a second press cannot book twice; the other offered
times are dropped in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from storage.consultations.models import (
    OPEN,
    AppointmentSlot,
    Author,
    ConsultationRequest,
    EntryKind,
    RequestEntry,
    SlotStatus,
)
from storage.consultations.requests import Actor
from storage.db import Database
from storage.events.importing import parse_when
from storage.models import Person
from storage.types import utcnow

MAX_SLOTS = 5


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    request_id: int
    starts_at: datetime
    place: str | None
    status: SlotStatus
    offered_by_id: int | None
    offered_by_name: str | None


def _slot(row: AppointmentSlot) -> SlotView:
    return SlotView(
        id=row.id,
        request_id=row.request_id,
        starts_at=row.starts_at,
        place=row.place,
        status=SlotStatus(row.status),
        offered_by_id=row.offered_by_id,
        offered_by_name=row.offered_by_name,
    )


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Typed meeting times that cannot be offered: this line (a time unreadable or past),
    or the whole text cut short (no time, or more than `MAX_SLOTS`)."""

    line: str


def read_times(
    text: str, zone: ZoneInfo, now: datetime
) -> list[tuple[datetime, str | None]] | Unreadable:
    """Lines like «25.11 15:00, Центральная библиотека, каб. 5»: a future time, then the
    place."""
    times = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _, place_text = line.partition(",")
        moment = parse_when(head, zone, now)
        if moment is None or moment <= now:
            return Unreadable(line)
        times.append((moment, place_text.strip() or None))
    if not times or len(times) > MAX_SLOTS:
        return Unreadable(text[:100])
    return times


async def offer(
    db: Database,
    request_id: int,
    actor: Actor,
    times: Sequence[tuple[datetime, str | None]],
) -> list[SlotView] | None:
    """Offer new times (replacing any still offered); None if the request is closed."""
    async with db.transaction() as session:
        status = await session.scalar(
            select(ConsultationRequest.status).where(ConsultationRequest.id == request_id)
        )
        if status not in [s.value for s in OPEN]:
            return None
        await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.request_id == request_id)
            .where(AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.DROPPED)
        )
        rows = [
            AppointmentSlot(
                request_id=request_id,
                starts_at=moment,
                place=(place or "").strip()[:300] or None,
                status=SlotStatus.OFFERED,
                offered_by_id=actor.person_id,
                offered_by_name=actor.name[:200],
            )
            for moment, place in sorted(times)[:MAX_SLOTS]
        ]
        session.add_all(rows)
        session.add(
            RequestEntry(
                request_id=request_id,
                kind=EntryKind.APPOINTMENT,
                author=actor.role,
                author_person_id=actor.person_id,
                author_name=actor.name[:200],
                text="offered: " + ", ".join(f"{m.isoformat()}" for m, _ in times[:MAX_SLOTS]),
                visible=True,
            )
        )
        await session.flush()
        return [_slot(r) for r in rows]


async def slots(db: Database, request_id: int) -> list[SlotView]:
    """Offered and chosen times of a request, soonest first."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(AppointmentSlot)
            .where(AppointmentSlot.request_id == request_id)
            .where(AppointmentSlot.status != SlotStatus.DROPPED)
            .order_by(AppointmentSlot.starts_at)
        )
        return [_slot(r) for r in rows]


async def get_slot(db: Database, slot_id: int) -> SlotView | None:
    async with db.transaction() as session:
        row = await session.get(AppointmentSlot, slot_id)
        return _slot(row) if row else None


async def own_slot(db: Database, slot_id: int, person_id: int) -> SlotView | None:
    """A time offered on this person's own request (whether it can still be chosen is
    `choose`'s to say)."""
    async with db.transaction() as session:
        row = await session.get(AppointmentSlot, slot_id)
        if row is None:
            return None
        owner = await session.scalar(
            select(ConsultationRequest.person_id).where(ConsultationRequest.id == row.request_id)
        )
        return _slot(row) if owner is not None and owner == person_id else None


async def choose(db: Database, slot_id: int, person_id: int) -> SlotView | None:
    """The requester takes one offered time of their own open request (in the future)."""
    async with db.transaction() as session:
        row = await session.get(AppointmentSlot, slot_id)
        if row is None:
            return None
        owner = await session.scalar(
            select(ConsultationRequest.person_id)
            .where(ConsultationRequest.id == row.request_id)
            .where(ConsultationRequest.status.in_([s.value for s in OPEN]))
        )
        if owner is None or owner != person_id or row.starts_at <= utcnow():
            return None
        result = await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.id == slot_id, AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.CHOSEN)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.request_id == row.request_id)
            .where(AppointmentSlot.id != slot_id)
            .where(AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.DROPPED)
        )
        session.add(
            RequestEntry(
                request_id=row.request_id,
                kind=EntryKind.APPOINTMENT,
                author=Author.REQUESTER,
                author_person_id=person_id,
                text=f"chosen: {row.starts_at.isoformat()}",
                visible=True,
            )
        )
        await session.flush()
        await session.refresh(row)
        return _slot(row)


async def decline(db: Database, request_id: int, person_id: int) -> bool:
    """«Ни одно время не подходит»: the offered times are dropped, staff are told."""
    async with db.transaction() as session:
        owner = await session.scalar(
            select(ConsultationRequest.person_id).where(ConsultationRequest.id == request_id)
        )
        if owner is None or owner != person_id:
            return False
        result = await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.request_id == request_id)
            .where(AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.DROPPED)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        session.add(
            RequestEntry(
                request_id=request_id,
                kind=EntryKind.APPOINTMENT,
                author=Author.REQUESTER,
                author_person_id=person_id,
                text="declined",
                visible=True,
            )
        )
        return True


@dataclass(frozen=True, slots=True)
class Participant:
    person_id: int
    platform: str
    chat_id: str
    language: str


@dataclass(frozen=True, slots=True)
class Upcoming:
    slot: SlotView
    request_id: int
    topic: str
    requester: Participant | None
    specialist: Participant | None


async def upcoming(db: Database, now: datetime, until: datetime) -> list[Upcoming]:
    """Chosen times of open requests starting between now and `until`, with both sides."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(AppointmentSlot, ConsultationRequest)
                .join(ConsultationRequest, ConsultationRequest.id == AppointmentSlot.request_id)
                .where(AppointmentSlot.status == SlotStatus.CHOSEN)
                .where(AppointmentSlot.starts_at > now, AppointmentSlot.starts_at <= until)
                .where(ConsultationRequest.status.in_([s.value for s in OPEN]))
            )
        ).all()
        found = []
        for slot, request in rows:
            requester = None
            if request.person_id is not None and request.chat_id is not None:
                requester = Participant(
                    request.person_id, request.platform, request.chat_id, request.language
                )
            specialist = None
            if slot.offered_by_id is not None:
                person = await session.get(Person, slot.offered_by_id)
                if person is not None:
                    specialist = Participant(
                        person.id, person.platform, person.platform_user_id, person.language
                    )
            found.append(Upcoming(_slot(slot), request.id, request.topic, requester, specialist))
        return found
