"""Who is due a question about an event: people marked as having come to an event held on
an earlier day than today (the library's day), not asked about it yet, who did not say
«Не спрашивать больше». Events more than a few days past are left alone: a question about
last month's meetup (say, after the feature is switched on) would only puzzle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select

from storage.db import Database
from storage.events.models import Event, Registration, RegistrationStatus
from storage.models import Person
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


async def event_guests(db: Database, zone: ZoneInfo, *, now: datetime) -> list[Due]:
    """Attended, held before today, not yet asked, not refused."""
    today = datetime.combine(now.astimezone(zone).date(), time(), zone)
    asked = and_(
        ServiceRating.kind == ServiceKind.EVENT.value,
        ServiceRating.service_id == Event.id,
        ServiceRating.person_id == Person.id,
    )
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
            )
            .join(Registration, Registration.event_id == Event.id)
            .join(Person, Person.id == Registration.person_id)
            .where(
                Event.starts_at < today,
                Event.starts_at >= today - timedelta(days=ASK_WITHIN_DAYS),
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.attended_at.is_not(None),
                ~select(ServiceRating.id).where(asked).exists(),
                ~select(RatingRefusal.person_id)
                .where(RatingRefusal.person_id == Person.id)
                .exists(),
            )
            .order_by(Event.starts_at, Person.id)
        )
        return [Due(*row) for row in rows]
