"""«Добавить эксперта», step by step (`desk_admin`): the questions, reading each answer,
and the entry saved after the last one. The answers wait in the staff member's FSM data."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.kernel.config import Config, ConsultationTopic
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import topic_name
from handlers.desk_screens import desk_cb, show_experts
from handlers.roles import parse_messenger_id
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.db import Database

EXPERT_STEPS = ("name", "topics", "organisation", "contact", "messenger")
SKIPPABLE = ("organisation", "contact", "messenger")
SKIP = ("-", "—")


@dataclass(frozen=True)
class Invalid:
    """An answer the step cannot take; `key` says why."""

    key: str


def skipped(step: str) -> object:
    """What a step left empty keeps: no account (0), or no text."""
    return 0 if step == "messenger" else ""


async def read_answer(
    step: str, text: str, config: Config, texts: Texts, db: Database
) -> object | Invalid:
    """The value a step keeps from what was typed (spaces already collapsed)."""
    if step == "name":
        return text if 2 <= len(text) <= 200 else Invalid("desk-expert-bad-name")
    if step == "topics":
        topics = topics_from(text, config, texts("desk-all-topics-word"))
        return Invalid("desk-expert-bad-topics") if topics is None else topics
    if step in SKIPPABLE and text.lower() in SKIP:
        return skipped(step)
    if step == "messenger":
        parsed = parse_messenger_id(text, "telegram")
        found = await people.find(db, *parsed) if parsed else None
        return Invalid("desk-expert-bad-id") if found is None else found.id
    return text


def topics_from(text: str, config: Config, every: str) -> list[str] | None:
    """«1, 3», «все» (`every`, in the staff member's language), or topic ids — of the topics
    «Консультация» offers, numbered as `ask` lists them."""
    numbered = {str(n): t.id for n, t in _numbered(config)}
    if text.lower() in (every.lower(), "all", "*"):
        return list(numbered.values())
    chosen = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part in numbered:
            chosen.append(numbered[part])
        elif part in numbered.values():
            chosen.append(part)
        else:
            return None
    return chosen or None


def _numbered(config: Config) -> list[tuple[int, ConsultationTopic]]:
    """The topics an expert may cover, numbered from 1 (the built-in «Вопрос библиотекарю»
    is staff's own: not offered)."""
    return [(n, t) for n, (_, t) in enumerate(config.consultations.listed, start=1)]


async def ask(target: Message, texts: Texts, config: Config, step: int) -> None:
    """One question; those that may be left empty can be skipped."""
    name = EXPERT_STEPS[step]
    rows = []
    if name in SKIPPABLE:
        rows.append([button(texts("desk-skip"), desk_cb(DeskAction.EXPERT_ADD, other=1))])
    numbered = "\n".join(f"{n}. {topic_name(texts, config, t.id)}" for n, t in _numbered(config))
    await target.answer(
        texts(f"desk-expert-ask-{name}", topics=numbered), reply_markup=inline(texts, *rows)
    )


async def next_step(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The step answered: ask the next question, or save the expert after the last."""
    data = await state.get_data()
    step = int(data.get("step", 0)) + 1
    if step < len(EXPERT_STEPS):
        await state.update_data(step=step)
        await ask(target, texts, config, step)
        return
    await state.clear()
    person_id = int(data.get("messenger") or 0) or None
    expert = await directory.add_expert(
        db,
        name=str(data.get("name")),
        competences=list(data.get("topics") or []),
        organisation=str(data.get("organisation") or ""),
        contact=str(data.get("contact") or ""),
        person_id=person_id,
        enrol=True,
    )
    activity.status = "expert added"
    activity.content = expert.name
    await target.answer(
        texts("desk-expert-added", name=expert.name, bot="yes" if person_id else "no")
    )
    await show_experts(target, texts, config, db)
