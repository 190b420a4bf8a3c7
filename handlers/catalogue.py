"""«Найти книгу» and every free-text question: search, a short list, a card per record.

The last query is kept in FSM data so «Ещё» can page through it (callback data has
room for ids, not for a query). Every search is logged as a catalogue enquiry with
the number of hits.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Markup, Texts
from bot.kernel.messengers import Messengers
from broadcasts import hold_notices
from broadcasts.staff_chat import notify_staff
from broadcasts.views.callbacks import CatalogueAction, CatalogueCb
from broadcasts.views.keyboards import button, inline
from handlers import catalogue_holds
from handlers.common import phone_or_none, show_menu
from handlers.filters import MenuButton, TextWithinLimit
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.catalogue.availability import BranchCopies, RecordCard, record_card
from storage.catalogue.index import Hit
from storage.catalogue.records import ItemStatus
from storage.catalogue.search import SearchResult, search
from storage.circulation.base import LibrarySystem
from storage.circulation.links import get_link
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView
from storage.volatile import RecentQueries

PAGE = 5
QUERIES_KEY = "catalogue_queries"  # recent questions by id, for «Ещё» and «Оставить заявку»
QUERIES_KEPT = 10
BUTTON_TITLE = 40
SHOWN_STATUSES = (
    ItemStatus.ON_LOAN,
    ItemStatus.RESERVED,
    ItemStatus.IN_TRANSIT,
    ItemStatus.READING_ROOM,
    ItemStatus.UNAVAILABLE,
)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hit_line(texts: Texts, number: int, hit: Hit) -> str:
    return texts(
        "catalogue-hit",
        number=str(number),
        title=hit.title,
        authors=(hit.authors or "none").split(";")[0],
        year=hit.year or "none",
    )


def _results(
    texts: Texts, result: SearchResult, offset: int, query_id: int
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    lines = []
    if result.suggestion:
        lines.append(texts("catalogue-suggestion", suggestion=result.suggestion))
    shown = len(result.hits)
    if offset:
        lines.append(
            texts(
                "catalogue-page",
                query=result.query,
                total=result.total,
                **{"from": offset + 1},
                to=offset + shown,
            )
        )
    elif result.broad:
        lines.append(texts("catalogue-found-many", total=result.total, query=result.query))
    else:
        lines.append(
            texts(
                "catalogue-found",
                total=result.total,
                query=result.query,
                shown="all" if result.total <= shown else shown,
            )
        )
    rows = []
    for number, hit in enumerate(result.hits, start=offset + 1):
        lines.append(_hit_line(texts, number, hit))
        label = f"{number}. {_short(hit.title, BUTTON_TITLE)}"
        rows.append(
            [
                button(
                    label,
                    CatalogueCb(action=CatalogueAction.RECORD, record_id=hit.record_id).pack(),
                )
            ]
        )
    if offset + shown < result.total:
        more = CatalogueCb(action=CatalogueAction.MORE, offset=offset + shown, query_id=query_id)
        rows.append([button(texts("catalogue-more"), more.pack())])
    return "\n".join(lines), rows


def _branch_state(texts: Texts, copies: BranchCopies) -> str:
    parts = []
    if copies.available:
        parts.append(texts("catalogue-on-shelf", available=copies.available, total=copies.total))
    else:
        parts.append(texts("catalogue-none-on-shelf"))
    for status in SHOWN_STATUSES:
        count = copies.statuses[status]
        if not count:
            continue
        if status is ItemStatus.ON_LOAN:
            due = f"{copies.next_due:%d.%m.%Y}" if copies.next_due else "none"
            parts.append(texts("catalogue-status-on_loan", count=count, due=due))
        else:
            parts.append(texts(f"catalogue-status-{status.value}", count=count))
    if copies.call_numbers:
        parts.append(texts("catalogue-call-number", call=", ".join(copies.call_numbers[:2])))
    return Markup("; ".join(parts))


def card_text(texts: Texts, card: RecordCard) -> str:
    lines = [texts("catalogue-card-title", title=card.title)]
    if card.authors:
        lines.append(texts("catalogue-card-authors", authors=card.authors))
    details = ", ".join(p for p in (card.publisher, card.year) if p)
    if details:
        lines.append(texts("catalogue-card-imprint", details=details))
    if card.isbns:
        lines.append(texts("catalogue-card-isbn", isbn=card.isbns.split()[0]))
    lines.append("")
    if not card.branches:
        lines.append(texts("catalogue-no-copies"))
    for copies in card.branches:
        lines.append(
            texts("catalogue-branch", branch=copies.name, state=_branch_state(texts, copies))
        )
    return "\n".join(lines)


def card_buttons(texts: Texts, card: RecordCard) -> list[list[InlineKeyboardButton]]:
    rows = []
    if card.available == 0 and card.branches:
        watch = CatalogueCb(action=CatalogueAction.WATCH, record_id=card.record_id)
        rows.append([button(texts("catalogue-watch-button"), watch.pack())])
    if card.branches:
        hold = CatalogueCb(action=CatalogueAction.HOLD, record_id=card.record_id)
        rows.append([button(texts("catalogue-hold-button"), hold.pack())])
    return rows


async def answer_query(
    message: Message,
    query: str,
    *,
    texts: Texts,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    person: PersonView | None,
    recent_queries: RecentQueries,
) -> None:
    """Search and answer: the one path for typed questions and «Найти книгу» follow-ups."""
    result = await search(db, query, limit=PAGE)
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.content = query
    activity.notes = f"hits={result.total}"
    activity.status = "found" if result.total else "not found"
    if result.suggestion:
        activity.status = "suggested"
    query_id = await _remember(state, person, recent_queries, query)
    if not result.total:
        suggest = button(
            texts("catalogue-suggest-button"),
            CatalogueCb(action=CatalogueAction.SUGGEST, query_id=query_id).pack(),
        )
        await message.answer(
            texts("catalogue-nothing", query=query[:100]), reply_markup=inline(texts, [suggest])
        )
        return
    text, rows = _results(texts, result, 0, query_id)
    await message.answer(text, reply_markup=inline(texts, *rows))


async def find_book(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.status = "prompted"
    await message.answer(texts("catalogue-prompt"), reply_markup=inline(texts))


async def free_text(
    message: Message,
    texts: Texts,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    person: PersonView | None,
    recent_queries: RecentQueries,
) -> None:
    await answer_query(
        message,
        message.text or "",
        texts=texts,
        db=db,
        state=state,
        activity=activity,
        person=person,
        recent_queries=recent_queries,
    )


async def _recent(
    state: FSMContext, person: PersonView | None, memory: RecentQueries
) -> dict[str, str]:
    """The conversation's recent questions: in its state with consent, else in memory only."""
    if person is not None and person.may_keep_texts:
        return dict((await state.get_data()).get(QUERIES_KEY, {}))
    return memory.get(repr(state.key))


