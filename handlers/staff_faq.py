"""«Для сотрудников» → «❓ Частые вопросы»: the library FAQ the bot answers typed questions
from — the list page by page, an entry's card with what can be done to it, and removing one
(asked once more). Adding one and changing a part of one are forms: `staff_faq_forms`, the
part after this one, which also answers a stale button of either.

Every message and press is checked for the staff role on the server; a reader's press of a
forged button falls through to `denied` («только для сотрудников»).
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import FaqAction, FaqCb, StaffAction, StaffCb
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import Shown
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import FaqItem
from storage.models import Role
from storage.people import PersonView

PAGE = 8  # questions a page of the list

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


# --- the screens ------------------------------------------------------------------------


async def show_list(target: Message, texts: Texts, db: Database, page: int = 0) -> None:
    """A page of the questions, each a button to its card; «➕ Добавить» under them."""
    found = await entries.entries(db)
    pages = max(1, -(-len(found) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = found[page * PAGE : (page + 1) * PAGE]
    rows = [
        [button(item.question, FaqCb(action=FaqAction.SHOW, id=item.id, page=page).pack())]
        for item in shown
    ]
    turns: list[InlineKeyboardButton] = []
    if page > 0:
        turns.append(button(texts("faq-prev"), FaqCb(action=FaqAction.LIST, page=page - 1).pack()))
    if page < pages - 1:
        turns.append(button(texts("faq-next"), FaqCb(action=FaqAction.LIST, page=page + 1).pack()))
    if turns:
        rows.append(turns)
    rows.append([button(texts("faq-add"), FaqCb(action=FaqAction.ADD).pack())])
    if not found:
        text = texts("faq-list-empty")
    elif pages > 1:
        text = texts("faq-list-pages", count=len(found), page=page + 1, pages=pages)
    else:
        text = texts("faq-list", count=len(found))
    await target.answer(text, reply_markup=inline(texts, *rows))


async def show_card(target: Message, texts: Texts, item: FaqItem, page: int = 0) -> None:
    """The entry as the bot knows it, with what can be done to it."""

    def cb(action: FaqAction) -> str:
        return FaqCb(action=action, id=item.id, page=page).pack()

    phrasings = (
        "\n".join(f"• {p}" for p in item.phrasings)
        if item.phrasings
        else texts("faq-card-no-phrasings")
    )
    text = texts("faq-card", question=item.question, phrasings=phrasings, answer=item.answer)
    await target.answer(
        text,
        reply_markup=inline(
            texts,
            [button(texts("faq-edit-question"), cb(FaqAction.EDIT_QUESTION))],
            [button(texts("faq-edit-phrasings"), cb(FaqAction.EDIT_PHRASINGS))],
            [button(texts("faq-edit-answer"), cb(FaqAction.EDIT_ANSWER))],
            [button(texts("faq-drop"), cb(FaqAction.DROP))],
            [button(texts("faq-to-list"), FaqCb(action=FaqAction.LIST, page=page).pack())],
        ),
    )


async def gone(target: Message, texts: Texts, db: Database, page: int = 0) -> None:
    await target.answer(texts("faq-gone"))
    await show_list(target, texts, db, page)


# --- the presses ------------------------------------------------------------------------


@routes.callback_query(StaffCb.filter(F.action == StaffAction.FAQ), Shown())
async def opened(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«❓ Частые вопросы» in the staff panel."""
    staff_at_work(activity, person)
    activity.status = "faq list"
    await query.answer()
    await show_list(target, texts, db)


@routes.callback_query(FaqCb.filter(F.action == FaqAction.LIST), Shown())
async def listed(
    query: CallbackQuery,
    callback_data: FaqCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    activity.status = "faq list"
    await query.answer()
    await show_list(target, texts, db, callback_data.page)


@routes.callback_query(FaqCb.filter(F.action == FaqAction.SHOW), Shown())
async def shown(
    query: CallbackQuery,
    callback_data: FaqCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    activity.status = "faq card"
    await query.answer()
    item = await entries.get(db, callback_data.id)
    if item is None:
        await gone(target, texts, db, callback_data.page)
        return
    await show_card(target, texts, item, callback_data.page)


@routes.callback_query(FaqCb.filter(F.action == FaqAction.DROP), Shown())
async def drop_asked(
    query: CallbackQuery,
    callback_data: FaqCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Удалить»: asked once more, with the question named."""
    staff_at_work(activity, person)
    await query.answer()
    item = await entries.get(db, callback_data.id)
    if item is None:
        await gone(target, texts, db, callback_data.page)
        return
    yes = FaqCb(action=FaqAction.DROP_YES, id=item.id, page=callback_data.page).pack()
    no = FaqCb(action=FaqAction.SHOW, id=item.id, page=callback_data.page).pack()
    await target.answer(
        texts("faq-drop-confirm", question=item.question),
        reply_markup=inline(
            texts, [button(texts("faq-drop-yes"), yes), button(texts("faq-drop-no"), no)]
        ),
    )


@routes.callback_query(FaqCb.filter(F.action == FaqAction.DROP_YES), Shown())
async def dropped(
    query: CallbackQuery,
    callback_data: FaqCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    if not await entries.drop(db, callback_data.id):
        await gone(target, texts, db, callback_data.page)
        return
    activity.status = "faq removed"
    await target.answer(texts("faq-dropped"))
    await show_list(target, texts, db, callback_data.page)
