"""Every typed message that is not a command, a menu button or a form's answer: understood
first (`storage.front_door`), then answered from the library's own data — hours,
addresses, «Мои книги», events, consultations, subscriptions, the library FAQ — or
searched in the catalogue when it reads like a book; a sentence the bot cannot place is
said to be so, with «Спросить библиотекаря» (`handlers.librarian` takes the press).

Each answer is logged with what the message was taken for (`Decision.note`), so staff
see in «📊 Статистика» what the bot answers itself and which questions it could not place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import (
    EventAction,
    EventCb,
    FrontAction,
    FrontCb,
    Nav,
    RequestAction,
    RequestCb,
    Screen,
)
from broadcasts.views.keyboards import button, inline, main_menu
from broadcasts.views.request_view import topic_name
from handlers import consultation, events, my_books, subscriptions
from handlers.catalogue import answer_question
from handlers.catalogue_presses import recent, remember
from handlers.events import KIND_CODES
from handlers.filters import TextWithinLimit
from handlers.front_door_facts import (
    address_answer,
    contacts_answer,
    hours_answer,
    span_bounds,
    span_label,
)
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.circulation.base import LibrarySystem
from storage.consultations import directory
from storage.db import Database
from storage.events.models import EventKind
from storage.faq import entries
from storage.front_door.decide import ADDRESSED_TO_LIBRARY, Decision, Route
from storage.front_door.doors import door_for
from storage.front_door.titles import is_a_title
from storage.models import ActivityKind
from storage.people import PersonView
from storage.volatile import RecentQueries

routes = Routes(__name__)

SEARCH_BUTTON_WORDS = 6  # a message this short may be a title too: offer the search
TITLE_CHECK_WORDS = 8  # a rule's answer to a message this short first asks the catalogue
# Routes whose answer to a short message may be wrong when it is a title in the catalogue.
TITLE_CHECKED = {
    Route.HOURS,
    Route.ADDRESS,
    Route.CONTACTS,
    Route.LOANS,
    Route.EVENTS,
    Route.CONSULTATION,
    Route.SUBSCRIPTIONS,
    Route.FAQ,
    Route.FAQ_MAYBE,
    Route.UNKNOWN,
}
# Words of a message addressed to the library, not a title: no «Искать в каталоге» under it.
ADDRESSING = ADDRESSED_TO_LIBRARY
FOLLOW_UP_WORDS = 3  # «Встреча», «Новости»: a screen answered them, but they may be titles


class Understood(Filter):
    """The front door's decision about the typed message, as `decision`: the rules' and
    the FAQ's, unless a short message is a title the catalogue holds."""

    async def __call__(self, message: Message, config: Config, db: Database) -> dict[str, Decision]:
        door = await door_for(db, config.library.branches, config.consultations.topics)
        text = message.text or ""
        decision = door.decide(text)
        short = len(text.split()) <= TITLE_CHECK_WORDS
        if decision.route in TITLE_CHECKED and short and await is_a_title(db, text):
            ruled = decision.route.value
            decision = Decision(
                Route.CATALOGUE, f"a title in the catalogue, not {ruled}", query=text
            )
        return {"decision": decision}


