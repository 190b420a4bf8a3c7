"""What senders do with outbox rows: claim them, mark each step of sending, put them back
for a retry, and recover the rows of a sender that died.

Claims are leases: a row claimed or being sent for longer than the lease belongs to a dead
sender. An untried claim goes back to pending; an interrupted send becomes `unknown`, since
it may have arrived, and is never sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from storage.db import Database
from storage.outbox.models import Broadcast, Delivery, OutboxMessage
from storage.types import utcnow


@dataclass(frozen=True)
class Job:
    """One claimed outbox row with what is needed to send it."""

    outbox_id: int
    broadcast_id: int | None
    person_id: int | None
    chat_id: str
    attempts: int
    text: str
    photo: str | None
    buttons: list[dict[str, str]]
    # When this sender claimed it: the row is still ours only while its claim is this one.
    claimed_at: datetime
    # The conversation it belongs to in a staff chat ("request:12"): sent as a reply to
    # the thread's first message there (a request's card).
    thread: str | None = None


async def claim(db: Database, platform: str, limit: int) -> list[Job]:
    """Take up to `limit` pending rows for this sender; other senders skip them."""
    now = utcnow()
    async with db.transaction() as session:
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == Delivery.PENDING,
                OutboxMessage.not_before <= now,
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = list(await session.scalars(query))
        if not candidates:
            return []
        # Only the rows this UPDATE changed are ours: on SQLite another process may have
        # claimed some between the SELECT and the UPDATE (it has no row locks).
        ids = list(
            await session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidates), OutboxMessage.status == Delivery.PENDING)
                .values(status=Delivery.CLAIMED, updated_at=now)
                .returning(OutboxMessage.id)
            )
        )
        if not ids:
            return []
        rows = await session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.broadcast_id,
                OutboxMessage.person_id,
                OutboxMessage.chat_id,
                OutboxMessage.attempts,
                func.coalesce(OutboxMessage.text, Broadcast.text),
                Broadcast.photo,
                func.coalesce(OutboxMessage.buttons, Broadcast.buttons, "[]"),
                OutboxMessage.thread,
            )
            .outerjoin(Broadcast, Broadcast.id == OutboxMessage.broadcast_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        )
        return [
            Job(
                row_id,
                broadcast_id,
                person_id,
                chat_id,
                attempts,
                text,
                photo,
                json.loads(buttons),
                now,
                thread,
            )
            for (
                row_id,
                broadcast_id,
                person_id,
                chat_id,
                attempts,
                text,
                photo,
                buttons,
                thread,
            ) in rows
        ]


async def begin_sending(db: Database, jobs: list[Job]) -> set[int]:
    """Mark claimed rows as being sent, just before the API call; the ids still ours.

    A claim that waited in the pipeline longer than the lease may have been recovered and
    claimed again by another sender: such a row is not ours any more, and is not sent."""
    ours: set[int] = set()
    async with db.transaction() as session:
        for claimed_at in {job.claimed_at for job in jobs}:
            ids = [job.outbox_id for job in jobs if job.claimed_at == claimed_at]
            changed = await session.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == Delivery.CLAIMED,
                    OutboxMessage.updated_at == claimed_at,
                )
                .values(status=Delivery.SENDING, updated_at=utcnow())
                .returning(OutboxMessage.id)
            )
            ours.update(changed)
    return ours


async def mark(db: Database, outbox_id: int, status: Delivery, **values: Any) -> None:
    await mark_many(db, [outbox_id], status, **values)


async def mark_many(db: Database, outbox_ids: list[int], status: Delivery, **values: Any) -> None:
    """One status for many rows at once: a batch sent with one API call."""
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(outbox_ids))
            .values(status=status, updated_at=utcnow(), **values)
        )


async def retry_later(db: Database, outbox_id: int, *, delay: timedelta, error: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(
                status=Delivery.PENDING,
                attempts=OutboxMessage.attempts + 1,  # counted in the database: survives restarts
                not_before=utcnow() + delay,
                updated_at=utcnow(),
                error=error[:300],
            )
        )


async def release(db: Database, outbox_ids: list[int]) -> None:
    """Give claimed rows back untried (a sender stopping, or pausing for a 429)."""
    if not outbox_ids:
        return
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(outbox_ids), OutboxMessage.status == Delivery.CLAIMED)
            .values(status=Delivery.PENDING, updated_at=utcnow())
        )


async def recover(db: Database, platform: str, *, older_than: timedelta) -> tuple[int, int]:
    """After a crash: untried claims go back to pending; interrupted sends become unknown.

    Personal notices whose moment has passed unsent are closed as expired."""
    now = utcnow()
    stale = OutboxMessage.updated_at < now - older_than
    async with db.transaction() as session:

        async def move(found: Delivery, becomes: Delivery, when: Any, **values: Any) -> int:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.platform == platform, OutboxMessage.status == found, when)
                .values(status=becomes, updated_at=utcnow(), **values)
            )
            return int(result.rowcount or 0)

        await move(Delivery.PENDING, Delivery.EXPIRED, OutboxMessage.expires_at <= now)
        untried = await move(Delivery.CLAIMED, Delivery.PENDING, stale)
        interrupted = await move(
            Delivery.SENDING, Delivery.UNKNOWN, stale, error="interrupted mid-send"
        )
        # A deletion a dead sender held is tried again: deleting twice does no harm.
        await move(Delivery.RECALLING, Delivery.RECALL, stale)
        return untried, interrupted
