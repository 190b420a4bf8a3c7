"""[subscriptions] and [consultations]: the topics readers follow and ask about."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from bot.kernel.config.base import Section, by_id, refuse_repeated_ids
from bot.kernel.config.library import WeekHours


class _NamedTopic(Section):
    """What every topic has: an id for buttons and data, a name in Russian and English."""

    id: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z0-9_]+$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    name_en: str = ""


class Topic(_NamedTopic):
    # Per branch: a reader may follow only the branches they go to.
    per_branch: bool = False


DEFAULT_TOPICS = [
    Topic(id="events", name="Афиша мероприятий", name_en="Events", per_branch=True),
    Topic(id="new_books", name="Новые поступления", name_en="New books"),
    Topic(id="grants", name="Для НКО: гранты и конкурсы", name_en="For NGOs: grants and contests"),
    Topic(id="children", name="Детские мероприятия", name_en="Children's events", per_branch=True),
]


class Subscriptions(Section):
    topics: list[Topic] = DEFAULT_TOPICS
    # «Афиша на неделю», built from the events, to this topic's subscribers ('' = none).
    digest_topic: str = "events"
    digest_at: Annotated[
        str, Field(pattern=r"^(|(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d)$")
    ] = "mon 10:00"

    @model_validator(mode="after")
    def _digest_topic_known(self) -> Subscriptions:
        if self.digest_topic and self.topic(self.digest_topic) is None:
            raise ValueError(f"digest_topic {self.digest_topic!r} is not one of the topics")
        return self

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[Topic]) -> list[Topic]:
        return refuse_repeated_ids(topics)

    def topic(self, topic_id: str) -> Topic | None:
        return by_id(self.topics, topic_id)


class ConsultationTopic(_NamedTopic):
    # Logged as «экспертиза проектной заявки» instead of «консультация».
    expertise: bool = False
    # Offered in «Консультация»; the built-in «Вопрос библиотекарю» topic is not: its
    # requests come from typed questions the bot could not answer (`[librarian]`).
    listed: bool = True


# «Спросить библиотекаря»: a typed question becomes a request of this topic, so it has the
# staff chat card, the thread, answers, closing, rating and the register of every request.
LIBRARIAN_TOPIC = ConsultationTopic(
    id="librarian", name="Вопрос библиотекарю", name_en="Question to a librarian", listed=False
)


DEFAULT_CONSULTATION_TOPICS = [
    ConsultationTopic(
        id="registration",
        name="Регистрация и документы НКО",
        name_en="NGO registration and documents",
    ),
    ConsultationTopic(id="accounting", name="Бухгалтерия и налоги", name_en="Accounting and taxes"),
    ConsultationTopic(id="legal", name="Юридические вопросы", name_en="Legal questions"),
    ConsultationTopic(
        id="grants",
        name="Грантовые конкурсы и проектная заявка",
        name_en="Grant contests and applications",
    ),
    ConsultationTopic(
        id="expertise",
        name="Экспертиза проектной заявки",
        name_en="Review of a project application",
        expertise=True,
    ),
    ConsultationTopic(id="pr", name="PR и соцсети", name_en="PR and social media"),
    ConsultationTopic(id="volunteers", name="Работа с добровольцами", name_en="Volunteers"),
    ConsultationTopic(id="fundraising", name="Фандрайзинг", name_en="Fundraising"),
    ConsultationTopic(
        id="social_business",
        name="Социальное предпринимательство",
        name_en="Social entrepreneurship",
    ),
    ConsultationTopic(id="other", name="Другое", name_en="Other"),
]

WORKING_WEEK = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


class Consultations(Section):
    """Consultation requests: topics, the working hours answers are promised in, reminders."""

    # Validated even when left out, so the built-in «Вопрос библиотекарю» is always there.
    topics: Annotated[list[ConsultationTopic], Field(validate_default=True)] = (
        DEFAULT_CONSULTATION_TOPICS
    )
    # When staff answer requests; «ответим в течение рабочего дня» counts these hours.
    hours: WeekHours = WeekHours(**WORKING_WEEK)
    # A request nobody took reminds the staff chat after this many working days (0: never).
    remind_unclaimed_after_days: Annotated[float, Field(ge=0, le=30)] = 1
    max_attachments: Annotated[int, Field(ge=0, le=20)] = 5
    max_attachment_mb: Annotated[float, Field(gt=0, le=2000)] = 20
    # Reminders before an agreed meeting, in hours (both the requester and the specialist).
    appointment_reminders_hours: list[Annotated[int, Field(ge=1, le=24 * 14)]] = [24, 2]  # noqa: RUF012 - pydantic copies it
    check_minutes: Annotated[int, Field(ge=1, le=1440)] = 5

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[ConsultationTopic]) -> list[ConsultationTopic]:
        refuse_repeated_ids(topics)
        if not [t for t in topics if t.listed]:
            raise ValueError("at least one topic is needed")
        if by_id(topics, LIBRARIAN_TOPIC.id) is None:
            topics = [*topics, LIBRARIAN_TOPIC]
        return topics

    @property
    def listed(self) -> list[tuple[int, ConsultationTopic]]:
        """The topics «Консультация» offers, with their index (what a button carries)."""
        return [(i, t) for i, t in enumerate(self.topics) if t.listed]

    def topic(self, topic_id: str) -> ConsultationTopic | None:
        return by_id(self.topics, topic_id)


class Librarian(Section):
    """«Спросить библиотекаря»: typed questions the bot cannot answer reach a person."""

    enabled: bool = True
    # An unanswered question reminds the staff chat once after this many working minutes
    # (counted in `[consultations] hours`; 0: never).
    remind_after_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60
    # The reader's typed messages join their open question (the same card in the staff
    # chat) while its last message is younger than this; later ones are new messages.
    follow_up_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 24
