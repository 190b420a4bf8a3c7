"""The weekly «Афиша на неделю»: built from the events table, one message per subscriber.

Each subscriber of the digest topic gets the coming week's events of the branches they
follow (all of them if they follow the whole topic), in their language, as a personal
notice with a dedupe key for the week — so the job firing twice, or in two processes,
still sends each person one digest. A week without events sends nothing. During quiet
hours the notices wait for the morning.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.kernel.config import WEEKDAYS, Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import branch_name
from storage import activity as activity_log
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.events.listing import EventView, upcoming
from storage.models import ActivityKind, Person
from storage.outbox import Notice
from storage.subscriptions import ANY_BRANCH, Subscription

DAYS = 7
MAX_LINES = 25


def week_key(local_now: datetime) -> str:
    year, week, _ = local_now.isocalendar()
    return f"{year}-W{week:02d}"


def digest_text(texts: Texts, config: Config, events: list[EventView], start: datetime) -> str:
    zone = config.library.zone
    end = start + timedelta(days=DAYS - 1)
    lines = [texts("digest-title", start=f"{start:%d.%m}", end=f"{end:%d.%m}")]
    for event in events[:MAX_LINES]:
        local = event.starts_at.astimezone(zone)
        lines.append(
            texts(
                "digest-line",
                day=texts(f"day-{WEEKDAYS[local.weekday()]}"),
                when=f"{local:%d.%m %H:%M}",
                title=event.title,
                branch=branch_name(config, event.branch_id),
            )
        )
    if len(events) > MAX_LINES:
        lines.append(texts("digest-more", count=len(events) - MAX_LINES))
    return "\n".join(lines)


async def send_weekly_digest(
    db: Database, locales: Locales, config: Config, *, now: datetime
) -> int:
    """Enqueue this week's digest for every subscriber; returns how many were added."""
    topic = config.subscriptions.digest_topic
    if not topic or config.subscriptions.topic(topic) is None:
        return 0
    zone = config.library.zone
    local_now = now.astimezone(zone)
    start = datetime.combine(local_now.date(), time(), zone)
    events, _ = await upcoming(db, now=now, limit=500)
    week = [e for e in events if e.starts_at < start + timedelta(days=DAYS)]
    if not week:
        return 0
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                Person.id,
                Person.platform,
                Person.platform_user_id,
                Person.language,
                Subscription.branch_id,
            )
            .join(Subscription, Subscription.person_id == Person.id)
            .where(Subscription.topic == topic)
        )
        following: dict[tuple[int, str, str, str], set[str]] = defaultdict(set)
        for person_id, platform, chat_id, language, branch_id in rows.all():
            following[(person_id, platform, chat_id, language)].add(branch_id)
    key = week_key(local_now)
    send_from = outbox.morning_after(config, now)
    notices = []
    for (person_id, platform, chat_id, language), branches in following.items():
        mine = week if ANY_BRANCH in branches else [e for e in week if e.branch_id in branches]
        if not mine:
            continue
        texts = locales.texts(language)
        notices.append(
            Notice(
                platform=platform,
                chat_id=chat_id,
                person_id=person_id,
                text=digest_text(texts, config, mine, start),
                purpose="weekly_digest",
                dedupe_key=f"weekly_digest:{key}:{person_id}",
                expires_at=start + timedelta(days=DAYS),
                buttons=[
                    {
                        "text": texts("digest-all-events"),
                        "callback_data": EventCb(action=EventAction.LIST).pack(),
                    }
                ],
                not_before=send_from,
            )
        )
    added = await outbox.enqueue(db, notices)
    if added:
        await activity_log.record(
            db,
            ActivityNote(
                platform="bot",
                kind=ActivityKind.SERVICE_PROMOTION,
                content=f"Афиша на неделю {key}: {len(week)} мероприятий",
                executor=activity_log.BOT_EXECUTOR,
                status="digest",
                notes=f"reach={added}",
            ),
        )
    return added
