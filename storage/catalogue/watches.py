"""«Сообщить, когда вернут»: who waits for which record, and who can be told now.

A reader sees their own waits in «Мои книги» and cancels each there; a wait that was
answered («книга вернулась») is done and no longer listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.catalogue.models import CatalogueItem, CatalogueRecord, CatalogueWatch
from storage.catalogue.records import ItemStatus
from storage.db import Database
from storage.models import Person
from storage.types import utcnow


@dataclass(frozen=True)
class DueNotice:
    watch_id: int
    record_id: int
    title: str
    platform: str
    platform_user_id: str
    language: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """One of a reader's own waits, as «Мои книги» lists it."""

    watch_id: int
    record_id: int
    title: str


async def waiting(db: Database, person_id: int, *, limit: int) -> tuple[list[Waiting], int]:
    """The person's open waits, oldest first (at most `limit`), and how many there are."""
    mine = (CatalogueWatch.person_id == person_id, CatalogueWatch.notified_at.is_(None))
    async with db.transaction() as session:
        total = await session.scalar(select(func.count()).select_from(CatalogueWatch).where(*mine))
        rows = await session.execute(
            select(CatalogueWatch.id, CatalogueWatch.record_id, CatalogueRecord.title)
            .join(CatalogueRecord, CatalogueRecord.id == CatalogueWatch.record_id)
            .where(*mine)
            .order_by(CatalogueWatch.created_at, CatalogueWatch.id)
            .limit(limit)
        )
        return [Waiting(*row) for row in rows], int(total or 0)


async def cancel(db: Database, person_id: int, watch_id: int) -> str | None:
    """Stop waiting; the title, or None if that wait is not this person's open one (a
    forged id, another reader's, or cancelled / answered meanwhile)."""
    async with db.transaction() as session:
        title = await session.scalar(
            select(CatalogueRecord.title)
            .join(CatalogueWatch, CatalogueWatch.record_id == CatalogueRecord.id)
            .where(
                CatalogueWatch.id == watch_id,
                CatalogueWatch.person_id == person_id,
                CatalogueWatch.notified_at.is_(None),
            )
        )
        if title is None:
            return None
        result = await session.execute(
            delete(CatalogueWatch).where(
                CatalogueWatch.id == watch_id, CatalogueWatch.notified_at.is_(None)
            )
        )
        return title if result.rowcount == 1 else None


async def watch(db: Database, person_id: int, record_id: int) -> bool:
    """Start waiting; False if this person already waits for this record."""
    try:
        async with db.transaction() as session:
            row = await session.scalar(
                select(CatalogueWatch).where(
                    CatalogueWatch.person_id == person_id, CatalogueWatch.record_id == record_id
                )
            )
            if row is None:
                session.add(
                    CatalogueWatch(person_id=person_id, record_id=record_id, created_at=utcnow())
                )
                return True
            if row.notified_at is None:
                return False
            row.notified_at, row.created_at = None, utcnow()  # told once; waits again
            return True
    except IntegrityError:  # a double tap raced the first one
        return False


async def due(db: Database, *, platform: str, limit: int = 500) -> list[DueNotice]:
    """Watches whose record now has a copy on the shelf, for people on `platform`."""
    on_shelf = exists().where(
        CatalogueItem.record_id == CatalogueWatch.record_id,
        CatalogueItem.status == ItemStatus.AVAILABLE.value,
        CatalogueItem.withdrawn.is_(False),
    )
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                CatalogueWatch.id,
                CatalogueWatch.record_id,
                CatalogueRecord.title,
                Person.platform,
                Person.platform_user_id,
                Person.language,
            )
            .join(CatalogueRecord, CatalogueRecord.id == CatalogueWatch.record_id)
            .join(Person, Person.id == CatalogueWatch.person_id)
            .where(
                CatalogueWatch.notified_at.is_(None),
                CatalogueRecord.withdrawn.is_(False),
                Person.platform == platform,
                on_shelf,
            )
            .order_by(CatalogueWatch.id)
            .limit(limit)
        )
        return [DueNotice(*row) for row in rows]


async def claim(db: Database, watch_id: int) -> bool:
    """Take a due notice before sending it, so two bot processes never both send it."""
    async with db.transaction() as session:
        result = await session.execute(
            update(CatalogueWatch)
            .where(CatalogueWatch.id == watch_id, CatalogueWatch.notified_at.is_(None))
            .values(notified_at=utcnow())
        )
        return result.rowcount == 1


async def unclaim(db: Database, watch_id: int) -> None:
    """The send failed for a passing reason: let a later run try again."""
    async with db.transaction() as session:
        await session.execute(
            update(CatalogueWatch).where(CatalogueWatch.id == watch_id).values(notified_at=None)
        )
