"""Nine months of made-up past work for the demo library, so `libbot report --demo` and
«Статистика» have something to show: events held with their participants, consultation
requests handled and rated, announcements and digests with their reach, and the day-by-day
enquiries of readers in Telegram and VK. Deterministic (a fixed seed), relative to today.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.kernel.config import Config
from storage.consultations.models import (
    Author,
    ConsultationRequest,
    EntryKind,
    Expert,
    RequestEntry,
    RequestStatus,
)
from storage.db import Database
from storage.events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from storage.models import Activity, ActivityKind, Consent, Person
from storage.outbox import Audience, Broadcast, BroadcastStatus, Delivery, OutboxMessage

DAYS = 270
HISTORY_PLATFORM_IDS = range(9001, 9041)  # the made-up readers, console ids no one types
STAFF = ("Мария Ивановна", "Светлана Петровна")
EXPERTS = ("Ирина Соколова", "Олег Николаевич Брагин", "Елена Викторовна Руднева")
# Waiting for the demo expert (`libbot demo --as expert`, «Обращения ко мне»): days ago, topic.
FOR_THE_DEMO_EXPERT = ((1, "accounting"), (3, "accounting"))
ORGANISATIONS = (
    "АНО «Добрые руки»",
    "Фонд «Зелёный город»",
    "Общество инвалидов Энского района",
    "АНО «Серебряный возраст»",
    "Клуб многодетных семей «Радуга»",
    "Волонтёрский центр «Рядом»",
    "Фонд «Память поколений»",
)
EVENTS = (
    ("Встреча НКО: итоги грантового конкурса", EventKind.MEETUP),
    ("Семинар «Как написать заявку на президентский грант»", EventKind.TRAINING),
    ("Мастер-класс «Соцсети для НКО»", EventKind.TRAINING),
    ("Лекция «История Энска в книгах»", EventKind.PUBLIC),
    ("День консультаций юриста для НКО", EventKind.CONSULTATION_DAY),
    ("Вечер настольных игр", EventKind.PUBLIC),
)
QUESTIONS = {
    "legal": "Как внести изменения в устав АНО?",
    "accounting": "Какую отчётность сдаёт НКО на УСН без сотрудников?",
    "grants": "Подходит ли наш проект под конкурс Фонда президентских грантов?",
    "expertise": "Посмотрите, пожалуйста, заявку на грант перед подачей.",
    "pr": "Как вести страницу НКО во ВКонтакте?",
    "volunteers": "Как оформить договор с добровольцем?",
}
ANNOUNCEMENTS = (
    "Открыта запись на семинар по грантам — места ограничены.",
    "В библиотеке новые поступления: книги по истории края.",
    "Приглашаем НКО на встречу ресурсного центра.",
)


async def seeded(db: Database) -> bool:
    async with db.transaction() as session:
        found = await session.scalar(
            select(Person.id).where(Person.platform == "console", Person.platform_user_id == "9001")
        )
        return found is not None


async def seed_history(db: Database, config: Config, *, now: datetime | None = None) -> None:
    """Once per demo database."""
    if await seeded(db):
        return
    now = now or datetime.now(UTC)
    rng = random.Random(2026)
    zone = config.library.zone
    today = now.astimezone(zone).date()
    branch_ids = [b.id for b in config.library.branches] or [None]
    topics = {t.id: t for t in config.consultations.topics}
    async with db.transaction() as session:
        # Requests are assigned to the directory's experts by id, as «Передать эксперту»
        # does: a name alone would not reach the expert's «Обращения ко мне».
        experts = {
            name: expert_id
            for expert_id, name in await session.execute(select(Expert.id, Expert.name))
        }
        people: list[Person] = []
        for number in HISTORY_PLATFORM_IDS:
            person = Person(
                platform="console",
                platform_user_id=str(number),
                consent=Consent.GIVEN,
                consent_at=now - timedelta(days=DAYS + 10),
                display_name=f"Читатель {number - 9000}",
                organisation=rng.choice(ORGANISATIONS) if number % 3 else None,
                created_at=now - timedelta(days=DAYS + 10),
            )
            session.add(person)
            people.append(person)
        await session.flush()

        def moment(day_offset: int, hour: int) -> datetime:
            day = today - timedelta(days=day_offset)
            return datetime.combine(day, time(hour, rng.randint(0, 59)), zone).astimezone(UTC)

        # Events: about two a week, most with attendance ticked.
        ticket = 0
        for offset in range(DAYS, 0, -3):
            if rng.random() < 0.35:
                continue
            title, kind = rng.choice(EVENTS)
            starts = moment(offset, rng.choice((11, 15, 18)))
            seats = rng.choice((15, 20, 30))
            event = Event(
                title=title,
                kind=kind,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                branch_id=rng.choice(branch_ids),
                seats=seats,
                status=EventStatus.SCHEDULED,
                created_by=rng.choice(STAFF),
                created_at=starts - timedelta(days=14),
            )
            session.add(event)
            await session.flush()
            came = rng.random() < 0.8
            chosen = rng.sample(people, rng.randint(4, min(seats, len(people))))
            event.taken = len(chosen)
            for person in chosen:
                ticket += 1
                session.add(
                    Registration(
                        event_id=event.id,
                        person_id=person.id,
                        status=RegistrationStatus.CONFIRMED,
                        name=person.display_name,
                        organisation=person.organisation if kind != EventKind.PUBLIC else None,
                        ticket=f"demo-history-{ticket}",
                        created_at=starts - timedelta(days=rng.randint(1, 10)),
                        attended_at=starts if came and rng.random() < 0.85 else None,
                    )
                )
        # Consultation requests: a few a week, most answered within days.
        for offset in range(DAYS, 0, -1):
            if rng.random() > 0.45:
                continue
            topic_id = rng.choice([t for t in QUESTIONS if t in topics] or list(topics))
            person = rng.choice(people)
            received = moment(offset, rng.randint(9, 19))
            expertise = topics[topic_id].expertise
            await _request(session, rng, person, topic_id, expertise, received, experts)
        # A few open ones are hers whatever the dice said: she sees them on opening the demo.
        for offset, topic_id in FOR_THE_DEMO_EXPERT:
            if topic_id not in topics:
                continue
            received = moment(offset, 11)
            await _request(
                session,
                rng,
                rng.choice(people),
                topic_id,
                topics[topic_id].expertise,
                received,
                experts,
                assigned=EXPERTS[0],
            )
        # Announcements twice a month, and the weekly digest.
        for offset in range(DAYS, 0, -15):
            started = moment(offset, 12)
            broadcast = Broadcast(
                text=rng.choice(ANNOUNCEMENTS),
                audience=Audience(everyone=True).dump(),
                status=BroadcastStatus.DONE,
                scheduled_at=started,
                author_name=rng.choice(STAFF),
                created_at=started - timedelta(days=1),
                started_at=started,
                finished_at=started + timedelta(minutes=2),
            )
            session.add(broadcast)
            await session.flush()
            await session.execute(
                insert(OutboxMessage),
                [_outbox(person, started, rng, broadcast_id=broadcast.id) for person in people],
            )
        for offset in range(DAYS, 0, -7):
            sent = moment(offset, 10)
            week = f"{sent.astimezone(zone):%G-W%V}"
            await session.execute(
                insert(OutboxMessage),
                [
                    _outbox(
                        person,
                        sent,
                        rng,
                        purpose="weekly_digest",
                        dedupe_key=f"weekly_digest:{week}:{person.id}",
                    )
                    for person in people[:25]
                ],
            )
        # Readers' enquiries, day by day.
        rows: list[dict[str, Any]] = []
        for offset in range(DAYS, 0, -1):
            for _ in range(rng.randint(3, 25)):
                rows.append(_enquiry(rng, rng.choice(people), moment(offset, rng.randint(8, 21))))
        await session.execute(insert(Activity), rows)


def _outbox(person: Person, at: datetime, rng: random.Random, **values: Any) -> dict[str, Any]:
    roll = rng.random()
    status = Delivery.SENT if roll < 0.9 else Delivery.BLOCKED if roll < 0.95 else Delivery.FAILED
    return {
        "person_id": person.id,
        "platform": "console",
        "chat_id": person.platform_user_id,
        "status": status,
        "attempts": 1,
        "not_before": at,
        "updated_at": at,
        "text": None if "broadcast_id" in values else "Афиша на неделю",
        **values,
    }


ENQUIRIES = (
    (ActivityKind.CATALOGUE_QUERY, "found", 45),
    (ActivityKind.CATALOGUE_QUERY, "not found", 10),
    (ActivityKind.CATALOGUE_QUERY, "suggested", 4),
    (ActivityKind.CATALOGUE_QUERY, "hold request", 3),
    (ActivityKind.RENEWAL, "renewed", 10),
    (ActivityKind.RENEWAL, "refused: too many renewals", 2),
    (ActivityKind.LOAN_ENQUIRY, "shown", 8),
    (ActivityKind.LIBRARY_INFO, "done", 6),
    (ActivityKind.SUBSCRIPTION, "subscribed", 3),
    (ActivityKind.SUBSCRIPTION, "unsubscribed", 1),
    (ActivityKind.MENU, "done", 20),
)


def _enquiry(rng: random.Random, person: Person, at: datetime) -> dict[str, Any]:
    kind, status, _ = rng.choices(ENQUIRIES, weights=[w for *_, w in ENQUIRIES])[0]
    return {
        "occurred_at": at,
        "platform": rng.choices(("telegram", "vk", "max"), weights=(6, 3, 1))[0],
        "person_id": person.id,
        "kind": kind,
        "status": status,
        "executor": "бот",
    }


async def _request(
    session: Any,
    rng: random.Random,
    person: Person,
    topic: str,
    expertise: bool,
    received: datetime,
    experts: dict[str, int],
    *,
    assigned: str | None = None,
) -> None:
    """One request and its history; `assigned`: forwarded to that expert and still open."""
    staff = rng.choice(STAFF)
    forwarded = assigned is not None or rng.random() < 0.6
    expert = assigned or (rng.choice(EXPERTS) if forwarded else None)
    closed = received + timedelta(hours=rng.randint(3, 24 * 8))
    if assigned is not None:
        closed = datetime.now(UTC) + timedelta(days=DAYS)  # not answered yet
    outcome = rng.random()
    status = (
        RequestStatus.RESOLVED
        if outcome < 0.8
        else RequestStatus.REJECTED
        if outcome < 0.88
        else RequestStatus.WITHDRAWN
    )
    if closed > datetime.now(UTC):
        status = RequestStatus.FORWARDED if forwarded else RequestStatus.IN_PROGRESS
    done = status in (RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN)
    request = ConsultationRequest(
        person_id=person.id,
        platform=person.platform,
        chat_id=person.platform_user_id,
        topic=topic,
        expertise=expertise,
        question=QUESTIONS.get(topic, "Нужна консультация"),
        requester_name=person.display_name,
        organisation=person.organisation,
        status=status,
        received_at=received,
        responsible_name=staff,
        expert_id=experts.get(expert) if expert else None,
        expert_name=expert,
        forwarded_at=received + timedelta(hours=2) if forwarded else None,
        closed_at=closed if done else None,
        result="консультация дана" if status is RequestStatus.RESOLVED else None,
        rating=rng.choice((4, 5, 5, 5, 3))
        if status is RequestStatus.RESOLVED and rng.random() < 0.5
        else None,
    )
    session.add(request)
    await session.flush()

    def entry(
        at: datetime, kind: EntryKind, author: Author, name: str | None, **values: Any
    ) -> None:
        session.add(
            RequestEntry(
                request_id=request.id,
                at=at,
                kind=kind,
                author=author,
                author_name=name,
                **values,
            )
        )

    entry(received, EntryKind.STATUS, Author.REQUESTER, person.display_name, status_to="new")
    taken = received + timedelta(hours=1)
    entry(
        taken,
        EntryKind.STATUS,
        Author.STAFF,
        staff,
        status_from="new",
        status_to="in_progress",
        to_whom=staff,
    )
    if forwarded:
        entry(
            taken + timedelta(hours=1),
            EntryKind.STATUS,
            Author.STAFF,
            staff,
            status_from="in_progress",
            status_to="forwarded",
            to_whom=expert,
        )
    if done:
        answerer = expert or staff
        if status is RequestStatus.RESOLVED:
            entry(
                closed - timedelta(minutes=5),
                EntryKind.ANSWER,
                Author.EXPERT if expert else Author.STAFF,
                answerer,
                text="Ответ дан.",
            )
        entry(
            closed,
            EntryKind.STATUS,
            Author.STAFF,
            staff,
            status_from="forwarded" if forwarded else "in_progress",
            status_to=status.value,
        )
