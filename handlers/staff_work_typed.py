"""What staff type while recording work (`staff_work`): what was done, and the optional
fields of «➕ Дополнить». A typed customer is offered the customers already used in work
records and the organisations named in consultation requests that hold what was typed
(«добр» → «АНО «Добрые руки»»); the name as typed is always one of the choices.

Text is kept as typed (spaces squeezed): it is data, shown escaped and exported as text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.routes import Routes
from handlers.staff_work_cards import (
    REFUSALS,
    WorkAction,
    WorkForm,
    cb,
    keep,
    kinds_keyboard,
    load,
    show_draft,
)
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import Role
from storage.people import PersonView
from storage.reports.offline import open_quarter
from storage.work import records
from storage.work.records import LIMITS, PEOPLE_LIMIT, Refusal
from storage.work.when import read_when

SUGGESTIONS = 5

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))


@routes.message(WorkForm.content, F.text)
async def content_typed(
    message: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """What was done: the draft is shown with «✅ Готово» and «➕ Дополнить»."""
    staff_at_work(activity, person)
    activity.status = "work content"
    draft = await load(state)
    text = " ".join((message.text or "").split())
    if draft is None:
        await _lost(message, texts, config, state)
        return
    if not text or len(text) > LIMITS["content"]:
        await message.answer(texts("work-bad-content", limit=LIMITS["content"]))
        return
    draft.content = text
    await keep(state, draft)
    await state.set_state(WorkForm.card)
    name = message.from_user.full_name if message.from_user else ""
    await show_draft(message, texts, config, person, draft, name=name)


@routes.message(WorkForm.field, F.text)
async def field_typed(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """One optional field typed: checked, kept in the draft, the draft shown again."""
    staff_at_work(activity, person)
    draft = await load(state)
    field = (await state.get_data()).get("field")
    if draft is None or not isinstance(field, str):
        await _lost(message, texts, config, state)
        return
    activity.status = f"work {field}"
    text = " ".join((message.text or "").split())
    if field == "date":
        now = datetime.now(UTC)
        when = read_when(text, config.library.zone, now)
        if when is None:
            await message.answer(texts("work-bad-date"))
            return
        if not open_quarter(now, config.library.zone).contains(when[0]):
            # a handed-in quarter: its author could not correct or delete the record there
            await message.answer(texts(REFUSALS[Refusal.CLOSED]))
            return
        draft.date, draft.all_day = when[0].isoformat(), when[1]
    elif field == "people":
        if not text.isdigit() or int(text) > PEOPLE_LIMIT:
            await message.answer(texts("work-bad-people"))
            return
        draft.people = int(text)
    elif field in LIMITS and field != "kind":
        if not text or len(text) > LIMITS[field]:
            await message.answer(texts("work-bad-length", limit=LIMITS[field]))
            return
        if field == "customer":
            offered = [n for n in await records.customers(db, text, limit=SUGGESTIONS) if n != text]
            if offered:
                await _offer(message, texts, state, text, offered)
                return
        setattr(draft, field, text)
    else:  # the kind is chosen by its buttons: they again, not silence
        await message.answer(
            texts("work-ask-kind"), reply_markup=kinds_keyboard(texts, config, mine=False)
        )
        return
    await keep(state, draft, field=None)
    await state.set_state(WorkForm.card)
    name = message.from_user.full_name if message.from_user else ""
    await show_draft(message, texts, config, person, draft, fields=True, name=name)


@routes.message(WorkForm.card, F.text)
async def typed_at_the_card(
    message: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """Typing while the draft waits for a button: the draft again, with what to press (not a
    catalogue search in the middle of a record)."""
    staff_at_work(activity, person)
    draft = await load(state)
    if draft is None:
        await _lost(message, texts, config, state)
        return
    await message.answer(texts("work-use-buttons"))
    name = message.from_user.full_name if message.from_user else ""
    await show_draft(message, texts, config, person, draft, fields=True, name=name)


async def _lost(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
    """The draft is gone (expired, or a restart with memory storage): start again."""
    await state.clear()
    await message.answer(texts("work-stale"), reply_markup=kinds_keyboard(texts, config))


async def _offer(
    message: Message, texts: Texts, state: FSMContext, typed: str, offered: list[str]
) -> None:
    """The customers like the typed name, and the name as typed."""
    await state.update_data(suggest=offered, typed=typed)
    rows = [[button(name, cb(WorkAction.PICK, n=i))] for i, name in enumerate(offered)]
    rows.append([button(texts("work-keep-typed", name=typed), cb(WorkAction.KEEP))])
    await message.answer(texts("work-suggest", name=typed), reply_markup=inline(texts, *rows))
