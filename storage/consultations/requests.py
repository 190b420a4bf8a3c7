"""What a consultation request is, and filing and finding one.

The row *is* the register line; what happens to it afterwards is in `transitions` (the
steps of its life), `entries` (its thread), `access` (who may work on it) and
`appointments` (meeting times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.models import (
    OPEN,
    Author,
    ConsultationRequest,
    EntryKind,
    Expert,
    RequestEntry,
    RequestStatus,
)
from storage.db import Database
from storage.types import utcnow

QUESTION_LIMIT = 4000
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


def as_requester(request: RequestView, person_id: int, display_name: str | None) -> Actor:
    """The requester acting on their own request, under the name they gave in it."""
    return Actor(person_id, request.requester_name or display_name or "", Author.REQUESTER)


def clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def file_entry(request_id: int, attachment: Attachment, author: Actor) -> RequestEntry:
    """A file of the thread, kept as the messenger's file id."""
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
        file_name=clip(attachment.name, 200),
        file_size=attachment.size,
    )


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


async def read(session: AsyncSession, request_id: int) -> RequestView | None:
    """The request as seen inside a transaction already open."""
    row = (await session.execute(_query().where(ConsultationRequest.id == request_id))).first()
    return _view(*row) if row else None


async def get(db: Database, request_id: int) -> RequestView | None:
    async with db.transaction() as session:
        return await read(session, request_id)


async def own(db: Database, request_id: int, person_id: int) -> RequestView | None:
    """The request if it is this person's: someone else's looks exactly like a missing one,
    so a forged or replayed button tells nothing about it."""
    request = await get(db, request_id)
    return request if request is not None and request.person_id == person_id else None


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
            question=clip(question, QUESTION_LIMIT) or "",
            requester_name=clip(name, 200),
            organisation=clip(organisation, 300),
            contact=clip(contact, 200),
            contact_time=clip(contact_time, 200),
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
                author_name=clip(name, 200),
                status_to=RequestStatus.NEW,
            )
        )
        session.add_all(file_entry(row.id, f, requester) for f in files)
        await session.flush()
        view = await read(session, row.id)
        assert view is not None
        return view


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


async def unclaimed(db: Database, *, besides: Sequence[str] = ()) -> list[RequestView]:
    """New requests nobody has taken, staff not yet reminded about (`besides`: topics
    reminded of by their own rule)."""
    async with db.transaction() as session:
        rows = await session.execute(
            _query()
            .where(ConsultationRequest.status == RequestStatus.NEW.value)
            .where(ConsultationRequest.topic.not_in(besides))
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


def _message_since(since: Any) -> Any:
    """The requester or staff wrote in the request's thread at `since` or later."""
    return (
        select(RequestEntry.id)
        .where(RequestEntry.request_id == ConsultationRequest.id)
        .where(RequestEntry.kind.in_([EntryKind.DETAILS, EntryKind.ANSWER]))
        .where(RequestEntry.at >= since)
        .correlate(ConsultationRequest)
        .exists()
    )


def _latest_open_query() -> Any:
    since = bindparam("since")
    return (
        _query()
        .where(ConsultationRequest.person_id == bindparam("person_id"))
        .where(ConsultationRequest.topic == bindparam("topic"))
        .where(ConsultationRequest.status.in_([s.value for s in OPEN]))
        .where((ConsultationRequest.received_at >= since) | _message_since(since))
        .order_by(ConsultationRequest.id.desc())
        .limit(1)
    )


# Asked on every typed message that may add to a question: built once (building the
# statement cost more than running it).
_LATEST_OPEN = _latest_open_query()


async def latest_open(
    db: Database, person_id: int, topic: str, *, active_since: datetime
) -> RequestView | None:
    """The person's newest open request of `topic` whose last message (the question, an
    addition, an answer) came at `active_since` or later: the conversation still going on."""
    async with db.reading() as session:  # on every typed message: no writer queue
        params = {"person_id": person_id, "topic": topic, "since": active_since}
        row = (await session.execute(_LATEST_OPEN, params)).first()
        return _view(*row) if row else None


async def unanswered(db: Database, topic: str) -> list[RequestView]:
    """Open requests of `topic` nobody has answered yet, staff not yet reminded about."""
    answered = (
        select(RequestEntry.id)
        .where(RequestEntry.request_id == ConsultationRequest.id)
        .where(RequestEntry.kind == EntryKind.ANSWER)
        .correlate(ConsultationRequest)
        .exists()
    )
    async with db.transaction() as session:
        rows = await session.execute(
            _query()
            .where(ConsultationRequest.topic == topic)
            .where(ConsultationRequest.status.in_([s.value for s in OPEN]))
            .where(ConsultationRequest.staff_reminded_at.is_(None))
            .where(~answered)
            .order_by(ConsultationRequest.received_at)
        )
        return [_view(*r) for r in rows.all()]
