"""«Спросить библиотекаря»: a typed question the bot could not answer goes to a person.

The front door offers the button under what it could not place (`FrontCb` ASK, naming the
typed message by the id `handlers.catalogue_presses.remember` gave it); /ask and a typed
«Спросить библиотекаря» ask for the question first. From there: the question is handed
over (`librarian_ask`, consent first), the staff chat answers by replying to its card
(`librarian_staff_chat`) or with «Ответить», the reader writes on or says it is solved
(`librarian_thread`), and a good answer becomes a library FAQ entry (`librarian_faq`).

The feature's places in the conversation are the `Routes` of `handlers.librarian_routes`,
re-exported here for `handlers.PARTS`; this module imports the others first, so its own
catch-alls are declared after their handlers.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import LIBRARIAN_TOPIC, Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import ConsentAnswer, ConsentCb, FrontAction, FrontCb
from broadcasts.views.keyboards import inline
from handlers import consent, forms, librarian_faq, librarian_staff_chat, librarian_thread
from handlers.common import phone_or_none
from handlers.consultation_activity import request_kind
from handlers.filters import MenuButton
from handlers.forms import AtStep, Filling, Invalid, Shown
from handlers.librarian_ask import (
    ASK,
    AskForm,
    Remembered,
    ask_for_question,
    drop_pending,
    hand_over,
    pending,
    send_after_consent,
)
from handlers.librarian_routes import (
    consent_routes,
    form_routes,
    routes,
    staff_chat_routes,
    thread_routes,
)
from storage import people
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView
from storage.volatile import RecentQueries

__all__ = [
    "consent_routes",
    "form_routes",
    "librarian_faq",
    "librarian_staff_chat",
    "librarian_thread",
    "routes",
    "staff_chat_routes",
    "thread_routes",
]


# --- /ask and a typed «Спросить библиотекаря»: navigation --------------------------------


@routes.message(Command("ask"))
@routes.message(MenuButton("lib-ask-button"))
async def ask_command(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Напишите ваш вопрос» (or, with the feature off, the phone to call)."""
    activity.kind = ActivityKind.MENU
    activity.status = "librarian"
    if not config.librarian.enabled:
        activity.status = "librarian off"
        await message.answer(
            texts("lib-off", phone=phone_or_none(config)), reply_markup=inline(texts)
        )
        return
    await ask_for_question(message, texts, db, person, state)


# --- the press under a typed question, and the one question ---------------------------


@form_routes.callback_query(FrontCb.filter(F.action == FrontAction.ASK), Remembered())
async def ask_pressed(
    query: CallbackQuery,
    target: Message,
    asked: str,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    recent_queries: RecentQueries,
    activity: ActivityNote,
) -> None:
    """«Спросить библиотекаря» under a message the bot could not answer: that message is
    the question."""
    await query.answer()
    await hand_over(
        target,
        asked,
        texts,
        locales,
        config,
        db,
        person,
        state,
        recent_queries,
        activity,
        joins=True,
    )


@form_routes.callback_query(FrontCb.filter(F.action == FrontAction.ASK), Shown())
async def ask_forgotten(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A button whose question the bot no longer remembers (an old one, another process):
    asked to write it again — the next message is the question."""
    await query.answer()
    activity.kind = request_kind(config, LIBRARIAN_TOPIC.id)
    activity.status = "question forgotten"
    if not config.librarian.enabled:
        await target.answer(
            texts("lib-off", phone=phone_or_none(config)), reply_markup=inline(texts)
        )
        return
    await ask_for_question(target, texts, db, person, state, prompt="lib-ask-again")


@form_routes.message(F.text, AtStep(ASK))
async def question_typed(
    message: Message,
    filling: Filling[str],
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    recent_queries: RecentQueries,
    activity: ActivityNote,
) -> None:
    activity.kind = request_kind(config, filling.subject)
    taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
    if isinstance(taken, Invalid):
        activity.status = "form: bad question"
        return
    question = (taken or {}).get("question")
    if question:
        await hand_over(
            message, question, texts, locales, config, db, person, state, recent_queries, activity
        )


@form_routes.message(AskForm.question)
async def not_text(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.status = "form: unsupported message"
    await message.answer(texts(ASK.send_text))


# --- consent asked because a question waits ---------------------------------------------


class Waiting(Filter):
    """A question to a librarian waits for this consent: injects it as `question`."""

    async def __call__(
        self, query: CallbackQuery, state: FSMContext, recent_queries: RecentQueries
    ) -> bool | dict[str, Any]:
        question = pending(state, recent_queries)
        return {"question": question} if question else False


@consent_routes.callback_query(ConsentCb.filter(), Waiting())
async def consent_answered(
    query: CallbackQuery,
    callback_data: ConsentCb,
    question: str,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    recent_queries: RecentQueries,
    activity: ActivityNote,
) -> None:
    """The consent question, answered: recorded as ever (`handlers.consent`); the question
    waiting for it goes now — or is dropped, and the reader told how else to ask."""
    drop_pending(state, recent_queries)
    await consent.answer_consent(query, callback_data, texts, person, db, config, activity)
    if not isinstance(query.message, Message):
        return
    if callback_data.answer is not ConsentAnswer.YES:
        await query.message.answer(
            texts("lib-not-sent", phone=phone_or_none(config)), reply_markup=inline(texts)
        )
        return
    consented = await people.find(db, person.platform, person.platform_user_id)
    if consented is not None:
        await send_after_consent(query.message, question, texts, locales, config, db, consented)
