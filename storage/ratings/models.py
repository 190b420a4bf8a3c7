"""The ratings tables.

`service_ratings` holds one row per person and service they were asked about: made when the
question is sent (so a rating button names a row the server knows, and a press for a row
that is not the presser's changes nothing), filled when they tap 1–5. The comment is their
own words: kept only with consent, gone after /forget and after the retention period; the
rating itself stays, unnamed, for the satisfaction indicator.

`rating_refusals` remembers «Не спрашивать больше»; it goes with the person (/forget).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow

COMMENT_LIMIT = 1000


class ServiceKind(enum.StrEnum):
    """What was rated; the values are `[ratings]`'s kinds (`bot.kernel.config.ratings`)."""

    EVENT = "event"
    CONSULTATION = "consultation"
    LIBRARIAN = "librarian"


class ServiceRating(Base):
    __tablename__ = "service_ratings"
    __table_args__ = (UniqueConstraint("kind", "service_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int] = mapped_column(Integer)  # the event's id
    service: Mapped[str] = mapped_column(String(300))  # its title, as the workbook shows it
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    comment: Mapped[str | None] = mapped_column(String(COMMENT_LIMIT))


class RatingRefusal(Base):
    """«Не спрашивать больше»: no rating is asked of this person again."""

    __tablename__ = "rating_refusals"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
