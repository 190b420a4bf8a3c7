"""«Для сотрудников» → «Обращения»: open requests (an expert sees theirs), the expert
directory, the FAQ per topic, and the request register of the quarter as XLSX.

The list is for staff and experts; everything else here is staff's (`HasRole` on each
handler): an expert's press of those falls through to `staff_only`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import inline
from handlers import desk_experts as expert_form
from handlers.desk_screens import offered, show_experts, show_faq_topic, show_list, show_topics
from handlers.filters import HasAnyRole, HasRole, MenuButton
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations.register import quarter_so_far, register_xlsx
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

# The staff-only buttons of this part (the list is an expert's too).
STAFF_ACTIONS = (
    DeskAction.EXPERTS,
    DeskAction.EXPERT_ADD,
    DeskAction.EXPERT_DROP,
    DeskAction.FAQ,
    DeskAction.FAQ_ADD,
    DeskAction.FAQ_DROP,
    DeskAction.REGISTER,
)

routes = Routes(__name__)
routes.filter("message", HasAnyRole(Role.STAFF, Role.EXPERT))
routes.filter("callback_query", HasAnyRole(Role.STAFF, Role.EXPERT))


class DirectoryForm(StatesGroup):
    expert = State()
    faq_question = State()
    faq_answer = State()


def _staff(action: DeskAction) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A handler of a staff-only button."""
    return routes.callback_query(DeskCb.filter(F.action == action), HasRole(Role.STAFF))


