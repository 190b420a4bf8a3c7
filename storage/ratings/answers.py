"""Asking for a rating and taking the answer: each step is one conditional statement, so a
replayed press, a second process or a forged id changes nothing.

- `ask` makes the row a rating button names (once per kind, service and person);
- `rate` fills it once, and only for the person it was asked of;
- `comment` adds their words once, after the rating — the caller checks consent;
- `refuse` remembers «Не спрашивать больше», `refused` tells the sweeps.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.ratings.models import COMMENT_LIMIT, RatingRefusal, ServiceKind, ServiceRating
from storage.types import utcnow


class Rated(enum.Enum):
    SAVED = "saved"
    ALREADY = "already"  # the first rating stays
    NOT_YOURS = "not yours"  # no such question to this person (forged, someone else's)


async def ask(
    db: Database, kind: ServiceKind, service_id: int, service: str, person_id: int, now: datetime
) -> int | None:
    """The id of a new question about this service to this person; None when they were
    asked before (the first question stands)."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    values = {
        "kind": kind.value,
        "service_id": service_id,
        "service": service[:300],
        "person_id": person_id,
        "asked_at": now,
    }
    async with db.transaction() as session:
        result = await session.execute(
            insert(ServiceRating)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["kind", "service_id", "person_id"])
            .returning(ServiceRating.id)
        )
        return result.scalar_one_or_none()


async def rate(db: Database, rating_id: int, person_id: int, value: int) -> Rated:
    """Save `value` (1–5) as this person's answer to the question `rating_id`, once."""
    if not 1 <= value <= 5:
        return Rated.NOT_YOURS
    theirs = (ServiceRating.id == rating_id, ServiceRating.person_id == person_id)
    async with db.transaction() as session:
        saved = await session.execute(
            update(ServiceRating)
            .where(*theirs, ServiceRating.rating.is_(None))
            .values(rating=value, rated_at=utcnow())
        )
        if saved.rowcount:
            return Rated.SAVED
        asked = await session.scalar(select(ServiceRating.id).where(*theirs))
        return Rated.NOT_YOURS if asked is None else Rated.ALREADY


async def comment(db: Database, rating_id: int, person_id: int, text: str) -> bool:
    """Their words to the rating they gave; once. The caller keeps them only with consent."""
    words = " ".join(text.split())[:COMMENT_LIMIT]
    if not words:
        return False
    async with db.transaction() as session:
        saved = await session.execute(
            update(ServiceRating)
            .where(
                ServiceRating.id == rating_id,
                ServiceRating.person_id == person_id,
                ServiceRating.rating.is_not(None),
                ServiceRating.comment.is_(None),
            )
            .values(comment=words)
        )
        return bool(saved.rowcount)


async def refuse(db: Database, person_id: int) -> None:
    """«Не спрашивать больше»; a second press is the same."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    async with db.transaction() as session:
        await session.execute(
            insert(RatingRefusal)
            .values(person_id=person_id, refused_at=utcnow())
            .on_conflict_do_nothing(index_elements=["person_id"])
        )


async def refused(db: Database, person_id: int) -> bool:
    async with db.transaction() as session:
        found = await session.scalar(
            select(RatingRefusal.person_id).where(RatingRefusal.person_id == person_id)
        )
        return found is not None


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: their comments and refusal go; their ratings stay counted, unnamed."""
    await session.execute(
        update(ServiceRating)
        .where(ServiceRating.person_id == person_id)
        .values(person_id=None, comment=None)
    )
    await session.execute(delete(RatingRefusal).where(RatingRefusal.person_id == person_id))


async def purge_comments(session: AsyncSession, cutoff: datetime) -> int:
    """Retention: comments to ratings given before `cutoff` go (the ratings stay)."""
    purged = await session.execute(
        update(ServiceRating)
        .where(ServiceRating.rated_at < cutoff, ServiceRating.comment.is_not(None))
        .values(comment=None)
    )
    return int(purged.rowcount or 0)