@routes.message(F.text, ~F.text.startswith("/"), TextWithinLimit(), Understood())
async def typed(
    message: Message,
    decision: Decision,
    texts: Texts,
    config: Config,
    db: Database,
    state: FSMContext,
    person: PersonView,
    activity: ActivityNote,
    recent_queries: RecentQueries,
    library_system: LibrarySystem | None,
) -> None:
    text = message.text or ""
    if await state.get_state() is not None:
        # A half-filled form whose step did not take these words: the reader moved on.
        await state.set_state(None)
    activity.notes = decision.note
    activity.content = text[:200]
    asked = Asked(message, texts, state, person, recent_queries, text)
    route = decision.route
    if route is Route.CATALOGUE:
        await answer_question(
            message,
            texts,
            db,
            state,
            activity,
            person,
            recent_queries,
            decision.query or text,
            purchase=not decision.sentence,
            librarian=True,
        )
        return
    if decision.greeted and route not in (Route.GREETING, Route.THANKS, Route.EMPTY):
        await message.answer(texts("fd-hello"))
    if route in (Route.HOURS, Route.ADDRESS, Route.CONTACTS):
        activity.kind = ActivityKind.LIBRARY_INFO
        activity.status = route.value
        now = datetime.now(UTC)
        answer = {
            Route.HOURS: lambda: hours_answer(config, texts, decision, now),
            Route.ADDRESS: lambda: address_answer(config, texts, decision),
            Route.CONTACTS: lambda: contacts_answer(config, texts),
        }[route]()
        rows = [[button(texts("fd-about-button"), Nav(to=Screen.ABOUT).pack())]]
        await message.answer(answer, reply_markup=inline(texts, *rows, *await asked.search_row()))
    elif route is Route.LOANS:
        await my_books.open_my_books(
            message, texts, person, config, db, library_system, state, activity
        )
        await _maybe_a_title(asked)
    elif route is Route.EVENTS:
        await _events(message, decision, texts, config, db, activity)
        await _maybe_a_title(asked)
    elif route is Route.CONSULTATION:
        activity.kind = ActivityKind.MENU
        activity.status = "consultation"
        await _consultation(message, decision, texts, config, db, person, state, activity)
        await _maybe_a_title(asked)
    elif route in (Route.SUBSCRIPTIONS, Route.UNSUBSCRIBE):
        if route is Route.UNSUBSCRIBE:
            await message.answer(texts("fd-unsubscribe"))
        await subscriptions.show(message, texts, config, db, person, activity)
        if route is Route.SUBSCRIPTIONS:
            await _maybe_a_title(asked)
    elif route is Route.FAQ and decision.faq is not None:
        await _faq_answer(message, texts, db, activity, asked, decision.faq.entry_id)
    elif route in (Route.GREETING, Route.THANKS, Route.EMPTY):
        activity.kind = ActivityKind.MENU
        activity.status = route.value
        key = {Route.GREETING: "fd-greeting", Route.THANKS: "fd-thanks", Route.EMPTY: "fd-empty"}
        if decision.reason == "goodbye":
            key[Route.THANKS] = "fd-goodbye"
        await message.answer(texts(key[route]), reply_markup=main_menu(texts, person))
    elif route is Route.FAQ_MAYBE and decision.faq is not None:
        await _faq_maybe(message, texts, db, activity, asked, decision)
    elif route is Route.LIBRARIAN:
        activity.status = "asks for a librarian"
        await message.answer(
            texts("fd-librarian"), reply_markup=inline(texts, *await asked.librarian_row())
        )
    else:
        activity.status = "not placed"
        await message.answer(
            texts("fd-unknown"),
            reply_markup=inline(
                texts,
                *await asked.librarian_row(),
                *await asked.search_row(),
            ),
        )


async def _maybe_a_title(asked: Asked) -> None:
    """Under a screen another part drew for a word or two («Встреча», «Новости»), the way
    to the catalogue in case it was a title."""
    if len(asked.text.split()) <= FOLLOW_UP_WORDS and "?" not in asked.text:
        rows = await asked.search_row()
        if rows:
            await asked.message.answer(
                asked.texts("fd-maybe-a-title"), reply_markup=inline(asked.texts, *rows)
            )


class Asked:
    """The typed message, kept under a small id the first time a button needs it."""

    def __init__(
        self,
        message: Message,
        texts: Texts,
        state: FSMContext,
        person: PersonView,
        memory: RecentQueries,
        text: str,
    ) -> None:
        self.message, self.texts, self.state = message, texts, state
        self.person, self.memory, self.text = person, memory, text
        words = text.casefold().split()
        self.title_like = len(words) <= SEARCH_BUTTON_WORDS and not ADDRESSING & {
            w.strip("?!.,") for w in words
        }
        self._id: int | None = None

    async def query_id(self) -> int:
        if self._id is None:
            self._id = await remember(self.state, self.person, self.memory, self.text)
        return self._id

    async def librarian_row(self) -> list[list[InlineKeyboardButton]]:
        ask = FrontCb(action=FrontAction.ASK, query_id=await self.query_id())
        return [[button(self.texts("fd-ask-button"), ask.pack())]]

    async def search_row(self) -> list[list[InlineKeyboardButton]]:
        """«Искать «…» в каталоге» under an answer to a message short enough to be a title."""
        if not self.title_like:
            return []
        search = FrontCb(action=FrontAction.SEARCH, query_id=await self.query_id())
        label = self.texts("fd-search-button", query=self.text[:30])
        return [[button(label, search.pack())]]


