"""Who wants which news: topics from the config, optionally per branch.

Nothing here is personal data beyond the messenger id, so subscribing needs no
consent; /stop and /forget remove every subscription.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.config import Config, Topic
from storage.db import Database
from storage.models import Base
from storage.types import UTCDateTime, utcnow

ANY_BRANCH = ""


class Subscription(Base):
    __tablename__ = "subscriptions"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(32), primary_key=True, default=ANY_BRANCH)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubscriptionOffer(Base):
    """That a person was asked once whether they want news, so they are not asked again."""

    __tablename__ = "subscription_offers"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def offered(config: Config, topic_id: str, branch_id: str = ANY_BRANCH) -> Topic | None:
    """The topic, if the library offers to follow it so: any topic in all branches, a
    per-branch one in a branch the library has. None for a choice the config no longer
    offers (an outdated button, or a forged one)."""
    topic = config.subscriptions.topic(topic_id)
    if topic is None or branch_id == ANY_BRANCH:
        return topic
    known = any(branch.id == branch_id for branch in config.library.branches)
    return topic if topic.per_branch and known else None


async def of(db: Database, person_id: int) -> set[tuple[str, str]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(Subscription.topic, Subscription.branch_id).where(
                Subscription.person_id == person_id
            )
        )
        return {(topic, branch) for topic, branch in rows}


async def toggle(db: Database, person_id: int, topic: str, branch_id: str = ANY_BRANCH) -> bool:
    """Flip one subscription; True when the person is now subscribed.

    «Все филиалы» and single branches exclude each other: choosing all replaces the
    branches chosen one by one, choosing one branch narrows «все» to it — so the list
    never shows both ticked, and unticking «все» leaves the topic off."""
    async with db.transaction() as session:
        existing = await session.get(Subscription, (person_id, topic, branch_id))
        if existing is not None:
            await session.delete(existing)
            return False
        others = (
            Subscription.branch_id != ANY_BRANCH
            if branch_id == ANY_BRANCH
            else Subscription.branch_id == ANY_BRANCH
        )
        await session.execute(
            delete(Subscription).where(
                Subscription.person_id == person_id, Subscription.topic == topic, others
            )
        )
        session.add(Subscription(person_id=person_id, topic=topic, branch_id=branch_id))
        return True


async def subscribe(db: Database, person_id: int, topics: list[str]) -> None:
    for topic in topics:
        try:
            async with db.transaction() as session:
                if await session.get(Subscription, (person_id, topic, ANY_BRANCH)) is None:
                    session.add(Subscription(person_id=person_id, topic=topic))
        except IntegrityError:  # a double tap raced this one
            continue


async def unsubscribe_all(db: Database, person_id: int) -> int:
    async with db.transaction() as session:
        result = await session.execute(
            delete(Subscription).where(Subscription.person_id == person_id)
        )
        return int(result.rowcount or 0)


async def should_offer(db: Database, person_id: int) -> bool:
    """True exactly once per person: the first time it is asked."""
    try:
        async with db.transaction() as session:
            if await session.get(SubscriptionOffer, person_id) is not None:
                return False
            session.add(SubscriptionOffer(person_id=person_id, offered_at=utcnow()))
            return True
    except IntegrityError:
        return False
