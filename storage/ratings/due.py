"""Who is due a question about an event: people marked as having come to an event held on
an earlier day than today (the library's day), not asked about it yet, who did not say
«Не спрашивать больше». Events more than a few days past are left alone: a question about
last month's meetup (say, after the feature is switched on) would only puzzle.

A question is asked in two steps, each safe to repeat: its `service_ratings` row, then its
notice in the outbox (deduplicated by `event_question_key`). A row whose notice never made
it to the outbox (the process stopped in between) is not yet asked: it is due again, with
its id, so the next sweep enqueues the notice — both or, for a while, neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, literal, or_, select

from storage.db import Database
from storage.events.models import Event, Registration, RegistrationStatus
from storage.models import Person
from storage.outbox import OutboxMessage
from storage.ratings.models import RatingRefusal, ServiceKind, ServiceRating

ASK_WITHIN_DAYS = 3


@dataclass(frozen=True, slots=True)
class Due:
    event_id: int
    title: str
    starts_at: datetime
    person_id: int
    platform: str
    chat_id: str
    language: str
    rating_id: int | None = None  # a question made before whose notice was never queued


def event_question_key(event_id: int, person_id: int) -> str:
    """The outbox dedupe key of the question about an event to a person."""
    return f"rating:event:{event_id}:{person_id}"


async def event_guests(db: Database, zone: ZoneInfo, *, now: datetime) -> list[Due]:
    """Attended, held before today, not yet asked, not refused."""
    today = datetime.combine(now.astimezone(zone).date(), time(), zone)
    asked = and_(
        ServiceRating.kind == ServiceKind.EVENT.value,
        ServiceRating.service_id == Event.id,
        ServiceRating.person_id == Person.id,
    )
    key = literal("rating:event:") + cast(Event.id, String) + literal(":") + cast(Person.id, String)
    queued = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key).exists()
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                Event.id,
                Event.title,
                Event.starts_at,
                Person.id,
                Person.platform,
                Person.platform_user_id,
                Person.language,
                ServiceRating.id,
            )
            .join(Registration, Registration.event_id == Event.id)
            .join(Person, Person.id == Registration.person_id)
            .outerjoin(ServiceRating, asked)
            .where(
                Event.starts_at < today,
                Event.starts_at >= today - timedelta(days=ASK_WITHIN_DAYS),
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.attended_at.is_not(None),
                or_(ServiceRating.id.is_(None), and_(ServiceRating.rating.is_(None), ~queued)),
                ~select(RatingRefusal.person_id)
                .where(RatingRefusal.person_id == Person.id)
                .exists(),
            )
            .order_by(Event.starts_at, Person.id)
        )
        return [Due(*row) for row in rows]
