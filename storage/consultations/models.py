"""Consultation requests: a question from a reader or an NKO, its thread, the expert it was
passed to, offered appointment times, and the FAQ shown before the form.

The request row *is* the register line the quarterly report needs (дата получения,
содержание, от кого, кому и когда передан, результат/статус, ответственный); the
entries are its history. Status changes are conditional UPDATEs (`WHERE status IN …`),
so a replayed or simultaneous button press changes nothing twice.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class RequestStatus(enum.StrEnum):
    NEW = "new"  # новая
    IN_PROGRESS = "in_progress"  # в работе
    FORWARDED = "forwarded"  # передана эксперту
    AWAITING = "awaiting"  # ждёт ответа заявителя
    RESOLVED = "resolved"  # решена
    REJECTED = "rejected"  # отклонена
    WITHDRAWN = "withdrawn"  # отозвана


CLOSED = (RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN)
OPEN = (
    RequestStatus.NEW,
    RequestStatus.IN_PROGRESS,
    RequestStatus.FORWARDED,
    RequestStatus.AWAITING,
)


class EntryKind(enum.StrEnum):
    QUESTION = "question"  # the request itself (its text lives on the request)
    DETAILS = "details"  # the requester added something
    ANSWER = "answer"  # staff or expert wrote to the requester
    NOTE = "note"  # internal: never shown to the requester
    STATUS = "status"  # a transition: who, when, to whom
    FILE = "file"  # an attachment, kept as the messenger's file id
    APPOINTMENT = "appointment"  # times offered, chosen, declined


class Author(enum.StrEnum):
    REQUESTER = "requester"
    STAFF = "staff"
    EXPERT = "expert"
    BOT = "bot"


class SlotStatus(enum.StrEnum):
    OFFERED = "offered"
    CHOSEN = "chosen"
    DROPPED = "dropped"  # another time was chosen, or none suited, or the request closed


class Expert(Base):
    """Someone the library passes questions to: a lawyer, an accountant, a grant expert…

    `person_id` is set when the expert uses the bot: they then get the requests
    assigned to them, with the same buttons as staff."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    competences: Mapped[str] = mapped_column(String(500), default="")  # topic ids, comma-separated
    organisation: Mapped[str | None] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsultationRequest(Base):
    __tablename__ = "consultation_requests"
    __table_args__ = (
        Index("ix_consultation_requests_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the number the requester is told
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))  # where answers go; None after /forget
    language: Mapped[str] = mapped_column(String(8), default="ru")
    topic: Mapped[str] = mapped_column(String(20))
    expertise: Mapped[bool] = mapped_column(Boolean, default=False)  # экспертиза проектной заявки
    question: Mapped[str] = mapped_column(Text)
    requester_name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    contact: Mapped[str | None] = mapped_column(String(200))  # None: answer in the messenger
    contact_time: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.NEW)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    responsible_name: Mapped[str | None] = mapped_column(String(200))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="SET NULL"))
    expert_name: Mapped[str | None] = mapped_column(String(200))
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(String(500))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(String(1000))
    staff_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RequestEntry(Base):
    """One step of a request's history: a message, a note, a file, a transition."""

    __tablename__ = "request_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(16))
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    author_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)  # shown to the requester
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    to_whom: Mapped[str | None] = mapped_column(String(200))  # «кому передан»
    file_platform: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(300))
    file_kind: Mapped[str | None] = mapped_column(String(16))  # document | photo
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(Integer)


class AppointmentSlot(Base):
    """A time staff offered for a meeting; the requester chooses one."""

    __tablename__ = "appointment_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=SlotStatus.OFFERED)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    offered_by_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FaqEntry(Base):
    """A short answer staff keep for a topic, shown before «Задать вопрос специалисту»."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(20), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
