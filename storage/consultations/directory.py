"""The expert directory and the per-topic FAQ: what staff keep so requests reach the right
person and simple questions are answered before anyone has to write."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update

from storage.circulation.local_import import ImportError_, read_rows
from storage.consultations.models import Expert, FaqEntry
from storage.db import Database
from storage.models import PersonRole, Role
from storage.types import utcnow

FAQ_PER_TOPIC = 10


@dataclass(frozen=True, slots=True)
class ExpertView:
    id: int
    name: str
    competences: tuple[str, ...]
    organisation: str | None
    contact: str | None
    person_id: int | None
    active: bool

    def covers(self, topic: str) -> bool:
        return topic in self.competences


@dataclass(frozen=True, slots=True)
class FaqView:
    id: int
    topic: str
    question: str
    answer: str


def _expert(row: Expert) -> ExpertView:
    return ExpertView(
        id=row.id,
        name=row.name,
        competences=tuple(c for c in row.competences.split(",") if c),
        organisation=row.organisation,
        contact=row.contact,
        person_id=row.person_id,
        active=row.active,
    )


def _competences(topics: list[str] | tuple[str, ...]) -> str:
    return ",".join(dict.fromkeys(t.strip() for t in topics if t.strip()))[:500]


async def add_expert(
    db: Database,
    *,
    name: str,
    competences: list[str] | tuple[str, ...],
    organisation: str | None = None,
    contact: str | None = None,
    person_id: int | None = None,
    enrol: bool = False,
) -> ExpertView:
    """A new directory entry. `enrol` (staff adding an expert in the bot): the person who
    uses the bot becomes an expert there in the same transaction, so the requests passed
    to the entry reach them."""
    async with db.transaction() as session:
        row = Expert(
            name=name.strip()[:200],
            competences=_competences(competences),
            organisation=(organisation or "").strip()[:300] or None,
            contact=(contact or "").strip()[:200] or None,
            person_id=person_id,
            active=True,
        )
        session.add(row)
        role = (person_id, str(Role.EXPERT))
        if enrol and person_id is not None and await session.get(PersonRole, role) is None:
            session.add(PersonRole(person_id=person_id, role=Role.EXPERT, granted_at=utcnow()))
        await session.flush()
        return _expert(row)


async def experts(db: Database, *, topic: str | None = None) -> list[ExpertView]:
    """Active experts; for a topic, those who cover it come first."""
    async with db.transaction() as session:
        rows = [_expert(r) for r in await session.scalars(select(Expert).where(Expert.active))]
    rows.sort(key=lambda e: (not (topic and e.covers(topic)), e.name.lower()))
    return rows


async def get_expert(db: Database, expert_id: int) -> ExpertView | None:
    async with db.transaction() as session:
        row = await session.get(Expert, expert_id)
        return _expert(row) if row else None


async def expert_of(db: Database, person_id: int) -> ExpertView | None:
    """The directory entry of an expert who uses the bot."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(Expert).where(Expert.person_id == person_id, Expert.active).limit(1)
        )
        return _expert(row) if row else None


async def names_of_people(db: Database, person_ids: list[int]) -> dict[int, str]:
    """The directory name of each of these people who is an expert in it: how staff know
    someone who never gave the bot a name (the demo's expert is «console:2» otherwise)."""
    if not person_ids:
        return {}
    async with db.transaction() as session:
        rows = await session.execute(
            select(Expert.person_id, Expert.name)
            .where(Expert.person_id.in_(person_ids))
            .order_by(Expert.active.desc(), Expert.id)
        )
        names: dict[int, str] = {}
        for person_id, name in rows.all():
            names.setdefault(person_id, name)
        return names


async def not_in_the_bot(db: Database) -> list[ExpertView]:
    """Active experts no person is linked to: those a new expert in the bot may be."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Expert).where(Expert.active, Expert.person_id.is_(None)).order_by(Expert.name)
        )
        return [_expert(r) for r in rows]


async def link_person(db: Database, expert_id: int, person_id: int) -> ExpertView | None:
    """Make `person_id` the bot account of the directory entry, so the requests already
    passed to that entry reach them («Обращения ко мне», the buttons of the cards). Refused
    (None) for an entry that is gone or already someone else's."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Expert)
            .where(
                Expert.id == expert_id,
                Expert.active,
                Expert.person_id.is_(None) | (Expert.person_id == person_id),
            )
            .values(person_id=person_id)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        row = await session.get(Expert, expert_id)
        return _expert(row) if row else None


