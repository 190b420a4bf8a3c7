"""Announcements from creation to their report: who gets one (`Audience`), the one way one
starts (`start`, which keeps quiet hours), and closing it once every row has ended.

Starting freezes the audience into one outbox row per recipient, so each person gets it
exactly once, however many senders or processes deliver it.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update

from bot.kernel.config import Config
from storage.db import Database
from storage.models import Consent, Person
from storage.outbox.models import (
    OPEN,
    Broadcast,
    BroadcastStatus,
    Delivery,
    OutboxMessage,
    count_by,
)
from storage.outbox.notices import morning_after
from storage.subscriptions import ANY_BRANCH, Subscription
from storage.types import utcnow

log = logging.getLogger(__name__)


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


class StartOutcome(enum.StrEnum):
    STARTED = "started"
    WAITS = "waits"  # quiet hours and not urgent: it waits for the morning
    NOT_SCHEDULED = "not scheduled"  # started already, cancelled, recalled, missed, or no such


@dataclass(frozen=True)
class Started:
    """What `start` did: how many recipients it froze, or until when it waits."""

    outcome: StartOutcome
    recipients: int = 0
    waits_until: datetime | None = None


async def start(
    db: Database,
    broadcast_id: int,
    *,
    config: Config,
    platforms: tuple[str, ...],
    now: datetime | None = None,
) -> Started:
    """Start an announcement: freeze its audience into outbox rows and mark it as sending.

    The only way an announcement starts (the scheduler, the demo, tests), so quiet hours
    (`[notifications] quiet_hours`) always apply: at night one that is not urgent is left
    scheduled and the result says when the night ends. `now` is the moment judged against
    quiet hours (the clock by default). Idempotent: a broadcast already started (or
    cancelled) gains no rows.
    """
    moment = now or utcnow()
    may_go = morning_after(config, moment)
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
            return Started(StartOutcome.NOT_SCHEDULED)
        if may_go > moment and not broadcast.urgent:
            return Started(StartOutcome.WAITS, waits_until=may_go)
        audience = Audience.load(broadcast.audience)
        started_at = utcnow()
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
                        not_before=started_at,
                        updated_at=started_at,
                    )
                )
        session.add_all(rows)
        broadcast.status = BroadcastStatus.SENDING
        broadcast.started_at = started_at
    log.info("broadcast %s started for %s recipients", broadcast_id, len(rows))
    return Started(StartOutcome.STARTED, recipients=len(rows))


async def due_broadcasts(db: Database, now: datetime) -> list[int]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast.id).where(
                Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now
            )
        )
        return list(rows)


async def scheduled(db: Database) -> list[Broadcast]:
    """Announcements not started yet: they can still be cancelled."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Broadcast)
            .where(Broadcast.status == BroadcastStatus.SCHEDULED)
            .order_by(Broadcast.scheduled_at)
        )
        return list(rows)


async def _change_scheduled(db: Database, broadcast_id: int, **values: Any) -> bool:
    """Change an announcement that has not started; False once sending has begun (or it
    was cancelled, missed, or never existed)."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(**values)
        )
        return bool(result.rowcount)


async def mark_missed(db: Database, broadcast_id: int) -> bool:
    """A scheduled announcement whose time is long past: not sent late (once, for staff)."""
    return await _change_scheduled(
        db, broadcast_id, status=BroadcastStatus.MISSED, finished_at=utcnow()
    )


async def cancel(db: Database, broadcast_id: int) -> bool:
    """Cancel an announcement that has not started; False once sending has begun."""
    return await _change_scheduled(db, broadcast_id, status=BroadcastStatus.CANCELLED)


async def edit_text(db: Database, broadcast_id: int, text: str) -> bool:
    """Change an announcement's text until it starts (the text is read when it fires);
    False once sending has begun or it was cancelled."""
    return await _change_scheduled(db, broadcast_id, text=text)


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
            of_it = OutboxMessage.broadcast_id == broadcast.id
            counts = await count_by(session, OutboxMessage.status, of_it)
            if any(counts.get(status, 0) for status in OPEN):
                continue
            failed = OutboxMessage.status == Delivery.FAILED
            errors = await count_by(session, OutboxMessage.error, of_it, failed)
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