async def _remember(
    state: FSMContext, person: PersonView | None, memory: RecentQueries, query: str
) -> int:
    """Keep the question under a small id, so a button on an older answer still means it."""
    recent = await _recent(state, person, memory)
    query_id = max((int(k) for k in recent), default=0) + 1
    recent[str(query_id)] = query
    kept = dict(sorted(recent.items(), key=lambda item: int(item[0]))[-QUERIES_KEPT:])
    if person is not None and person.may_keep_texts:
        await state.update_data({QUERIES_KEY: kept})
    else:
        memory.put(repr(state.key), kept)
    return query_id


async def _asked_query(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    recent_queries: RecentQueries,
) -> tuple[Message, str] | None:
    """Answer a press on a search answer's button; None (menu shown) if the question is gone."""
    await query.answer()
    activity.kind = ActivityKind.CATALOGUE_QUERY
    message = query.message if isinstance(query.message, Message) else None
    last = (await _recent(state, person, recent_queries)).get(str(callback_data.query_id))
    if message is None:
        return None
    if not last:
        await show_menu(message, texts, person, key="catalogue-page-gone")
        return None
    activity.content = last
    return message, last


async def _card(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> tuple[Message, RecordCard] | None:
    """Answer a press on a record's button; None (menu shown) when the record is gone."""
    await query.answer()
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.notes = f"record={callback_data.record_id}"
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return None
    card = await record_card(db, callback_data.record_id, config.library.branches)
    if card is None:
        await show_menu(message, texts, person, key="catalogue-record-gone")
        return None
    activity.content = card.title
    return message, card


async def more(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    recent_queries: RecentQueries,
) -> None:
    found = await _asked_query(query, callback_data, texts, person, state, activity, recent_queries)
    if found is None:
        return
    message, last = found
    offset = max(callback_data.offset, 0)
    activity.notes = f"page offset={offset}"
    result = await search(db, last, limit=PAGE, offset=offset)
    if not result.hits:
        await show_menu(message, texts, person, key="catalogue-page-gone")
        return
    text, rows = _results(texts, result, offset, callback_data.query_id)
    await message.answer(text, reply_markup=inline(texts, *rows))


async def show_record(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    found = await _card(query, callback_data, texts, person, db, config, activity)
    if found is not None:
        message, card = found
        buttons = card_buttons(texts, card)
        await message.answer(card_text(texts, card), reply_markup=inline(texts, *buttons))


async def watch_record(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    found = await _card(query, callback_data, texts, person, db, config, activity)
    if found is None:
        return
    message, card = found
    activity.status = "watch"
    added = await watches.watch(db, person.id, card.record_id)
    key = "catalogue-watch-done" if added else "catalogue-watch-already"
    await show_menu(message, texts, person, key=key, title=card.title)


async def hold_record(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    library_system: LibrarySystem | None,
    activity: ActivityNote,
) -> None:
    found = await _card(query, callback_data, texts, person, db, config, activity)
    if found is None:
        return
    message, card = found
    await catalogue_holds.start_hold(
        message,
        card,
        texts=texts,
        locales=locales,
        person=person,
        db=db,
        config=config,
        system=library_system,
        activity=activity,
    )


async def suggest_purchase(
    query: CallbackQuery,
    callback_data: CatalogueCb,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    state: FSMContext,
    db: Database,
    config: Config,
    messengers: Messengers,
    activity: ActivityNote,
    recent_queries: RecentQueries,
) -> None:
    """«Оставить заявку на книгу»: the staff chat learns what and who asked (with consent)."""
    found = await _asked_query(query, callback_data, texts, person, state, activity, recent_queries)
    if found is None:
        return
    message, last = found
    activity.status = "purchase request"
    staff_texts = locales.texts(hold_notices.STAFF_LANGUAGE)
    link = await get_link(db, person.id) if person.consent is Consent.GIVEN else None
    reader = hold_notices.reader_text(staff_texts, person, link)
    notice = "\n".join(
        [
            staff_texts("notify-purchase-request", query=last[:200]),
            staff_texts("purchase-from", reader=Markup(reader)),
        ]
    )
    if not await notify_staff(messengers, config, notice):
        activity.status = "purchase request, staff chat unreachable"
        await show_menu(
            message, texts, person, key="catalogue-call-us", phone=phone_or_none(config)
        )
        return
    await show_menu(message, texts, person, key="catalogue-suggest-done", query=last[:100])


def build_router(locales: Locales) -> Router:
    """Typed questions go to search once every other router has had its chance."""
    router = Router(name=__name__)
    router.message.register(find_book, MenuButton(locales, "menu-find-book"))
    router.callback_query.register(more, CatalogueCb.filter(F.action == CatalogueAction.MORE))
    router.callback_query.register(
        show_record, CatalogueCb.filter(F.action == CatalogueAction.RECORD)
    )
    router.callback_query.register(
        watch_record, CatalogueCb.filter(F.action == CatalogueAction.WATCH)
    )
    router.callback_query.register(
        hold_record, CatalogueCb.filter(F.action == CatalogueAction.HOLD)
    )
    router.callback_query.register(
        suggest_purchase, CatalogueCb.filter(F.action == CatalogueAction.SUGGEST)
    )
    router.include_router(catalogue_holds.build_router())
    return router


def build_search_router() -> Router:
    """Free text (not a command, not too long) is a catalogue question."""
    router = Router(name=f"{__name__}.free_text")
    router.message.register(free_text, F.text, ~F.text.startswith("/"), TextWithinLimit())
    return router
