"""Events (meetups, trainings, public events, consultation days) and registrations.

Seats are counted in `Event.taken` (confirmed registrations plus promotions waiting
for an answer), changed only by conditional UPDATEs inside the transaction that
changes a registration, so the count and the rows never disagree and two people can
never take the last seat — on SQLite (one writer at a time) and PostgreSQL (the row
lock the UPDATE takes) alike.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class EventKind(enum.StrEnum):
    MEETUP = "meetup"  # митап / встреча НКО
    TRAINING = "training"  # обучающее мероприятие
    PUBLIC = "public"  # публичное мероприятие
    CONSULTATION_DAY = "consultation_day"  # день консультаций
    OTHER = "other"


# NKO work: the organisation is asked (the reports count organisations) and a contact is
# required (staff call about materials and changes). Other events: a name is enough, and
# the contact may be skipped — the messenger already reaches the person.
NKO_KINDS = (EventKind.MEETUP, EventKind.TRAINING, EventKind.CONSULTATION_DAY)


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # promoted from the waiting list, the seat held until offer_expires_at
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  # did not confirm a promotion in time


# Registrations that hold a seat.
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
ACTIVE = (*SEATED, RegistrationStatus.WAITLISTED)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default=EventKind.OTHER)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    branch_id: Mapped[str | None] = mapped_column(String(32))
    room: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(300))
    seats: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped first thing by every registration change: it serialises them per event
    # and numbers the waiting list in arrival order.
    queue_seq: Mapped[int] = mapped_column(Integer, default=0)
    waitlist: Mapped[bool] = mapped_column(Boolean, default=True)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # [{"text": "…", "required": true}], up to 10, asked after the defaults
    questions: Mapped[str] = mapped_column(Text, default="[]")
    ask_organisation: Mapped[bool] = mapped_column(Boolean, default=True)
    # The contact step is shown; required for NKO_KINDS, «Пропустить» for the others.
    ask_contact: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.SCHEDULED)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Registration(Base):
    """One person's place at one event. A person has one row per event: registering
    again after cancelling reuses it (and joins the end of the queue)."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        Index("ix_registrations_event_status", "event_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # SET NULL on /forget: the row stays counted (seats, attendance) but anonymous.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(200))
    answers: Mapped[str] = mapped_column(Text, default="[]")
    queued_at: Mapped[int] = mapped_column(Integer, default=0)  # waiting-list order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ticket: Mapped[str] = mapped_column(String(32), unique=True)  # the QR ticket's code
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    added_by: Mapped[str | None] = mapped_column(String(200))  # staff who added by hand