async def _events(
    message: Message,
    decision: Decision,
    texts: Texts,
    config: Config,
    db: Database,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "events"
    kind = EventKind(decision.event_kind) if decision.event_kind else None
    local_now = datetime.now(UTC).astimezone(config.library.zone)
    bounds = span_bounds(decision, local_now)
    if bounds is not None:
        label = span_label(texts, decision, local_now)
        shown = await events.show_between(
            message,
            texts,
            config,
            db,
            title=texts("fd-events-title", span=label),
            after=bounds[0].astimezone(UTC),
            before=bounds[1].astimezone(UTC),
            kind=kind.value if kind else "",
            branch=decision.branch_id,
        )
        if shown:
            return
        await message.answer(texts("fd-events-none", span=label))
    listing = EventCb(
        action=EventAction.LIST,
        kind=KIND_CODES[kind] if kind else "",
        branch=decision.branch_id,
    )
    if decision.signup:
        await message.answer(texts("fd-events-signup"))
    await events.show_list(message, texts, config, db, listing)


async def _consultation(
    message: Message,
    decision: Decision,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A recognised topic: its FAQ, or a card with «Задать вопрос специалисту» — never
    the request form straight away (the reader's next typed words would become its answers)."""
    topics = [t.id for t in config.consultations.topics]
    if decision.topic_id not in topics:
        await consultation.show_topics(message, texts, config)
        return
    index = topics.index(decision.topic_id)
    if await directory.faq(db, decision.topic_id):
        await consultation.show_faq(message, texts, config, db, person, state, index, activity)
        return
    rows = [
        [button(texts("rq-ask"), RequestCb(action=RequestAction.ASK, value=index).pack())],
        [button(texts("rq-other-topics"), RequestCb(action=RequestAction.TOPICS).pack())],
    ]
    topic = topic_name(texts, config, decision.topic_id)
    await message.answer(texts("fd-consultation", topic=topic), reply_markup=inline(texts, *rows))


async def _faq_answer(
    message: Message,
    texts: Texts,
    db: Database,
    activity: ActivityNote,
    asked: Asked,
    entry_id: int,
) -> None:
    entry = await entries.get(db, entry_id)
    if entry is None:  # deleted between the index and now
        await message.answer(
            texts("fd-unknown"), reply_markup=inline(texts, *await asked.librarian_row())
        )
        return
    activity.kind = ActivityKind.FAQ_ANSWER
    activity.status = "answered"
    await message.answer(
        texts("fd-faq-answer", question=entry.question, answer=entry.answer),
        reply_markup=inline(texts, *await asked.librarian_row(), *await asked.search_row()),
    )


async def _faq_maybe(
    message: Message,
    texts: Texts,
    db: Database,
    activity: ActivityNote,
    asked: Asked,
    decision: Decision,
) -> None:
    activity.status = "faq offered"
    assert decision.faq is not None
    entry = await entries.get(db, decision.faq.entry_id)
    rows: list[list[InlineKeyboardButton]] = []
    if entry is not None:
        show = FrontCb(action=FrontAction.FAQ, query_id=entry.id)
        rows.append([button(entry.question[:60], show.pack())])
    rows += await asked.librarian_row()
    rows += await asked.search_row()
    await message.answer(texts("fd-faq-maybe"), reply_markup=inline(texts, *rows))


# --- the buttons under its answers --------------------------------------------------------


class Remembered(Filter):
    """The typed message a button names (by `query_id`), as `asked`."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: FrontCb,
        state: FSMContext,
        person: PersonView,
        recent_queries: RecentQueries,
    ) -> bool | dict[str, Any]:
        kept = await recent(state, person, recent_queries)
        text = kept.get(str(callback_data.query_id))
        if text is None or not isinstance(query.message, Message):
            return False
        return {"asked": text, "target": query.message}


@routes.callback_query(FrontCb.filter(F.action == FrontAction.SEARCH), Remembered())
async def search_pressed(
    query: CallbackQuery,
    asked: str,
    target: Message,
    texts: Texts,
    db: Database,
    state: FSMContext,
    person: PersonView,
    activity: ActivityNote,
    recent_queries: RecentQueries,
) -> None:
    """«Искать «…» в каталоге»: the same words as a catalogue question."""
    await query.answer()
    activity.notes = "button: searched in the catalogue on request"
    await answer_question(target, texts, db, state, activity, person, recent_queries, asked)


@routes.callback_query(FrontCb.filter(F.action == FrontAction.FAQ))
async def faq_pressed(
    query: CallbackQuery,
    callback_data: FrontCb,
    texts: Texts,
    db: Database,
    state: FSMContext,
    person: PersonView,
    activity: ActivityNote,
    recent_queries: RecentQueries,
) -> None:
    """«Возможно, вы об этом»: the FAQ entry's answer."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    entry = await entries.get(db, callback_data.query_id)
    if entry is None:
        activity.status = "stale faq"
        await query.message.answer(texts("fd-faq-gone"), reply_markup=main_menu(texts, person))
        return
    activity.kind = ActivityKind.FAQ_ANSWER
    activity.status = "answered"
    activity.content = entry.question
    await query.message.answer(
        texts("fd-faq-answer", question=entry.question, answer=entry.answer),
        reply_markup=inline(texts),
    )


@routes.callback_query(FrontCb.filter(F.action == FrontAction.SEARCH))
async def search_gone(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """The typed message is no longer kept (long ago, or a restart without consent)."""
    await query.answer()
    activity.status = "stale search"
    if isinstance(query.message, Message):
        await query.message.answer(
            texts("catalogue-page-gone"), reply_markup=main_menu(texts, person)
        )
