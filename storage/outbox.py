"""Announcements and their outbox: one row per recipient, so delivery is exactly once.

A row's life: pending → claimed (a sender took it) → sending (the API call is about
to be made) → sent | failed | blocked | unknown. Only an API acknowledgement makes
a row `sent`; a row found in `sending` after a crash may or may not have arrived,
so it becomes `unknown` and is never sent again; a `claimed` row was never tried
and goes back to `pending`.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Database
from storage.models import Base, Consent, Person
from storage.subscriptions import ANY_BRANCH, Subscription
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
    __table_args__ = (UniqueConstraint("broadcast_id", "platform", "chat_id"),)

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


@dataclass(frozen=True)
class Audience:
    """Who gets an announcement: a topic's subscribers (of one branch, or all), everyone who
    wrote to the bot, NKO members (people who gave an organisation with consent), or the people
    registered for one event (their seats and the waiting list)."""

    topic: str | None = None
    branch: str = ANY_BRANCH
    everyone: bool = False
    nko: bool = False
    event_id: int | None = None

    def dump(self) -> str:
        data: dict[str, Any] = {
            "topic": self.topic,
            "branch": self.branch,
            "everyone": self.everyone,
        }
        if self.nko:
            data["nko"] = True
        if self.event_id is not None:
            data["event_id"] = self.event_id
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def load(cls, text: str) -> Audience:
        data: dict[str, Any] = json.loads(text)
        event_id = data.get("event_id")
        return cls(
            data.get("topic"),
            data.get("branch") or ANY_BRANCH,
            bool(data.get("everyone")),
            bool(data.get("nko")),
            int(event_id) if event_id is not None else None,
        )


# Telegram lets a bot delete its messages in private chats for 48 hours; keep a margin.
RECALL_WINDOW = timedelta(hours=47)


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


async def create(
    db: Database,
    *,
    text: str,
    audience: Audience,
    scheduled_at: datetime,
    author_id: int | None = None,
    author_name: str | None = None,
    photo: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    urgent: bool = False,
) -> int:
    async with db.transaction() as session:
        broadcast = Broadcast(
            text=text,
            photo=photo,
            buttons=json.dumps(buttons or [], ensure_ascii=False),
            audience=audience.dump(),
            urgent=urgent,
            status=BroadcastStatus.SCHEDULED,
            scheduled_at=scheduled_at,
            author_id=author_id,
            author_name=author_name,
            created_at=utcnow(),
        )
        session.add(broadcast)
        await session.flush()
        return broadcast.id


def _recipients(audience: Audience, platform: str) -> Any:
    people = select(Person.id, Person.platform_user_id).where(Person.platform == platform)
    if audience.everyone:
        return people
    if audience.nko:
        return people.where(Person.consent == Consent.GIVEN, Person.organisation.is_not(None))
    if audience.event_id is not None:
        from storage.events.models import ACTIVE, Registration

        registered = select(Registration.person_id).where(
            Registration.event_id == audience.event_id,
            Registration.person_id == Person.id,
            Registration.status.in_([str(s) for s in ACTIVE]),
        )
        return people.where(registered.exists())
    topic_match = and_(Subscription.person_id == Person.id, Subscription.topic == audience.topic)
    if audience.branch:
        # A reader following the whole topic, or this branch of it.
        topic_match = and_(topic_match, Subscription.branch_id.in_([ANY_BRANCH, audience.branch]))
    return people.where(select(Subscription.person_id).where(topic_match).exists())


async def start(db: Database, broadcast_id: int, *, platforms: tuple[str, ...]) -> int:
    """Freeze the audience into outbox rows and mark the broadcast as sending.

    Idempotent: a broadcast already started (or cancelled) gains no rows.
    """
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
            return 0
        audience = Audience.load(broadcast.audience)
        now = utcnow()
        rows = []
        for platform in platforms:
            for person_id, user_id in await session.execute(_recipients(audience, platform)):
                rows.append(
                    OutboxMessage(
                        broadcast_id=broadcast_id,
                        person_id=person_id,
                        platform=platform,
                        chat_id=user_id,
                        status=Delivery.PENDING,
                        not_before=now,
                        updated_at=now,
                    )
                )
        session.add_all(rows)
        broadcast.status = BroadcastStatus.SENDING
        broadcast.started_at = now
        return len(rows)


async def due_broadcasts(db: Database, now: datetime) -> list[int]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast.id).where(
                Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now
            )
        )
        return list(rows)


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
            )
            for row_id, broadcast_id, person_id, chat_id, attempts, text, photo, buttons in rows
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
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(status=status, updated_at=utcnow(), **values)
        )


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
    cutoff = utcnow() - older_than
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == Delivery.PENDING,
                OutboxMessage.expires_at <= utcnow(),
            )
            .values(status=Delivery.EXPIRED, updated_at=utcnow())
        )
        untried = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == Delivery.CLAIMED,
                OutboxMessage.updated_at < cutoff,
            )
            .values(status=Delivery.PENDING, updated_at=utcnow())
        )
        interrupted = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == Delivery.SENDING,
                OutboxMessage.updated_at < cutoff,
            )
            .values(status=Delivery.UNKNOWN, updated_at=utcnow(), error="interrupted mid-send")
        )
        # A deletion a dead sender held is tried again: deleting twice does no harm.
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == Delivery.RECALLING,
                OutboxMessage.updated_at < cutoff,
            )
            .values(status=Delivery.RECALL, updated_at=utcnow())
        )
        return int(untried.rowcount or 0), int(interrupted.rowcount or 0)


@dataclass(frozen=True)
class Report:
    broadcast_id: int
    counts: dict[str, int]
    errors: dict[str, int]
    started_at: datetime | None
    finished_at: datetime | None


async def finish_completed(db: Database) -> list[Report]:
    """Close broadcasts with no open rows left; return their reports (once each)."""
    reports = []
    async with db.transaction() as session:
        sending = list(
            await session.scalars(
                select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING)
            )
        )
        for broadcast in sending:
            counts = dict(
                (
                    await session.execute(
                        select(OutboxMessage.status, func.count())
                        .where(OutboxMessage.broadcast_id == broadcast.id)
                        .group_by(OutboxMessage.status)
                    )
                ).all()
            )
            if any(counts.get(status, 0) for status in OPEN):
                continue
            errors = dict(
                (
                    await session.execute(
                        select(OutboxMessage.error, func.count())
                        .where(
                            OutboxMessage.broadcast_id == broadcast.id,
                            OutboxMessage.status == Delivery.FAILED,
                        )
                        .group_by(OutboxMessage.error)
                    )
                ).all()
            )
            # Only the sender whose UPDATE closes it reports it (senders of both messengers,
            # or several processes, may all find it complete at once).
            finished_at = utcnow()
            closed = await session.scalar(
                update(Broadcast)
                .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.SENDING)
                .values(status=BroadcastStatus.DONE, finished_at=finished_at)
                .returning(Broadcast.id)
                .execution_options(synchronize_session=False)
            )
            if closed is not None:
                reports.append(
                    Report(broadcast.id, counts, errors, broadcast.started_at, finished_at)
                )
    return reports


async def scheduled(db: Database) -> list[Broadcast]:
    """Announcements not started yet: they can still be cancelled."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast)
            .where(Broadcast.status == BroadcastStatus.SCHEDULED)
            .order_by(Broadcast.scheduled_at)
        )
        return list(rows)


