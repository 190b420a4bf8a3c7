"""The life of a consultation request, one transaction per step.

Every transition is a conditional UPDATE naming the statuses it may start from, so a
button pressed twice, an old button, or two staff members pressing «Взять» at once
change the request once; the loser is told who got there first. Each step also
writes an entry (who, when, to whom), which is what the register is built from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.models import (
    CLOSED,
    OPEN,
    AppointmentSlot,
    Author,
    ConsultationRequest,
    EntryKind,
    Expert,
    RequestEntry,
    RequestStatus,
    SlotStatus,
)
from storage.db import Database
from storage.types import utcnow

QUESTION_LIMIT = 4000
TEXT_LIMIT = 4000
# What a request keeps of its requester after /forget.
ERASED = "[удалено по запросу]"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the requester sent, kept as the messenger's own file id (nothing stored)."""

    platform: str
    file_id: str
    kind: str  # document | photo
    name: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on a request: a staff member, an expert, or the requester."""

    person_id: int | None
    name: str
    role: Author


@dataclass(frozen=True, slots=True)
class RequestView:
    id: int
    person_id: int | None
    platform: str
    chat_id: str | None
    language: str
    topic: str
    expertise: bool
    question: str
    requester_name: str | None
    organisation: str | None
    contact: str | None
    contact_time: str | None
    status: RequestStatus
    received_at: datetime
    responsible_id: int | None
    responsible_name: str | None
    expert_id: int | None
    expert_name: str | None
    expert_person_id: int | None
    forwarded_at: datetime | None
    closed_at: datetime | None
    result: str | None
    rating: int | None
    rating_comment: str | None
    files: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def customer(self) -> str:
        """«Заказчик» in the work sheet: the requester and their organisation."""
        return ", ".join(p for p in (self.requester_name, self.organisation) if p)


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    at: datetime
    kind: EntryKind
    author: Author
    author_name: str | None
    text: str | None
    visible: bool
    status_from: str | None
    status_to: str | None
    to_whom: str | None
    file: Attachment | None


@dataclass(frozen=True, slots=True)
class Changed:
    request: RequestView


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing changed. `reason`: gone | closed | taken | not_yours | wrong_state."""

    reason: str
    request: RequestView | None


Outcome = Changed | Refused


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _files_count() -> Any:
    return (
        select(func.count())
        .where(RequestEntry.request_id == ConsultationRequest.id)
        .where(RequestEntry.kind == EntryKind.FILE, RequestEntry.file_id.is_not(None))
        .correlate(ConsultationRequest)
        .scalar_subquery()
    )


def _query() -> Any:
    return select(ConsultationRequest, Expert.person_id, _files_count()).outerjoin(
        Expert, Expert.id == ConsultationRequest.expert_id
    )


def _view(row: ConsultationRequest, expert_person_id: int | None, files: int) -> RequestView:
    return RequestView(
        id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        chat_id=row.chat_id,
        language=row.language,
        topic=row.topic,
        expertise=row.expertise,
        question=row.question,
        requester_name=row.requester_name,
        organisation=row.organisation,
        contact=row.contact,
        contact_time=row.contact_time,
        status=RequestStatus(row.status),
        received_at=row.received_at,
        responsible_id=row.responsible_id,
        responsible_name=row.responsible_name,
        expert_id=row.expert_id,
        expert_name=row.expert_name,
        expert_person_id=expert_person_id,
        forwarded_at=row.forwarded_at,
        closed_at=row.closed_at,
        result=row.result,
        rating=row.rating,
        rating_comment=row.rating_comment,
        files=int(files or 0),
    )


async def _get(session: AsyncSession, request_id: int) -> RequestView | None:
    row = (await session.execute(_query().where(ConsultationRequest.id == request_id))).first()
    return _view(*row) if row else None


async def get(db: Database, request_id: int) -> RequestView | None:
    async with db.transaction() as session:
        return await _get(session, request_id)


def _file_entry(request_id: int, attachment: Attachment, author: Actor) -> RequestEntry:
    return RequestEntry(
        request_id=request_id,
        kind=EntryKind.FILE,
        author=author.role,
        author_person_id=author.person_id,
        author_name=author.name,
        visible=True,
        file_platform=attachment.platform,
        file_id=attachment.file_id,
        file_kind=attachment.kind,
        file_name=_clip(attachment.name, 200),
        file_size=attachment.size,
    )


