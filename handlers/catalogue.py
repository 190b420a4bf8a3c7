"""«Найти книгу» and catalogue questions: search, a short list, a card per record.

Typed messages reach the search through the front door (`handlers.front_door`), which
sends here what reads like a title, an author or a request for a book.

The last questions are kept by id (`catalogue_presses`) so «Ещё» can page through one
(callback data has room for ids, not for a question). Every search is logged as a
catalogue enquiry with the number of hits. How answers look is `catalogue_view`;
«Забронировать» goes on in `catalogue_holds`.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Markup, Texts
from bot.kernel.messengers import Messengers
from broadcasts import hold_notices
from broadcasts.staff_chat import notify_staff
from broadcasts.views.callbacks import CatalogueAction, CatalogueCb, FrontAction, FrontCb
from broadcasts.views.keyboards import button, inline
from handlers.catalogue_holds import HoldAsk, HoldOnRecord, start_hold
from handlers.catalogue_presses import AskedQuestion, NamedRecord, note_record, remember
from handlers.catalogue_view import PAGE, card_buttons, card_text, results
from handlers.common import phone_or_none, show_menu
from handlers.filters import MenuButton
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.catalogue.availability import RecordCard, with_live_copies
from storage.catalogue.search import search
from storage.circulation.base import LibrarySystem
from storage.circulation.links import get_link
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView
from storage.volatile import RecentQueries

routes = Routes(__name__)  # the menu button and the buttons under answers

ON_A_QUESTION = {CatalogueAction.MORE, CatalogueAction.SUGGEST}
ON_A_RECORD = {CatalogueAction.RECORD, CatalogueAction.WATCH, CatalogueAction.HOLD}


@routes.message(MenuButton("menu-find-book"))
async def find_book(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.status = "prompted"
    await message.answer(texts("catalogue-prompt"), reply_markup=inline(texts))


async def answer_question(
    message: Message,
    texts: Texts,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    person: PersonView | None,
    recent_queries: RecentQueries,
    query: str,
    *,
    purchase: bool = True,
    librarian: bool = False,
) -> int:
    """Search and answer; the question's id (for the buttons), and the hits in the log.
    Nothing found: «Оставить заявку на книгу» when the text reads like a book
    (`purchase`), «Спросить библиотекаря» when it may be a question (`librarian`)."""
    result = await search(db, query, limit=PAGE)
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.content = query
    activity.notes = "; ".join(filter(None, [activity.notes, f"hits={result.total}"]))
    activity.status = "found" if result.total else "not found"
    if result.suggestion:
        activity.status = "suggested"
    query_id = await remember(state, person, recent_queries, query)
    if not result.total:
        rows = []
        if purchase:
            suggest = CatalogueCb(action=CatalogueAction.SUGGEST, query_id=query_id)
            rows.append([button(texts("catalogue-suggest-button"), suggest.pack())])
        if librarian:
            ask = FrontCb(action=FrontAction.ASK, query_id=query_id)
            rows.append([button(texts("fd-ask-button"), ask.pack())])
        key = "catalogue-nothing" if purchase else "fd-catalogue-nothing"
        await message.answer(texts(key, query=query[:100]), reply_markup=inline(texts, *rows))
        return query_id
    text, rows = results(texts, result, 0, query_id)
    await message.answer(text, reply_markup=inline(texts, *rows))
    return query_id


async def _on_question(query: CallbackQuery, activity: ActivityNote, asked: str) -> None:
    await query.answer()
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.content = asked


async def _on_record(query: CallbackQuery, activity: ActivityNote, record_id: int) -> None:
    await query.answer()
    note_record(activity, record_id)


@routes.callback_query(CatalogueCb.filter(F.action == CatalogueAction.MORE), AskedQuestion())
async def more(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    asked: str,
    message: Message,
    activity: ActivityNote,
) -> None:
    """«Ещё»: the next page of the question the answer was to."""
    await _on_question(query, activity, asked)
    offset = max(callback_data.offset, 0)
    activity.notes = f"page offset={offset}"
    result = await search(db, asked, limit=PAGE, offset=offset)
    if not result.hits:
        await show_menu(message, texts, person, key="catalogue-page-gone")
        return
    text, rows = results(texts, result, offset, callback_data.query_id)
    await message.answer(text, reply_markup=inline(texts, *rows))


@routes.callback_query(CatalogueCb.filter(F.action == CatalogueAction.RECORD), NamedRecord())
async def show_record(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    card: RecordCard,
    message: Message,
    activity: ActivityNote,
    library_system: LibrarySystem | None = None,
) -> None:
    """A record's card; its copies live from the library system when it can tell them
    (IRBIS64) within a short timeout, else from the nightly index, saying so."""
    await _on_record(query, activity, card.record_id)
    activity.content = card.title
    card = await with_live_copies(library_system, card, config.library.branches)
    buttons = card_buttons(texts, card)
    text = card_text(texts, card, config.library.zone)
    await message.answer(text, reply_markup=inline(texts, *buttons))


@routes.callback_query(CatalogueCb.filter(F.action == CatalogueAction.WATCH), NamedRecord())
async def watch_record(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    db: Database,
    card: RecordCard,
    message: Message,
    activity: ActivityNote,
) -> None:
    """«Сообщить, когда вернут»: a wait on the record (once; a second press says so)."""
    await _on_record(query, activity, card.record_id)
    activity.content = card.title
    activity.status = "watch"
    added = await watches.watch(db, person.id, card.record_id)
    key = "catalogue-watch-done" if added else "catalogue-watch-already"
    await show_menu(message, texts, person, key=key, title=card.title)


@routes.callback_query(CatalogueCb.filter(F.action == CatalogueAction.HOLD), HoldOnRecord())
async def hold_record(query: CallbackQuery, ask: HoldAsk, activity: ActivityNote) -> None:
    """«Забронировать»: the first press of a hold (`catalogue_holds`)."""
    await _on_record(query, activity, ask.card.record_id)
    activity.content = ask.card.title
    await start_hold(ask, activity)


@routes.callback_query(CatalogueCb.filter(F.action == CatalogueAction.SUGGEST), AskedQuestion())
async def suggest_purchase(
    query: CallbackQuery,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    messengers: Messengers,
    asked: str,
    message: Message,
    activity: ActivityNote,
) -> None:
    """«Оставить заявку на книгу»: the staff chat learns what and who asked (with consent)."""
    await _on_question(query, activity, asked)
    activity.status = "purchase request"
    staff_texts = locales.texts(hold_notices.STAFF_LANGUAGE)
    link = await get_link(db, person.id) if person.consent is Consent.GIVEN else None
    reader = hold_notices.reader_text(staff_texts, person, link)
    notice = "\n".join(
        [
            staff_texts("notify-purchase-request", query=asked[:200]),
            staff_texts("purchase-from", reader=Markup(reader)),
        ]
    )
    if not await notify_staff(messengers, config, notice):
        activity.status = "purchase request, staff chat unreachable"
        await show_menu(
            message, texts, person, key="catalogue-call-us", phone=phone_or_none(config)
        )
        return
    await show_menu(message, texts, person, key="catalogue-suggest-done", query=asked[:100])


@routes.callback_query(CatalogueCb.filter(F.action.in_(ON_A_QUESTION)))
async def question_gone(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """«Ещё» or «Оставить заявку» on an answer whose question is no longer kept."""
    await query.answer()
    activity.kind = ActivityKind.CATALOGUE_QUERY
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="catalogue-page-gone")


@routes.callback_query(CatalogueCb.filter(F.action.in_(ON_A_RECORD)))
async def record_gone(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """A record's button after the record left the catalogue (a re-import dropped it)."""
    await _on_record(query, activity, callback_data.record_id)
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="catalogue-record-gone")
