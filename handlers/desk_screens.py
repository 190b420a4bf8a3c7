"""The screens of «Обращения» for staff and experts (`desk_admin`): the open requests, the
expert directory, the FAQ topics and a topic's questions."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import status_name, topic_name
from storage.consultations import access, directory
from storage.db import Database
from storage.models import Role
from storage.people import PersonView


def desk_cb(action: DeskAction, id_: int = 0, other: int = 0) -> str:
    return DeskCb(action=action, id=id_, other=other).pack()


async def show_list(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView, mine: bool
) -> None:
    """The open requests the person works on; staff also get the desk's other screens."""
    found = await access.worklist(db, person, mine=mine)
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                texts(
                    "desk-list-line",
                    number=r.id,
                    status=status_name(texts, r.status, staff=True),
                    topic=topic_name(texts, config, r.topic),
                ),
                desk_cb(DeskAction.SHOW, r.id),
            )
        ]
        for r in found
    ]
    if person.has(Role.STAFF):
        rows.append(
            [
                button(texts("desk-list-all"), desk_cb(DeskAction.LIST)),
                button(texts("desk-list-mine"), desk_cb(DeskAction.LIST, other=1)),
            ]
        )
        rows.append(
            [
                button(texts("desk-experts"), desk_cb(DeskAction.EXPERTS)),
                button(texts("desk-faq"), desk_cb(DeskAction.FAQ)),
            ]
        )
        rows.append([button(texts("desk-register"), desk_cb(DeskAction.REGISTER))])
    key = "desk-list-title" if found else "desk-list-empty"
    await target.answer(texts(key, count=len(found)), reply_markup=inline(texts, *rows))


async def show_experts(target: Message, texts: Texts, config: Config, db: Database) -> None:
    experts = await directory.experts(db)
    lines = [texts("desk-experts-title")]
    rows = []
    for e in experts:
        topics = ", ".join(topic_name(texts, config, t) for t in e.competences) or "—"
        lines.append(
            texts(
                "desk-expert-line",
                name=e.name,
                topics=topics,
                organisation=e.organisation or "none",
                contact=e.contact or "none",
                bot="yes" if e.person_id else "no",
            )
        )
        drop = texts("desk-expert-drop", name=e.name[:40])
        rows.append([button(drop, desk_cb(DeskAction.EXPERT_DROP, other=e.id))])
    if not experts:
        lines.append(texts("desk-experts-empty"))
    rows.append([button(texts("desk-expert-add"), desk_cb(DeskAction.EXPERT_ADD))])
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


def offered(config: Config, index: int) -> bool:
    """A topic «Консультация» offers, by its index in the config (a button's number): the
    built-in «Вопрос библиотекарю» has no FAQ of its own (the library FAQ answers first)."""
    topics = config.consultations.topics
    return 0 <= index < len(topics) and topics[index].listed


async def show_topics(target: Message, texts: Texts, config: Config) -> None:
    """The FAQ's topics, each a button (other = its index in the config + 1)."""
    rows = [
        [button(topic_name(texts, config, t.id), desk_cb(DeskAction.FAQ, other=i + 1))]
        for i, t in config.consultations.listed
    ]
    await target.answer(texts("desk-faq-title"), reply_markup=inline(texts, *rows))


async def show_faq_topic(
    target: Message, texts: Texts, config: Config, db: Database, index: int
) -> None:
    topic = config.consultations.topics[index]
    entries = await directory.faq(db, topic.id)
    lines = [texts("desk-faq-topic", topic=topic_name(texts, config, topic.id))]
    lines += [f"• {e.question}" for e in entries] or [texts("desk-faq-empty")]
    rows = [
        [
            button(
                texts("desk-faq-drop", question=e.question[:40]),
                desk_cb(DeskAction.FAQ_DROP, other=e.id),
            )
        ]
        for e in entries
    ]
    if len(entries) < directory.FAQ_PER_TOPIC:
        rows.append([button(texts("desk-faq-add"), desk_cb(DeskAction.FAQ_ADD, other=index))])
    rows.append([button(texts("desk-faq"), desk_cb(DeskAction.FAQ))])
    # Staff text is escaped as a whole: questions are what staff typed.
    await target.answer(
        texts("desk-faq-screen", body="\n".join(lines)), reply_markup=inline(texts, *rows)
    )
