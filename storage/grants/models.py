"""The grants calendar's tables: contests, who follows which contest topics, and the
applications organisations prepare (with the centre's help or not) and their outcomes.

An application is the organisation's: its name as the person gave it, the contest, the
status and the sums stay for the reports after /forget; only `person_id` (who pressed
«Готовлю заявку») is personal and goes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class Status(enum.StrEnum):
    """An application's life: готовится → подана → поддержана / не поддержана."""

    PREPARING = "preparing"
    SUBMITTED = "submitted"
    SUPPORTED = "supported"
    REJECTED = "rejected"


class Contest(Base):
    """A grant contest: who runs it, where to apply, its window and what it gives."""

    __tablename__ = "grant_contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    operator: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str | None] = mapped_column(String(500))  # http(s) only
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    zone: Mapped[str] = mapped_column(String(64))  # the deadline's time zone, as announced
    results_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    amount_min: Mapped[int | None] = mapped_column(BigInteger)  # roubles
    amount_max: Mapped[int | None] = mapped_column(BigInteger)
    eligible: Mapped[str] = mapped_column(String(500), default="")  # who may apply
    tags: Mapped[str] = mapped_column(String(300), default="")  # topics, comma-separated
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot | import | demo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GrantSubscription(Base):
    """A reader follows a contest topic ("*": every contest) and is reminded of deadlines."""

    __tablename__ = "grant_subscriptions"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Application(Base):
    """An organisation's application to a contest and its outcome."""

    __tablename__ = "grant_applications"
    __table_args__ = (UniqueConstraint("contest_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("grant_contests.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(300), default="")
    # Who pressed «Готовлю заявку»: personal, so /forget sets it to NULL.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    with_help: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=Status.PREPARING)
    requested: Mapped[int | None] = mapped_column(BigInteger)
    granted: Mapped[int | None] = mapped_column(BigInteger)
    # The expertise consultation offered with it, when the person asked for one.
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="SET NULL")
    )
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