async def recent(db: Database, now: datetime) -> list[Broadcast]:
    """Announcements started within the recall window: they can still be recalled."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_([BroadcastStatus.SENDING, BroadcastStatus.DONE]))
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
            .where(Broadcast.status.in_([BroadcastStatus.SENDING, BroadcastStatus.DONE]))
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


async def recall_counts(db: Database, broadcast_id: int) -> dict[str, int]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.status)
        )
        return {status: count for status, count in rows.all()}


async def mark_missed(db: Database, broadcast_id: int) -> bool:
    """A scheduled announcement whose time is long past: not sent late (once, for staff)."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(status=BroadcastStatus.MISSED, finished_at=utcnow())
        )
        return bool(result.rowcount)


async def cancel(db: Database, broadcast_id: int) -> bool:
    """Cancel an announcement that has not started; False once sending has begun."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(status=BroadcastStatus.CANCELLED)
        )
        return bool(result.rowcount)


async def edit_text(db: Database, broadcast_id: int, text: str) -> bool:
    """Change an announcement's text until it starts (the text is read when it fires);
    False once sending has begun or it was cancelled."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(text=text)
        )
        return bool(result.rowcount)


@dataclass(frozen=True)
class Notice:
    """A personal message for the outbox: one person, their language, their buttons."""

    platform: str
    chat_id: str
    person_id: int | None
    text: str
    purpose: str
    dedupe_key: str
    expires_at: datetime
    # [{"text": …, "callback_data": …}] or [{"text": …, "url": …}], one button per row
    buttons: list[dict[str, str]] | None = None
    # Not before this moment (a digest made at night waits for the morning); default now.
    not_before: datetime | None = None
    # Whom the text names when it goes to someone else (staff, an expert): /forget erases it.
    about_person_id: int | None = None


async def enqueue(db: Database, notices: list[Notice]) -> int:
    """Add personal notices; a notice whose `dedupe_key` was ever enqueued is skipped,
    so a sweep that runs twice (or in two processes) sends each reminder once."""
    if not notices:
        return 0
    now = utcnow()
    rows = [
        {
            "broadcast_id": None,
            "person_id": n.person_id,
            "platform": n.platform,
            "chat_id": n.chat_id,
            "status": Delivery.PENDING.value,
            "attempts": 0,
            "not_before": n.not_before or now,
            "updated_at": now,
            "text": n.text,
            "buttons": json.dumps(n.buttons or [], ensure_ascii=False),
            "purpose": n.purpose,
            "dedupe_key": n.dedupe_key,
            "expires_at": n.expires_at,
            "about_person_id": n.about_person_id,
        }
        for n in notices
    ]
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
    added = 0
    async with db.transaction() as session:
        for row in rows:
            result = await session.execute(statement.values(**row))
            added += int(result.rowcount or 0)
    return added


async def enqueued(db: Database, keys: list[str]) -> set[str]:
    """Which of these dedupe keys were already enqueued (sent or not)."""
    if not keys:
        return set()
    async with db.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
        )
        return {key for key in rows if key is not None}
