"""«Консультация»: the topics, a topic's FAQ, then «Задать вопрос специалисту» and the
request form (handlers/consultation_form.py).

The feature's modules declare their handlers on its two `Routes`
(handlers/consultation_routes.py), which this module re-exports for `handlers.PARTS`; it
imports the form first, so the catch-all at its end is declared last. `log_step`,
`attachment_of` and `refuse_attachment` are importable from here for «Мои обращения» and
the staff desk.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config, ConsultationTopic
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import RequestAction, RequestCb
from broadcasts.views.grant_view import GrantAction
from broadcasts.views.grant_view import cb as grant_cb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import topic_name
from handlers.consultation_activity import log_step, request_kind
from handlers.consultation_form import ANSWERING, attachment_of, refuse_attachment, start_form
from handlers.consultation_routes import form_routes, routes
from handlers.filters import MenuButton
from handlers.forms import Shown
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations.directory import FaqView
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

__all__ = ["attachment_of", "form_routes", "log_step", "refuse_attachment", "routes"]

# The requester's buttons this part answers (the rest are «Мои обращения»'s).
FORM_ACTIONS = {
    RequestAction.TOPICS,
    RequestAction.TOPIC,
    RequestAction.FAQ,
    RequestAction.ASK,
    RequestAction.ABORT,
    *ANSWERING,
}


def _cb(action: RequestAction, id_: int = 0, value: int = 0) -> str:
    return RequestCb(action=action, id=id_, value=value).pack()


async def show_topics(target: Message, texts: Texts, config: Config) -> None:
    """The topics offered (not the built-in «Вопрос библиотекарю»: typed questions reach it);
    each button carries the topic's index in the config."""
    rows = [
        [button(topic_name(texts, config, t.id), _cb(RequestAction.TOPIC, value=i))]
        for i, t in config.consultations.listed
    ]
    rows.append([button(texts("rq-grants"), grant_cb(GrantAction.OPEN))])
    rows.append([button(texts("rq-mine"), _cb(RequestAction.MINE))])
    await target.answer(texts("rq-topics"), reply_markup=inline(texts, *rows))


async def show_faq(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    index: int,
    activity: ActivityNote,
) -> None:
    topic = config.consultations.topics[index]
    entries = await directory.faq(db, topic.id)
    if not entries:  # nothing prepared: straight to the question
        await start_form(target, texts, config, db, person, state, index, activity)
        return
    rows = [[button(e.question[:60], _cb(RequestAction.FAQ, e.id))] for e in entries]
    rows.append([button(texts("rq-ask"), _cb(RequestAction.ASK, value=index))])
    rows.append([button(texts("rq-other-topics"), _cb(RequestAction.TOPICS))])
    await target.answer(
        texts("rq-faq-title", topic=topic_name(texts, config, topic.id)),
        reply_markup=inline(texts, *rows),
    )


class KnownTopic(Filter):
    """A topic still offered in the config (a button carries its index): injects `index`,
    `topic`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: RequestCb, config: Config
    ) -> bool | dict[str, Any]:
        topics = config.consultations.topics
        if callback_data.value >= len(topics) or not topics[callback_data.value].listed:
            return False
        return {"index": callback_data.value, "topic": topics[callback_data.value]}


class KnownFaq(Filter):
    """An FAQ entry of a topic still in the config: injects `entry` and its topic's `index`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: RequestCb, config: Config, db: Database
    ) -> bool | dict[str, Any]:
        entry = await directory.faq_entry(db, callback_data.id)
        topic = config.consultations.topic(entry.topic) if entry is not None else None
        if entry is None or topic is None or not topic.listed:
            return False
        index = [t.id for t in config.consultations.topics].index(entry.topic)
        return {"entry": entry, "index": index}


# --- the menu entry: navigation (it abandons a half-filled form) ------------------------


@routes.message(Command("consult"))
@routes.message(MenuButton("menu-consultation"))
async def consultation_menu(
    message: Message, texts: Texts, config: Config, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "consultation"
    await show_topics(message, texts, config)


# --- the buttons before the form --------------------------------------------------------


@form_routes.callback_query(RequestCb.filter(F.action == RequestAction.TOPICS), Shown())
async def topics_pressed(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    await query.answer()
    activity.kind = ActivityKind.MENU
    await state.clear()
    await show_topics(target, texts, config)


@form_routes.callback_query(
    RequestCb.filter(F.action == RequestAction.TOPIC), Shown(), KnownTopic()
)
async def topic_pressed(
    query: CallbackQuery,
    target: Message,
    index: int,
    topic: ConsultationTopic,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A topic: its FAQ (or the form straight away, when it has none)."""
    await query.answer()
    activity.kind = request_kind(config, topic.id)
    activity.content = topic.name
    activity.status = "faq"
    await show_faq(target, texts, config, db, person, state, index, activity)


@form_routes.callback_query(RequestCb.filter(F.action == RequestAction.ASK), Shown(), KnownTopic())
async def ask_pressed(
    query: CallbackQuery,
    target: Message,
    index: int,
    topic: ConsultationTopic,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Задать вопрос специалисту»."""
    await query.answer()
    activity.kind = request_kind(config, topic.id)
    activity.content = topic.name
    await start_form(target, texts, config, db, person, state, index, activity)


@form_routes.callback_query(
    RequestCb.filter(F.action.in_({RequestAction.TOPIC, RequestAction.ASK})), Shown()
)
async def stale_topic(
    query: CallbackQuery, target: Message, texts: Texts, config: Config, activity: ActivityNote
) -> None:
    """A topic that has left the config: the topics as they are now."""
    await query.answer()
    activity.kind = ActivityKind.MENU
    activity.status = "stale topic"
    await show_topics(target, texts, config)


@form_routes.callback_query(RequestCb.filter(F.action == RequestAction.FAQ), Shown(), KnownFaq())
async def faq_pressed(
    query: CallbackQuery,
    target: Message,
    entry: FaqView,
    index: int,
    texts: Texts,
    config: Config,
    activity: ActivityNote,
) -> None:
    """One FAQ answer, with the way to ask anyway and back to the topic's questions."""
    await query.answer()
    activity.kind = request_kind(config, entry.topic)
    activity.content = entry.question
    activity.status = "faq answer"
    await target.answer(
        texts("rq-faq-answer", question=entry.question, answer=entry.answer),
        reply_markup=inline(
            texts,
            [button(texts("rq-ask"), _cb(RequestAction.ASK, value=index))],
            [button(texts("rq-faq-back"), _cb(RequestAction.TOPIC, value=index))],
        ),
    )


@form_routes.callback_query(RequestCb.filter(F.action == RequestAction.FAQ), Shown())
async def stale_faq(
    query: CallbackQuery, target: Message, texts: Texts, config: Config, activity: ActivityNote
) -> None:
    """An entry deleted, or of a topic no longer offered: the topics as they are now."""
    await query.answer()
    activity.kind = ActivityKind.MENU
    activity.status = "stale faq"
    await show_topics(target, texts, config)


@form_routes.callback_query(RequestCb.filter(F.action.in_(FORM_ACTIONS)))
async def out_of_reach(query: CallbackQuery, activity: ActivityNote) -> None:
    """A button under a message the bot can no longer answer under: acknowledged."""
    activity.kind = ActivityKind.MENU
    await query.answer()
