"""Taking a started announcement back: its unsent rows are dropped, its sent messages
queued for deletion, which the senders carry out within the messenger's limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from storage.db import Database
from storage.outbox.models import Broadcast, BroadcastStatus, Delivery, OutboxMessage
from storage.types import utcnow

# Telegram lets a bot delete its messages in private chats for 48 hours; keep a margin.
RECALL_WINDOW = timedelta(hours=47)
STARTED = (BroadcastStatus.SENDING, BroadcastStatus.DONE)


@dataclass(frozen=True)
class RecallRequest:
    """What recalling a broadcast will do: delete `to_delete` sent messages, drop
    `dropped` not yet sent; `too_old` sent messages are past the messenger's window."""

    to_delete: int
    dropped: int
    too_old: int


@dataclass(frozen=True)
class Deletion:
    outbox_id: int
    chat_id: str
    message_id: str


async def recent(db: Database, now: datetime) -> list[Broadcast]:
    """Announcements started within the recall window: they can still be recalled."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_(STARTED))
            .where(Broadcast.started_at >= now - RECALL_WINDOW)
            .order_by(Broadcast.started_at.desc())
            .limit(10)
        )
        return list(rows)


async def request_recall(db: Database, broadcast_id: int, now: datetime) -> RecallRequest | None:
    """Take a started broadcast back: its sent messages (within the window) are queued for
    deletion, its unsent ones dropped. None if it was never started or already recalled."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .where(Broadcast.status.in_(STARTED))
            .values(status=BroadcastStatus.RECALLED, finished_at=now)
        )
        if not result.rowcount:
            return None
        of_it = OutboxMessage.broadcast_id == broadcast_id
        dropped = await session.execute(
            update(OutboxMessage)
            .where(of_it, OutboxMessage.status.in_([Delivery.PENDING, Delivery.CLAIMED]))
            .values(status=Delivery.EXPIRED, error="recalled before sending", updated_at=now)
        )
        queued = await session.execute(
            update(OutboxMessage)
            .where(of_it, OutboxMessage.status == Delivery.SENT)
            .where(OutboxMessage.message_id.is_not(None))
            .where(OutboxMessage.updated_at >= now - RECALL_WINDOW)
            .values(status=Delivery.RECALL, updated_at=now)
        )
        too_old = await session.scalar(
            select(func.count()).where(of_it, OutboxMessage.status == Delivery.SENT)
        )
        return RecallRequest(queued.rowcount, dropped.rowcount, int(too_old or 0))


async def claim_deletions(db: Database, platform: str, limit: int) -> list[Deletion]:
    """Take up to `limit` messages to delete; other senders skip them."""
    async with db.transaction() as session:
        query = (
            select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.message_id)
            .where(OutboxMessage.platform == platform, OutboxMessage.status == Delivery.RECALL)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await session.execute(query)).all()
        if not rows:
            return []
        ours = set(
            await session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([r[0] for r in rows]))
                .where(OutboxMessage.status == Delivery.RECALL)
                .values(status=Delivery.RECALLING, updated_at=utcnow())
                .returning(OutboxMessage.id)
            )
        )
        return [
            Deletion(row_id, chat_id, message_id)
            for row_id, chat_id, message_id in rows
            if row_id in ours
        ]