def _noted(query: CallbackQuery, person: PersonView, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    activity.responsible = person.display_name or query.from_user.full_name


async def _opened(
    query: CallbackQuery, person: PersonView, activity: ActivityNote
) -> Message | None:
    """A press of this part, noted as staff work: the message to answer under, if any."""
    _noted(query, person, activity)
    await query.answer()
    return query.message if isinstance(query.message, Message) else None


@routes.message(Command("requests"))
@routes.message(MenuButton("menu-expert"))
async def requests_menu(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    await state.clear()
    activity.kind = ActivityKind.STAFF_ACTION
    activity.status = "requests"
    await show_list(message, texts, config, db, person, mine=False)


@routes.callback_query(DeskCb.filter(F.action == DeskAction.LIST))
async def open_list(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    if (target := await _opened(query, person, activity)) is not None:
        await show_list(target, texts, config, db, person, mine=callback_data.other == 1)


@_staff(DeskAction.EXPERTS)
async def experts(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    if (target := await _opened(query, person, activity)) is not None:
        await show_experts(target, texts, config, db)


@_staff(DeskAction.EXPERT_DROP)
async def drop_expert(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    if (target := await _opened(query, person, activity)) is None:
        return
    activity.status = "expert removed"
    dropped = await directory.deactivate_expert(db, callback_data.other)
    await target.answer(texts("desk-expert-dropped" if dropped else "desk-expert-gone"))
    await show_experts(target, texts, config, db)


@_staff(DeskAction.EXPERT_ADD)
async def add_expert(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Добавить эксперта» starts the form; its «Пропустить» (other=1) skips a step that
    may be left empty."""
    if (target := await _opened(query, person, activity)) is None:
        return
    if await state.get_state() != DirectoryForm.expert.state:
        await state.set_state(DirectoryForm.expert)
        await state.set_data({"step": 0})
        await expert_form.ask(target, texts, config, 0)
        return
    index = int((await state.get_data()).get("step", 0))
    step = expert_form.EXPERT_STEPS[index]
    if callback_data.other == 1 and step in expert_form.SKIPPABLE:
        await state.update_data({step: expert_form.skipped(step)})
        await expert_form.next_step(target, texts, config, db, state, activity)
    else:
        await expert_form.ask(target, texts, config, index)


@_staff(DeskAction.FAQ)
async def faq(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The topics; with other = a topic's number, that topic's questions."""
    if (target := await _opened(query, person, activity)) is None:
        return
    number = callback_data.other
    if number and offered(config, number - 1):
        await show_faq_topic(target, texts, config, db, number - 1)
    else:
        await show_topics(target, texts, config)


@_staff(DeskAction.FAQ_ADD)
async def add_faq(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    target = await _opened(query, person, activity)
    index = callback_data.other
    if target is None or not offered(config, index):
        return
    await state.set_state(DirectoryForm.faq_question)
    await state.set_data({"topic": index})
    await target.answer(texts("desk-faq-ask-question"), reply_markup=inline(texts))


@_staff(DeskAction.FAQ_DROP)
async def drop_faq(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    if (target := await _opened(query, person, activity)) is None:
        return
    dropped = await directory.drop_faq(db, callback_data.other)
    if dropped is None:
        return
    activity.status = "faq removed"
    ids = [t.id for t in config.consultations.topics]
    if dropped.topic in ids:
        await show_faq_topic(target, texts, config, db, ids.index(dropped.topic))


@_staff(DeskAction.REGISTER)
async def register(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The register of this quarter so far, as XLSX."""
    if (target := await _opened(query, person, activity)) is None:
        return
    names = {t.id: t.name for t in config.consultations.topics}
    quarter = await quarter_so_far(db, config.library.zone, topic_names=names)
    start, until = quarter.start, quarter.until
    title = texts("desk-register-title", start=f"{start:%d.%m.%Y}", end=f"{until:%d.%m.%Y}")
    activity.status = "register exported"
    await target.answer_document(
        BufferedInputFile(
            register_xlsx(quarter.register, title),
            filename=f"requests-{start:%Y}-Q{quarter.quarter}.xlsx",
        ),
        caption=texts("desk-register-caption", count=len(quarter.register.rows)),
    )


@routes.callback_query(DeskCb.filter(F.action.in_(STAFF_ACTIONS)))
async def staff_only(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """An expert pressing a staff button (an old message, a forged one)."""
    _noted(query, person, activity)
    activity.status = "denied"
    await query.answer(texts("staff-only"), show_alert=True)


@routes.message(DirectoryForm.expert, F.text)
async def expert_answer(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    step = expert_form.EXPERT_STEPS[int((await state.get_data()).get("step", 0))]
    text = " ".join((message.text or "").split())
    value = await expert_form.read_answer(step, text, config, texts, db)
    if isinstance(value, expert_form.Invalid):
        await message.answer(texts(value.key))
        return
    await state.update_data({step: value})
    await expert_form.next_step(message, texts, config, db, state, activity)


@routes.message(DirectoryForm.faq_question, F.text)
async def faq_question(message: Message, texts: Texts, state: FSMContext) -> None:
    text = " ".join((message.text or "").split())
    if not 3 <= len(text) <= 300:
        await message.answer(texts("desk-faq-bad"))
        return
    await state.update_data(question=text)
    await state.set_state(DirectoryForm.faq_answer)
    await message.answer(texts("desk-faq-ask-answer"), reply_markup=inline(texts))


@routes.message(DirectoryForm.faq_answer, F.text)
async def faq_answer(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    text = (message.text or "").strip()
    if not 3 <= len(text) <= 4000:
        await message.answer(texts("desk-faq-bad"))
        return
    data = await state.get_data()
    await state.clear()
    index = int(data.get("topic", 0))
    if not offered(config, index):
        return
    topic = config.consultations.topics[index]
    activity.kind = ActivityKind.STAFF_ACTION
    activity.status = "faq added"
    activity.content = topic.name
    question = str(data.get("question"))
    if await directory.add_faq(db, topic.id, question, text, author=person.display_name) is None:
        await message.answer(texts("desk-faq-full"))
    await show_faq_topic(message, texts, config, db, index)


@routes.message(DirectoryForm.expert)
@routes.message(DirectoryForm.faq_question)
@routes.message(DirectoryForm.faq_answer)
async def not_text(message: Message, texts: Texts) -> None:
    await message.answer(texts("desk-send-text"))
