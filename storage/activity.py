"""The activity log: one row per interaction or staff action, the spine of every report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Activity, ActivityKind
from storage.types import utcnow

CONTENT_LIMIT = 500
# How the work sheet names the executor of answers the bot gave by itself.
BOT_EXECUTOR = "бот"
# What the log keeps of a message that carried a secret (a PIN, a desk code).
HIDDEN = "[скрыто]"


@dataclass(slots=True)
class ActivityNote:
    """What a handler wants logged about the update it handled.

    The activity middleware creates one per update with sensible defaults; handlers
    refine it (kind, content, status) and the middleware writes it afterwards.
    """

    platform: str
    kind: ActivityKind
    person_id: int | None = None
    content: str | None = None
    customer: str | None = None
    responsible: str | None = None
    executor: str | None = None
    status: str = "done"
    notes: str | None = None
    update_id: int | None = None
    skip: bool = False


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def record(db: Database, note: ActivityNote, *, at: datetime | None = None) -> None:
    async with db.transaction() as session:
        session.add(
            Activity(
                occurred_at=at or utcnow(),
                platform=note.platform,
                person_id=note.person_id,
                kind=note.kind,
                content=_clip(note.content, CONTENT_LIMIT),
                customer=_clip(note.customer, 300),
                responsible=_clip(note.responsible, 200),
                executor=_clip(note.executor, 200),
                status=note.status,
                notes=note.notes,
                update_id=note.update_id,
            )
        )


async def count_by_kind(db: Database, since: datetime) -> dict[str, int]:
    """How many interactions of each kind since a moment: the staff's daily glance."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(Activity.kind, func.count())
            .where(Activity.occurred_at >= since)
            .group_by(Activity.kind)
        )
        return {kind: count for kind, count in rows.all()}
