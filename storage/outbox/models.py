"""The outbox's tables and the states their rows go through.

A broadcast: scheduled → sending → done (or cancelled before it starts, recalled after,
missed when the bot was down past the grace). An outbox row: pending → claimed (a sender
took it) → sending (the API call is about to be made) → sent | failed | blocked | unknown.
Only an API acknowledgement makes a row `sent`; a row found in `sending` after a crash may
or may not have arrived, so it becomes `unknown` and is never sent again; a `claimed` row
was never tried and goes back to `pending`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class BroadcastStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    RECALLED = "recalled"  # staff took it back: sent messages deleted, unsent ones dropped
    MISSED = "missed"  # the bot was down at its time for longer than the grace period


class Delivery(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    EXPIRED = "expired"  # a personal notice that lost its point before it could be sent
    RECALL = "recall"  # sent, to be deleted from the chat (the broadcast was recalled)
    RECALLING = "recalling"  # a sender is deleting it
    RECALLED = "recalled"  # deleted from the chat
    UNRECALLED = "unrecalled"  # the messenger refused to delete it (too old, already gone)


OPEN = (Delivery.PENDING, Delivery.CLAIMED, Delivery.SENDING)


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(300))  # a messenger file id or URL
    buttons: Mapped[str] = mapped_column(Text, default="[]")  # [{"text": …, "url": …}]
    # {"topic": "events", "branch": "central"} or {"everyone": true}
    audience: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # ignores quiet hours
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.SCHEDULED)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One message to one chat: a recipient of a broadcast, or a personal notice
    (a due-date reminder) with its own text and buttons and no broadcast."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "platform", "chat_id"),
        Index("ix_outbox_platform_chat_message", "platform", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=Delivery.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(300))
    # Personal notices only: their own text and buttons, what they are about (for
    # reports), a key that makes enqueueing the same notice twice a no-op, and a
    # moment after which sending it would be wrong (the loan may be back by then).
    text: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(String(32))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whom the text is about when it goes to someone else (a request's card in the staff
    # chat or to an expert names the reader): /forget erases those texts too.
    about_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    # What conversation a message in a staff chat belongs to ("request:12"): a staff
    # member's reply to it in that chat is an answer there.
    thread: Mapped[str | None] = mapped_column(String(40))


async def count_by(session: AsyncSession, by: Any, *conditions: Any) -> dict[Any, int]:
    """How many outbox rows there are for each value of `by` (a status, an error) among
    those matching `conditions`."""
    rows = await session.execute(select(by, func.count()).where(*conditions).group_by(by))
    return {value: count for value, count in rows.all()}
