"""SQLAlchemy models. Each change here comes with an Alembic migration in migrations/versions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(enum.StrEnum):
    """Roles beyond 'reader', which everyone has. Admins come from the config file."""

    STAFF = "staff"
    EXPERT = "expert"
    ADMIN = "admin"


class Consent(enum.StrEnum):
    UNKNOWN = "unknown"
    GIVEN = "given"
    REFUSED = "refused"


class ActivityKind(enum.StrEnum):
    """What a logged interaction was, in the terms of the resource-centre reports.

    Stored as text so that later features add kinds without a migration.
    """

    MESSAGE = "message"  # inbound text the bot handled without a more specific kind
    BUTTON = "button"  # inbound button press
    MENU = "menu"  # navigation: /start, menu, help
    LIBRARY_INFO = "library_info"  # справка о библиотеке (адреса, часы работы)
    CATALOGUE_QUERY = "catalogue_query"  # справка по каталогу
    RENEWAL = "renewal"  # продление
    LOAN_ENQUIRY = "loan_enquiry"  # справка о книгах на формуляре («Мои книги»)
    READER_LINK = "reader_link"  # привязка / отвязка читательского билета
    CONSULTATION = "consultation"  # консультация
    LIBRARIAN_QUESTION = "librarian_question"  # справка: вопрос библиотекарю и ответ на него
    FAQ_ANSWER = "faq_answer"  # справка: ответ из частых вопросов библиотеки
    PROJECT_EXPERTISE = "project_expertise"  # экспертиза проектной заявки
    EVENT_REGISTRATION = "event_registration"  # регистрация на мероприятие
    TRAINING_EVENT = "training_event"  # обучающее мероприятие
    PUBLIC_EVENT = "public_event"  # публичное мероприятие
    SERVICE_PROMOTION = "service_promotion"  # продвижение услуг / информирование
    SUBSCRIPTION = "subscription"  # подписка / отписка от рассылок
    CONSENT = "consent"  # согласие на обработку ПДн (дано / отказ)
    DATA_ERASURE = "data_erasure"  # удаление персональных данных по запросу
    ROLE_CHANGE = "role_change"  # назначение / снятие роли
    STAFF_ACTION = "staff_action"  # прочие действия сотрудников
    THROTTLED = "throttled"  # сообщения сверх лимита частоты
    ERROR = "error"  # сбой при обработке
    WORK_RECORD = "work_record"  # работа РЦ вне чат-бота, записанная сотрудником (учёт работы)
    GRANT_APPLICATION = "grant_application"  # «Готовлю заявку», итог заявки на грант
    SERVICE_RATING = "service_rating"  # оценка услуги после неё (#26)


class Person(Base):
    """Someone who wrote to the bot on one messenger.

    Personal data (name, phone, e-mail, organisation) is kept only after consent;
    /forget deletes the row, and activity rows keep only anonymous facts.
    """

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="ru")
    consent: Mapped[str] = mapped_column(String(16), default=Consent.UNKNOWN)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        foreign_keys="PersonRole.person_id",
    )


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])


class Activity(Base):
    """One logged interaction or staff action: the source of every report.

    Columns follow the resource-centre work sheet: содержание (content), дата
    (occurred_at), ответственный (responsible), заказчик (customer), исполнитель
    (executor), примечания (notes), plus status.
    """

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_kind_occurred_at", "kind", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    platform: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    content: Mapped[str | None] = mapped_column(String(500))
    customer: Mapped[str | None] = mapped_column(String(300))
    responsible: Mapped[str | None] = mapped_column(String(200))
    executor: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(40), default="done")
    notes: Mapped[str | None] = mapped_column(Text)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    # Whom a staff action or a notice was about (the reader of a request, a participant):
    # /forget finds by it the rows that name them although someone else acted.
    about_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )


class FsmRecord(Base):
    """aiogram FSM state and data, so a conversation survives a restart."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WorkRecord(Base):
    """A piece of the resource centre's work done outside the bot (a phone consultation, a
    letter of support), recorded by staff: a row of the hand-kept work sheet. Its activity
    row (`ActivityKind.WORK_RECORD`) puts it in the log; the columns here are what the
    workbook shows, kept after the log's texts are purged (`storage.retention`). Deleting
    marks `deleted_at`: the record and its history stay, the workbook leaves it out."""

    __tablename__ = "work_records"
    __table_args__ = (Index("ix_work_records_done_at", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(60))
    content: Mapped[str] = mapped_column(String(1000))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A day without a time («вчера», 12.11): the sheet shows the date alone.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    customer: Mapped[str] = mapped_column(String(300), default="")
    executor: Mapped[str] = mapped_column(String(200), default="")
    people: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(String(1000), default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    author: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot | cli | import
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WorkRecordChange(Base):
    """Who changed what in a work record and when: one row per field changed, one for the
    record made and one for its deletion."""

    __tablename__ = "work_record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("work_records.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    by: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(16))  # created | changed | deleted
    field: Mapped[str | None] = mapped_column(String(20))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
