"""Personal notices (a due-date reminder, a seat offer, a request's card in the staff chat):
one message to one person with its own text and buttons, queued once per dedupe key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from bot.kernel.config import Config
from storage.db import Database
from storage.outbox.models import Delivery, OutboxMessage
from storage.types import utcnow


def morning_after(config: Config, now: datetime) -> datetime:
    """When a message made now may go: now, or the end of the library's quiet hours
    (`[notifications] quiet_hours`) if it is night — in `now`'s time zone."""
    local = now.astimezone(config.library.zone)
    return config.notifications.quiet_end(local).astimezone(now.tzinfo)


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
    # The conversation a staff chat message belongs to ("request:12"), for replies to it.
    thread: str | None = None


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
            "thread": n.thread,
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