async def create(
    db: Database,
    *,
    person_id: int,
    platform: str,
    chat_id: str,
    language: str,
    topic: str,
    expertise: bool,
    question: str,
    name: str | None,
    organisation: str | None,
    contact: str | None,
    contact_time: str | None,
    files: Sequence[Attachment] = (),
) -> RequestView:
    async with db.transaction() as session:
        row = ConsultationRequest(
            person_id=person_id,
            platform=platform,
            chat_id=chat_id,
            language=language,
            topic=topic,
            expertise=expertise,
            question=_clip(question, QUESTION_LIMIT) or "",
            requester_name=_clip(name, 200),
            organisation=_clip(organisation, 300),
            contact=_clip(contact, 200),
            contact_time=_clip(contact_time, 200),
            status=RequestStatus.NEW,
            received_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        requester = Actor(person_id, name or "", Author.REQUESTER)
        session.add(
            RequestEntry(
                request_id=row.id,
                kind=EntryKind.STATUS,
                author=Author.REQUESTER,
                author_person_id=person_id,
                author_name=_clip(name, 200),
                status_to=RequestStatus.NEW,
            )
        )
        session.add_all(_file_entry(row.id, f, requester) for f in files)
        await session.flush()
        view = await _get(session, row.id)
        assert view is not None
        return view


async def _transition(
    db: Database,
    request_id: int,
    actor: Actor,
    *,
    allowed: Sequence[RequestStatus],
    to: RequestStatus | None,
    values: dict[str, Any] | None = None,
    extra_where: Any = None,
    entries: Sequence[RequestEntry] = (),
    to_whom: str | None = None,
) -> Outcome:
    """Move the request from one of `allowed` to `to` (None: keep the status) in one
    conditional UPDATE, and write the entries; or explain why not."""
    async with db.transaction() as session:
        current = await _get(session, request_id)
        if current is None:
            return Refused("gone", None)
        statement = (
            update(ConsultationRequest)
            .where(ConsultationRequest.id == request_id)
            .where(ConsultationRequest.status.in_([s.value for s in allowed]))
        )
        if extra_where is not None:
            statement = statement.where(extra_where)
        changes: dict[str, Any] = {"updated_at": utcnow(), **(values or {})}
        if to is not None:
            changes["status"] = to.value
        result = await session.execute(statement.values(**changes))
        if not result.rowcount:  # type: ignore[attr-defined]
            fresh = await _get(session, request_id)
            if fresh is None:
                return Refused("gone", None)
            if fresh.status in CLOSED:
                return Refused("closed", fresh)
            if fresh.status is RequestStatus.IN_PROGRESS and fresh.responsible_id not in (
                None,
                actor.person_id,
            ):
                return Refused("taken", fresh)
            return Refused("wrong_state", fresh)
        if to is not None and to is not current.status:
            session.add(
                RequestEntry(
                    request_id=request_id,
                    kind=EntryKind.STATUS,
                    author=actor.role,
                    author_person_id=actor.person_id,
                    author_name=_clip(actor.name, 200),
                    status_from=current.status,
                    status_to=to,
                    to_whom=_clip(to_whom, 200),
                    visible=True,
                )
            )
        for entry in entries:
            entry.request_id = request_id
            session.add(entry)
        await session.flush()
        fresh = await _get(session, request_id)
        assert fresh is not None
        return Changed(fresh)


def _responsible(actor: Actor) -> dict[str, Any]:
    """Staff who act on a request nobody is responsible for become responsible for it."""
    if actor.role is not Author.STAFF:
        return {}
    return {
        "responsible_id": func.coalesce(ConsultationRequest.responsible_id, actor.person_id),
        "responsible_name": func.coalesce(
            ConsultationRequest.responsible_name, _clip(actor.name, 200)
        ),
    }


def _text_entry(kind: EntryKind, actor: Actor, text: str, *, visible: bool) -> RequestEntry:
    return RequestEntry(
        kind=kind,
        author=actor.role,
        author_person_id=actor.person_id,
        author_name=_clip(actor.name, 200),
        text=_clip(text, TEXT_LIMIT),
        visible=visible,
    )


async def take(db: Database, request_id: int, actor: Actor) -> Outcome:
    """«Взять»: a new request becomes this staff member's."""
    return await _transition(
        db,
        request_id,
        actor,
        allowed=[RequestStatus.NEW],
        to=RequestStatus.IN_PROGRESS,
        values={"responsible_id": actor.person_id, "responsible_name": _clip(actor.name, 200)},
        to_whom=actor.name,
    )


async def forward(db: Database, request_id: int, actor: Actor, expert_id: int) -> Outcome:
    """«Передать эксперту»: the expert gets the request; the forwarding is the register's
    «кому и когда передан»."""
    async with db.transaction() as session:
        expert = await session.get(Expert, expert_id)
        if expert is None or not expert.active:
            return Refused("no_expert", await _get(session, request_id))
        name = expert.name
    return await _transition(
        db,
        request_id,
        actor,
        allowed=OPEN,
        to=RequestStatus.FORWARDED,
        values={
            "expert_id": expert_id,
            "expert_name": name,
            "forwarded_at": utcnow(),
            **_responsible(actor),
        },
        to_whom=name,
    )


async def return_to_staff(db: Database, request_id: int, actor: Actor, reason: str) -> Outcome:
    """An expert hands a request back (not their field, no time): staff pick another."""
    entries = [_text_entry(EntryKind.NOTE, actor, reason, visible=False)] if reason else []
    return await _transition(
        db,
        request_id,
        actor,
        allowed=[RequestStatus.FORWARDED, RequestStatus.AWAITING],
        to=RequestStatus.IN_PROGRESS,
        values={"expert_id": None, "expert_name": None},
        entries=entries,
    )


async def answer(db: Database, request_id: int, actor: Actor, text: str) -> Outcome:
    """A reply the requester sees; the request then waits for them."""
    return await _transition(
        db,
        request_id,
        actor,
        allowed=OPEN,
        to=RequestStatus.AWAITING,
        values=_responsible(actor),
        entries=[_text_entry(EntryKind.ANSWER, actor, text, visible=True)],
    )


async def note(db: Database, request_id: int, actor: Actor, text: str) -> Outcome:
    """An internal note: staff and the expert see it, the requester never does."""
    return await _transition(
        db,
        request_id,
        actor,
        allowed=[*OPEN, *CLOSED],
        to=None,
        entries=[_text_entry(EntryKind.NOTE, actor, text, visible=False)],
    )


async def add_details(
    db: Database,
    request_id: int,
    requester: Actor,
    *,
    text: str | None = None,
    file: Attachment | None = None,
) -> Outcome:
    """The requester adds to their own open request; a request that waited for them goes
    back to whoever had it."""
    entries: list[RequestEntry] = []
    if text:
        entries.append(_text_entry(EntryKind.DETAILS, requester, text, visible=True))
    if file is not None:
        entries.append(_file_entry(request_id, file, requester))
    async with db.transaction() as session:
        current = await _get(session, request_id)
    if current is None or current.person_id != requester.person_id:
        return Refused("not_yours", None)
    if current.status is RequestStatus.AWAITING:
        back = (
            RequestStatus.FORWARDED
            if current.expert_id is not None
            else RequestStatus.IN_PROGRESS
            if current.responsible_id is not None
            else RequestStatus.NEW
        )
        moved = await _transition(
            db,
            request_id,
            requester,
            allowed=[RequestStatus.AWAITING],
            to=back,
            extra_where=ConsultationRequest.person_id == requester.person_id,
            entries=entries,
        )
        if isinstance(moved, Changed):
            return moved
    return await _transition(
        db,
        request_id,
        requester,
        allowed=OPEN,
        to=None,
        extra_where=ConsultationRequest.person_id == requester.person_id,
        entries=entries,
    )


async def close(
    db: Database, request_id: int, actor: Actor, outcome: RequestStatus, result: str | None
) -> Outcome:
    """«Закрыть»: решена or отклонена, with a short result for the register."""
    if outcome not in (RequestStatus.RESOLVED, RequestStatus.REJECTED):
        raise ValueError(outcome)
    closed = await _transition(
        db,
        request_id,
        actor,
        allowed=OPEN,
        to=outcome,
        values={"closed_at": utcnow(), "result": _clip(result, 500), **_responsible(actor)},
    )
    if isinstance(closed, Changed):
        await _drop_offered_slots(db, request_id)
    return closed


async def _is_own(db: Database, request_id: int, requester: Actor) -> bool:
    if requester.person_id is None:
        return False
    async with db.transaction() as session:
        owner = await session.scalar(
            select(ConsultationRequest.person_id).where(ConsultationRequest.id == request_id)
        )
    return owner == requester.person_id


async def withdraw(db: Database, request_id: int, requester: Actor) -> Outcome:
    """The requester withdraws their own request."""
    if not await _is_own(db, request_id, requester):
        return Refused("not_yours", None)
    withdrawn = await _transition(
        db,
        request_id,
        requester,
        allowed=OPEN,
        to=RequestStatus.WITHDRAWN,
        values={"closed_at": utcnow()},
        extra_where=ConsultationRequest.person_id == requester.person_id,
    )
    if isinstance(withdrawn, Changed):
        await _drop_offered_slots(db, request_id)
    return withdrawn


async def confirm_resolved(db: Database, request_id: int, requester: Actor) -> Outcome:
    """«Вопрос решён» from the requester after an answer."""
    if not await _is_own(db, request_id, requester):
        return Refused("not_yours", None)
    return await _transition(
        db,
        request_id,
        requester,
        allowed=OPEN,
        to=RequestStatus.RESOLVED,
        values={"closed_at": utcnow()},
        extra_where=ConsultationRequest.person_id == requester.person_id,
    )


async def _drop_offered_slots(db: Database, request_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.request_id == request_id)
            .where(AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.DROPPED)
        )


