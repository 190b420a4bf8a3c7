"""Who follows which contest topics, so deadline reminders reach them. A messenger id is all
it keeps, like the library's news subscriptions: no consent needed; /forget removes them
(the rows go with the person's row)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.grants.models import Application, GrantSubscription, Status
from storage.models import Person

EVERY = "*"  # every contest, whatever its topics


def one(contest_id: int) -> str:
    """The "tag" of following one contest («🔔 Напомнить о сроке» on its card)."""
    return f"contest:{contest_id}"


async def of(db: Database, person_id: int) -> set[str]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(GrantSubscription.tag).where(GrantSubscription.person_id == person_id)
        )
        return set(rows.scalars())


async def toggle(db: Database, person_id: int, tag: str) -> bool:
    """Follow or stop following a topic; True when the person now follows it."""
    try:
        async with db.transaction() as session:
            existing = await session.get(GrantSubscription, (person_id, tag))
            if existing is not None:
                await session.delete(existing)
                return False
            session.add(GrantSubscription(person_id=person_id, tag=tag))
            return True
    except IntegrityError:  # a double tap raced this one: it is followed
        return True


async def followers(db: Database, contest_id: int, tags: tuple[str, ...]) -> list[Person]:
    """Whom a contest's deadline concerns: those who follow it, one of its topics or every
    contest, and those preparing an application to it."""
    async with db.transaction() as session:
        followed = select(GrantSubscription.person_id).where(
            GrantSubscription.tag.in_((EVERY, one(contest_id), *tags))
        )
        preparing = select(Application.person_id).where(
            Application.contest_id == contest_id,
            Application.status == Status.PREPARING,
            Application.person_id.is_not(None),
        )
        rows = await session.execute(
            select(Person)
            .where(or_(Person.id.in_(followed), Person.id.in_(preparing)))
            .order_by(Person.id)
        )
        return list(rows.scalars())


async def forget(db: Database, person_id: int) -> int:
    async with db.transaction() as session:
        result = await session.execute(
            delete(GrantSubscription).where(GrantSubscription.person_id == person_id)
        )
        return int(result.rowcount or 0)
