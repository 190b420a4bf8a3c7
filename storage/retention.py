"""How long texts are kept: the nightly purge behind `[privacy] retention_days` and
`abandoned_form_hours`.

What people wrote, and what was written to them, is needed while it is being dealt with,
not for ever. The reports count rows by kind, date and outcome and never read their text,
so past the retention the rows stay and only the text goes:
- the outbox: a delivered (or failed, expired, recalled) message loses its text and
  buttons; announcements keep theirs (the library's own words, not a person's);
- the activity log: content, customer and notes;
- conversation state nobody touched within `abandoned_form_hours` is deleted (Redis keys
  expire by themselves);
- failed ticket-link attempts are forgotten a day after the last one;
- comments to ratings after a service go (the ratings stay counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update

from storage.circulation.models import LinkGuard
from storage.db import Database
from storage.fsm import DatabaseStorage
from storage.models import Activity
from storage.outbox import OPEN, OutboxMessage
from storage.ratings.answers import purge_comments as purge_rating_comments

LINK_GUARDS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purged:
    outbox_texts: int
    activity_texts: int
    conversations: int
    link_guards: int
    rating_comments: int = 0  # comments to ratings after a service (#26)


async def purge(
    db: Database,
    *,
    now: datetime,
    retention: timedelta,
    abandoned_after: timedelta,
) -> Purged:
    """Blank what is past its time; every statement is idempotent, so a rerun is harmless."""
    cutoff = now - retention
    async with db.transaction() as session:
        outbox = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.updated_at < cutoff,
                OutboxMessage.status.not_in(OPEN),
                or_(OutboxMessage.text.is_not(None), OutboxMessage.buttons.is_not(None)),
            )
            .values(text=None, buttons=None, error=None)
        )
        activities = await session.execute(
            update(Activity)
            .where(
                Activity.occurred_at < cutoff,
                or_(
                    Activity.content.is_not(None),
                    Activity.customer.is_not(None),
                    Activity.notes.is_not(None),
                ),
            )
            .values(content=None, customer=None, notes=None)
        )
        guards = await session.execute(
            delete(LinkGuard).where(
                LinkGuard.last_failure_at < now - LINK_GUARDS_KEPT,
                or_(LinkGuard.locked_until.is_(None), LinkGuard.locked_until < now),
            )
        )
        rating_comments = await purge_rating_comments(session, cutoff)
    conversations = await DatabaseStorage(db).purge(now - abandoned_after)
    return Purged(
        outbox_texts=int(outbox.rowcount or 0),
        activity_texts=int(activities.rowcount or 0),
        conversations=conversations,
        link_guards=int(guards.rowcount or 0),
        rating_comments=rating_comments,
    )