async def rate(db: Database, request_id: int, person_id: int, rating: int) -> bool:
    """The requester's 1–5 for a closed request; only the first press counts."""
    if not 1 <= rating <= 5:
        return False
    async with db.transaction() as session:
        result = await session.execute(
            update(ConsultationRequest)
            .where(ConsultationRequest.id == request_id)
            .where(ConsultationRequest.person_id == person_id)
            .where(ConsultationRequest.status.in_([RequestStatus.RESOLVED, RequestStatus.REJECTED]))
            .where(ConsultationRequest.rating.is_(None))
            .values(rating=rating)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def comment_rating(db: Database, request_id: int, person_id: int, text: str) -> bool:
    async with db.transaction() as session:
        result = await session.execute(
            update(ConsultationRequest)
            .where(ConsultationRequest.id == request_id)
            .where(ConsultationRequest.person_id == person_id)
            .where(ConsultationRequest.rating.is_not(None))
            .where(ConsultationRequest.rating_comment.is_(None))
            .values(rating_comment=_clip(text, 1000))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _entry_view(row: RequestEntry) -> EntryView:
    file = None
    if row.kind == EntryKind.FILE and row.file_id:
        file = Attachment(
            platform=row.file_platform or "",
            file_id=row.file_id,
            kind=row.file_kind or "document",
            name=row.file_name,
            size=row.file_size,
        )
    return EntryView(
        id=row.id,
        at=row.at,
        kind=EntryKind(row.kind),
        author=Author(row.author),
        author_name=row.author_name,
        text=row.text,
        visible=row.visible,
        status_from=row.status_from,
        status_to=row.status_to,
        to_whom=row.to_whom,
        file=file,
    )


async def entries(db: Database, request_id: int, *, for_requester: bool) -> list[EntryView]:
    """The thread, oldest first; the requester's view leaves internal notes out."""
    async with db.transaction() as session:
        query = select(RequestEntry).where(RequestEntry.request_id == request_id)
        if for_requester:
            query = query.where(RequestEntry.visible.is_(True))
        rows = await session.scalars(query.order_by(RequestEntry.at, RequestEntry.id))
        return [_entry_view(r) for r in rows]


async def of_person(db: Database, person_id: int, limit: int = 10) -> list[RequestView]:
    """A requester's own requests, the newest first."""
    async with db.transaction() as session:
        rows = await session.execute(
            _query()
            .where(ConsultationRequest.person_id == person_id)
            .order_by(ConsultationRequest.id.desc())
            .limit(limit)
        )
        return [_view(*r) for r in rows.all()]


async def open_requests(
    db: Database,
    *,
    responsible_id: int | None = None,
    expert_person_id: int | None = None,
    limit: int = 30,
) -> list[RequestView]:
    """Open requests, new ones first: all (staff), one's own, or an expert's."""
    async with db.transaction() as session:
        query = _query().where(ConsultationRequest.status.in_([s.value for s in OPEN]))
        if responsible_id is not None:
            query = query.where(ConsultationRequest.responsible_id == responsible_id)
        if expert_person_id is not None:
            query = query.where(Expert.person_id == expert_person_id)
        new_first = (ConsultationRequest.status != RequestStatus.NEW.value).asc()
        rows = await session.execute(
            query.order_by(new_first, ConsultationRequest.received_at).limit(limit)
        )
        return [_view(*r) for r in rows.all()]


async def unclaimed(db: Database) -> list[RequestView]:
    """New requests nobody has taken, staff not yet reminded about."""
    async with db.transaction() as session:
        rows = await session.execute(
            _query()
            .where(ConsultationRequest.status == RequestStatus.NEW.value)
            .where(ConsultationRequest.staff_reminded_at.is_(None))
            .order_by(ConsultationRequest.received_at)
        )
        return [_view(*r) for r in rows.all()]


async def mark_reminded(db: Database, request_id: int) -> bool:
    """Claim the reminder (once, across processes)."""
    async with db.transaction() as session:
        result = await session.execute(
            update(ConsultationRequest)
            .where(ConsultationRequest.id == request_id)
            .where(ConsultationRequest.staff_reminded_at.is_(None))
            .values(staff_reminded_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
