"""The life of a consultation request, one transaction per step.

Every transition is a conditional UPDATE naming the statuses it may start from, so a
button pressed twice, an old button, or two staff members pressing «Взять» at once
change the request once; the loser is told who got there first. Each step also
writes an entry (who, when, to whom), which is what the register is built from.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

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
from storage.consultations.requests import Actor, Attachment, RequestView, clip, file_entry, read
from storage.db import Database
from storage.types import utcnow

TEXT_LIMIT = 4000


class Refusal(enum.StrEnum):
    """Why a step changed nothing."""

    GONE = "gone"  # no such request (any more)
    CLOSED = "closed"
    TAKEN = "taken"  # another staff member has it
    NOT_YOURS = "not_yours"  # a requester acting on someone else's request
    WRONG_STATE = "wrong_state"
    NO_EXPERT = "no_expert"  # the expert left the directory


@dataclass(frozen=True, slots=True)
class Changed:
    request: RequestView


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing changed; `request` as it is now (None when the presser may not see it)."""

    reason: Refusal
    request: RequestView | None


Outcome = Changed | Refused


class Rating(enum.Enum):
    """What became of a requester's 1–5; true only when it was saved."""

    SAVED = "saved"
    ALREADY = "already"  # the first rating stays
    NOT_NOW = "not_now"  # still open, withdrawn, not theirs, or not 1–5

    def __bool__(self) -> bool:
        return self is Rating.SAVED


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
        current = await read(session, request_id)
        if current is None:
            return Refused(Refusal.GONE, None)
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
            fresh = await read(session, request_id)
            if fresh is None:
                return Refused(Refusal.GONE, None)
            if fresh.status in CLOSED:
                return Refused(Refusal.CLOSED, fresh)
            if fresh.status is RequestStatus.IN_PROGRESS and fresh.responsible_id not in (
                None,
                actor.person_id,
            ):
                return Refused(Refusal.TAKEN, fresh)
            return Refused(Refusal.WRONG_STATE, fresh)
        if to is not None and to is not current.status:
            session.add(
                RequestEntry(
                    request_id=request_id,
                    kind=EntryKind.STATUS,
                    author=actor.role,
                    author_person_id=actor.person_id,
                    author_name=clip(actor.name, 200),
                    status_from=current.status,
                    status_to=to,
                    to_whom=clip(to_whom, 200),
                    visible=True,
                )
            )
        for entry in entries:
            entry.request_id = request_id
            session.add(entry)
        await session.flush()
        fresh = await read(session, request_id)
        assert fresh is not None
        return Changed(fresh)


def _responsible(actor: Actor) -> dict[str, Any]:
    """Staff who act on a request nobody is responsible for become responsible for it."""
    if actor.role is not Author.STAFF:
        return {}
    return {
        "responsible_id": func.coalesce(ConsultationRequest.responsible_id, actor.person_id),
        "responsible_name": func.coalesce(
            ConsultationRequest.responsible_name, clip(actor.name, 200)
        ),
    }


def _text_entry(kind: EntryKind, actor: Actor, text: str, *, visible: bool) -> RequestEntry:
    return RequestEntry(
        kind=kind,
        author=actor.role,
        author_person_id=actor.person_id,
        author_name=clip(actor.name, 200),
        text=clip(text, TEXT_LIMIT),
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
        values={"responsible_id": actor.person_id, "responsible_name": clip(actor.name, 200)},
        to_whom=actor.name,
    )


async def forward(db: Database, request_id: int, actor: Actor, expert_id: int) -> Outcome:
    """«Передать эксперту»: the expert gets the request; the forwarding is the register's
    «кому и когда передан»."""
    async with db.transaction() as session:
        expert = await session.get(Expert, expert_id)
        if expert is None or not expert.active:
            return Refused(Refusal.NO_EXPERT, await read(session, request_id))
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
        values={"closed_at": utcnow(), "result": clip(result, 500), **_responsible(actor)},
    )
    if isinstance(closed, Changed):
        await _drop_offered_slots(db, request_id)
    return closed


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
        entries.append(file_entry(request_id, file, requester))
    async with db.transaction() as session:
        current = await read(session, request_id)
    if current is None or current.person_id != requester.person_id:
        return Refused(Refusal.NOT_YOURS, None)
    own = ConsultationRequest.person_id == requester.person_id
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
            extra_where=own,
            entries=entries,
        )
        if isinstance(moved, Changed):
            return moved
    return await _transition(
        db, request_id, requester, allowed=OPEN, to=None, extra_where=own, entries=entries
    )


async def _requester_closes(
    db: Database, request_id: int, requester: Actor, to: RequestStatus
) -> Outcome:
    """The requester ends their own open request (withdrawn, or solved for them)."""
    if requester.person_id is None:
        return Refused(Refusal.NOT_YOURS, None)
    async with db.transaction() as session:
        owner = await session.scalar(
            select(ConsultationRequest.person_id).where(ConsultationRequest.id == request_id)
        )
    if owner != requester.person_id:
        return Refused(Refusal.NOT_YOURS, None)
    return await _transition(
        db,
        request_id,
        requester,
        allowed=OPEN,
        to=to,
        values={"closed_at": utcnow()},
        extra_where=ConsultationRequest.person_id == requester.person_id,
    )


async def withdraw(db: Database, request_id: int, requester: Actor) -> Outcome:
    """The requester withdraws their own request; the times still offered go."""
    withdrawn = await _requester_closes(db, request_id, requester, RequestStatus.WITHDRAWN)
    if isinstance(withdrawn, Changed):
        await _drop_offered_slots(db, request_id)
    return withdrawn


async def confirm_resolved(db: Database, request_id: int, requester: Actor) -> Outcome:
    """«Вопрос решён» from the requester after an answer."""
    return await _requester_closes(db, request_id, requester, RequestStatus.RESOLVED)


async def _drop_offered_slots(db: Database, request_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.request_id == request_id)
            .where(AppointmentSlot.status == SlotStatus.OFFERED)
            .values(status=SlotStatus.DROPPED)
        )


async def rate(db: Database, request_id: int, person_id: int, rating: int) -> Rating:
    """The requester's 1–5 for a closed request; only the first press counts."""
    if not 1 <= rating <= 5:
        return Rating.NOT_NOW
    own = (ConsultationRequest.id == request_id) & (ConsultationRequest.person_id == person_id)
    async with db.transaction() as session:
        result = await session.execute(
            update(ConsultationRequest)
            .where(own)
            .where(ConsultationRequest.status.in_([RequestStatus.RESOLVED, RequestStatus.REJECTED]))
            .where(ConsultationRequest.rating.is_(None))
            .values(rating=rating)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return Rating.SAVED
        kept = await session.scalar(select(ConsultationRequest.rating).where(own))
        return Rating.NOT_NOW if kept is None else Rating.ALREADY


async def comment_rating(db: Database, request_id: int, person_id: int, text: str) -> bool:
    """A few words to the rating just given; once."""
    async with db.transaction() as session:
        result = await session.execute(
            update(ConsultationRequest)
            .where(ConsultationRequest.id == request_id)
            .where(ConsultationRequest.person_id == person_id)
            .where(ConsultationRequest.rating.is_not(None))
            .where(ConsultationRequest.rating_comment.is_(None))
            .values(rating_comment=clip(text, 1000))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
