"""«➕ В частые вопросы»: a reader's question to a librarian and the answer staff gave it are
suggested as a library FAQ entry, so the bot answers it itself next time.

A question to a librarian is personal («Я Анна Петрова, билет 123456, потеряла книгу…»)
and an FAQ entry is shown to every reader, as a title and as a button label. So the press
adds nothing by itself: it opens the staff FAQ form «➕ Добавить» in the presser's private
chat with the bot (`handlers.staff_faq_steps.SUGGESTED`), where the reader's question and
the answer are offered as they are («✔️ Оставить как есть») with a word to take names and
ticket numbers out, and other phrasings are asked for; the entry is saved at the end, by
staff (`handlers.staff_faq_forms`). When the bot cannot write to the presser privately
(they never opened a chat with it), the staff chat tells them to do that first.

Staff only (experts and readers are refused). The request's thread notes the entry once
it is added, which is also how a later press is told it is there already.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery

from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import STAFF_LANGUAGE, is_librarian
from broadcasts.views.callbacks import DeskAction, DeskCb
from handlers import forms
from handlers.common import staff_at_work
from handlers.desk_forms import ask_privately, private_state
from handlers.filters import HasAnyRole, HasRole
from handlers.librarian_routes import staff_chat_routes
from handlers.staff_faq_steps import SUGGESTED, last_answer, suggested_steps
from storage.activity import ActivityNote
from storage.consultations import entries
from storage.consultations import requests as desk
from storage.consultations.models import EntryKind
from storage.db import Database
from storage.faq import entries as faq
from storage.models import Role
from storage.people import PersonView


@staff_chat_routes.callback_query(DeskCb.filter(F.action == DeskAction.TO_FAQ), HasRole(Role.STAFF))
async def to_faq(
    query: CallbackQuery,
    callback_data: DeskCb,
    bot: Bot,
    fsm_storage: BaseStorage,
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    request = await desk.get(db, callback_data.id)
    if request is None or not is_librarian(request) or request.person_id is None:
        activity.status = "not found"
        await query.answer(texts("desk-not-found"), show_alert=True)
        return
    activity.about_person_id = request.person_id
    activity.content = f"№{request.id}"
    answer = await last_answer(db, request)
    if answer is None:
        activity.status = "no answer yet"
        await query.answer(texts("lib-faq-no-answer", number=request.id), show_alert=True)
        return
    marker = locales.texts(STAFF_LANGUAGE)("lib-faq-note")
    thread = await entries.entries(db, request.id, for_requester=False)
    if any(e.kind is EntryKind.NOTE and e.text == marker for e in thread):
        activity.status = "in the faq already"
        await query.answer(texts("lib-faq-already", number=request.id), show_alert=True)
        return
    count, _ = await faq.stamp(db)
    if count >= faq.ENTRIES_LIMIT:
        activity.status = "faq full"
        await query.answer(texts("lib-faq-full", limit=faq.ENTRIES_LIMIT), show_alert=True)
        return
    steps = suggested_steps(request, answer)
    markup = await forms.keyboard(texts, db, person, SUGGESTED, steps[0])
    first = texts(steps[0].prompt, **steps[0].args)
    if not await ask_privately(query, bot, texts, first, markup):
        activity.status = "faq: no private chat"
        return
    state = private_state(fsm_storage, bot, query.from_user.id)
    await state.set_state(SUGGESTED.state)
    await state.set_data({"request": request.id, "step": 0, "answers": {}})
    activity.status = "faq suggestion started"
    await query.answer(texts("lib-faq-in-private"))


@staff_chat_routes.callback_query(
    DeskCb.filter(F.action == DeskAction.TO_FAQ), HasAnyRole(Role.EXPERT)
)
async def staff_only(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """An expert pressing it (readers are refused by `handlers.denied`)."""
    staff_at_work(activity, person)
    activity.status = "denied"
    await query.answer(texts("staff-only"), show_alert=True)