async def deactivate_expert(db: Database, expert_id: int) -> bool:
    """Experts leave the directory but stay named in the requests they handled."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Expert).where(Expert.id == expert_id, Expert.active).values(active=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


EXPERT_COLUMNS = {
    "name": ("name", "фио", "имя", "эксперт", "специалист"),
    "competences": ("competences", "компетенции", "темы", "topics"),
    "organisation": ("organisation", "organization", "организация"),
    "contact": ("contact", "контакт", "контакты", "телефон"),
}


async def import_experts(db: Database, path: Path, *, encoding: str | None = None) -> int:
    """Add experts from a CSV (ФИО; Компетенции — topic ids separated by commas or spaces;
    Организация; Контакт). An expert already listed under the same name is updated."""
    rows = await asyncio.to_thread(read_rows, path, EXPERT_COLUMNS, encoding, "name")
    added = 0
    async with db.transaction() as session:
        known = {e.name.lower(): e for e in await session.scalars(select(Expert))}
        for row in rows:
            name = (row.get("name") or "").strip()
            if not name:
                continue
            competences = _competences((row.get("competences") or "").replace(" ", ",").split(","))
            existing = known.get(name.lower())
            if existing is None:
                existing = Expert(name=name[:200], competences=competences, active=True)
                session.add(existing)
                known[name.lower()] = existing
                added += 1
            existing.competences = competences
            existing.organisation = (row.get("organisation") or "").strip()[:300] or None
            existing.contact = (row.get("contact") or "").strip()[:200] or None
            existing.active = True
    return added


async def faq(db: Database, topic: str) -> list[FaqView]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(FaqEntry)
            .where(FaqEntry.topic == topic)
            .order_by(FaqEntry.position, FaqEntry.id)
            .limit(FAQ_PER_TOPIC)
        )
        return [FaqView(r.id, r.topic, r.question, r.answer) for r in rows]


async def faq_entry(db: Database, entry_id: int) -> FaqView | None:
    async with db.transaction() as session:
        row = await session.get(FaqEntry, entry_id)
        return FaqView(row.id, row.topic, row.question, row.answer) if row else None


async def add_faq(
    db: Database, topic: str, question: str, answer: str, *, author: str | None = None
) -> FaqView | None:
    """A new entry at the end of the topic's list; None when the list is full."""
    async with db.transaction() as session:
        count, last = (
            await session.execute(
                select(func.count(), func.max(FaqEntry.position)).where(FaqEntry.topic == topic)
            )
        ).one()
        if count >= FAQ_PER_TOPIC:
            return None
        row = FaqEntry(
            topic=topic,
            question=question.strip()[:300],
            answer=answer.strip()[:4000],
            position=(last or 0) + 1,
            updated_by=author,
        )
        session.add(row)
        await session.flush()
        return FaqView(row.id, row.topic, row.question, row.answer)


async def drop_faq(db: Database, entry_id: int) -> FaqView | None:
    """Remove an entry: the entry removed (its topic's list is shown again), or None when it
    was gone already."""
    async with db.transaction() as session:
        row = await session.get(FaqEntry, entry_id)
        if row is None:
            return None
        entry = FaqView(row.id, row.topic, row.question, row.answer)
        result = await session.execute(delete(FaqEntry).where(FaqEntry.id == entry_id))
        return entry if result.rowcount else None  # type: ignore[attr-defined]


FAQ_COLUMNS = {
    "topic": ("topic", "тема"),
    "question": ("question", "вопрос"),
    "answer": ("answer", "ответ"),
}


async def import_faq(
    db: Database, path: Path, topics: set[str], *, encoding: str | None = None
) -> int:
    """Replace the FAQ of every topic named in the file (Тема; Вопрос; Ответ)."""
    rows = await asyncio.to_thread(read_rows, path, FAQ_COLUMNS, encoding, "topic")
    entries = []
    for row in rows:
        topic = (row.get("topic") or "").strip()
        question, answer = (row.get("question") or "").strip(), (row.get("answer") or "").strip()
        if topic not in topics:
            raise ImportError_(f"{path.name}, line {row['_line']}: unknown topic {topic!r}")
        if question and answer:
            entries.append((topic, question, answer))
    async with db.transaction() as session:
        for topic in {t for t, _, _ in entries}:
            await session.execute(delete(FaqEntry).where(FaqEntry.topic == topic))
        positions: dict[str, int] = {}
        for topic, question, answer in entries:
            positions[topic] = positions.get(topic, 0) + 1
            if positions[topic] <= FAQ_PER_TOPIC:
                session.add(
                    FaqEntry(
                        topic=topic,
                        question=question[:300],
                        answer=answer[:4000],
                        position=positions[topic],
                    )
                )
    return sum(min(n, FAQ_PER_TOPIC) for n in positions.values())
