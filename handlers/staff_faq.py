"""«Для сотрудников» → «❓ Частые вопросы»: the library FAQ the bot answers typed questions
from — the list page by page, an entry's card, adding one step by step (the question, other
ways readers put it, the answer), changing a part of one, removing one.

Adding and changing are forms of the form engine (handlers/forms.py): adding has three
steps, a change is one step with what is there now shown in its question. What an entry may
be (lengths, how many, one entry per question) is storage's (`storage.faq.entries`); here
it is only told. Every message and press is checked for the staff role on the server; a
reader's press of a forged button falls through to `denied` («только для сотрудников»).
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import FaqAction, FaqCb, StaffAction, StaffCb
from broadcasts.views.keyboards import button, inline
from handlers import forms
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import AtStep, Filling, Form, Invalid, Pressed, Shown, Step
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import LIMITS, FaqItem, FaqRefused, Problem
from storage.models import Role
from storage.people import PersonView

PAGE = 8  # questions a page of the list
EDITS = {
    FaqAction.EDIT_QUESTION: "question",
    FaqAction.EDIT_PHRASINGS: "phrasings",
    FaqAction.EDIT_ANSWER: "answer",
}
# The phrasings step answered with none: «Пропустить» when adding, «Убрать все формулировки»
# when changing. The phrasings action of no entry (FaqAction has no «skip» of its own).
NO_PHRASINGS = FaqCb(action=FaqAction.EDIT_PHRASINGS, id=0).pack()
CANCEL = FaqCb(action=FaqAction.CANCEL).pack()

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


class FaqForm(StatesGroup):
    adding = State()
    editing = State()


# --- the steps --------------------------------------------------------------------------


def _invalid(problem: Problem) -> Invalid:
    return Invalid(f"faq-bad-{problem.value}", {"limit": LIMITS.get(problem, 0)})


def _question(text: str) -> str | Invalid:
    checked = entries.check_question(text)
    return _invalid(checked) if isinstance(checked, Problem) else checked


def _phrasings(text: str) -> str | Invalid:
    checked = entries.check_phrasings(text)
    return _invalid(checked) if isinstance(checked, Problem) else "\n".join(checked)


def _answer(text: str) -> str | Invalid:
    checked = entries.check_answer(text)
    return _invalid(checked) if isinstance(checked, Problem) else checked


CHECKS = {"question": _question, "phrasings": _phrasings, "answer": _answer}
# No step offers a remembered answer; the phrasings may be skipped.
ADD_STEPS = (
    Step("question", "faq-ask-question", _question),
    Step("phrasings", "faq-ask-phrasings", _phrasings, optional=True),
    Step("answer", "faq-ask-answer", _answer),
)


def _phrasings_text(texts: Texts, item: FaqItem) -> str:
    return "\n".join(item.phrasings) if item.phrasings else texts("faq-card-no-phrasings")


def edit_step(texts: Texts, item: FaqItem, part: str) -> Step:
    """The one step of a change: what the part says now, and the new text asked for."""
    current: str = {
        "question": item.question,
        "phrasings": _phrasings_text(texts, item),
        "answer": item.answer,
    }[part]
    prompt = f"faq-edit-{part}-prompt"
    return Step(part, prompt, CHECKS[part], args={"current": current}, optional=part == "phrasings")


async def _new(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[FaqItem | None, tuple[Step, ...]]:
    return None, ADD_STEPS


async def _entry(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[FaqItem | None, tuple[Step, ...]] | None:
    item = await entries.get(db, int(data.get("entry", 0)))
    part = str(data.get("part"))
    if item is None or part not in CHECKS:
        return None
    return item, (edit_step(texts, item, part),)


def _form(state: State, load: Any, skip: str) -> Form[FaqItem | None]:
    return Form(
        state=state,
        load=load,
        same="faq-skip",  # no step offers a remembered answer: never shown
        same_data="",
        abort="faq-cancel",
        abort_data=CANCEL,
        aborted="faq-cancelled",
        send_text="faq-send-text",
        skip=skip,
        skip_data=NO_PHRASINGS,
    )


ADDING = _form(FaqForm.adding, _new, "faq-skip")
EDITING = _form(FaqForm.editing, _entry, "faq-clear-phrasings")


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


async def _gone(target: Message, texts: Texts, db: Database, page: int = 0) -> None:
    await target.answer(texts("faq-gone"))
    await show_list(target, texts, db, page)


def _author(person: PersonView) -> str:
    return person.display_name or person.messenger_id


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
        await _gone(target, texts, db, callback_data.page)
        return
    await show_card(target, texts, item, callback_data.page)


@routes.callback_query(FaqCb.filter(F.action == FaqAction.ADD), Shown())
async def add(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«➕ Добавить»: the three steps begin (unless the list is full)."""
    staff_at_work(activity, person)
    activity.status = "faq add started"
    await query.answer()
    count, _ = await entries.stamp(db)
    if count >= entries.ENTRIES_LIMIT:
        await target.answer(texts("faq-bad-full", limit=entries.ENTRIES_LIMIT))
        await show_list(target, texts, db)
        return
    await forms.begin(target, texts, db, person, state, ADDING, ADD_STEPS)


@routes.callback_query(F.data == NO_PHRASINGS, Shown(), AtStep(ADDING), Pressed())
@routes.callback_query(F.data == NO_PHRASINGS, Shown(), AtStep(EDITING), Pressed())
async def no_phrasings(
    query: CallbackQuery,
    target: Message,
    filling: Filling[FaqItem | None],
    value: str | None,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Пропустить» (adding) or «Убрать все формулировки» (changing) at the phrasings step."""
    staff_at_work(activity, person)
    await query.answer()
    answers = await forms.advance(target, texts, db, person, state, filling, value)
    if answers is not None:
        await finish(target, texts, db, person, filling, answers, activity)


@routes.callback_query(FaqCb.filter(F.action.in_(EDITS) & (F.id > 0)), Shown())
async def edit(
    query: CallbackQuery,
    callback_data: FaqCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Изменить вопрос / формулировки / ответ»: one step, with the part as it is now."""
    staff_at_work(activity, person)
    activity.status = "faq edit started"
    await query.answer()
    item = await entries.get(db, callback_data.id)
    if item is None:
        await _gone(target, texts, db, callback_data.page)
        return
    part = EDITS[callback_data.action]
    steps = (edit_step(texts, item, part),)
    await forms.begin(
        target,
        texts,
        db,
        person,
        state,
        EDITING,
        steps,
        entry=item.id,
        part=part,
        page=callback_data.page,
    )


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
        await _gone(target, texts, db, callback_data.page)
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
        await _gone(target, texts, db, callback_data.page)
        return
    activity.status = "faq removed"
    await target.answer(texts("faq-dropped"))
    await show_list(target, texts, db, callback_data.page)


@routes.callback_query(FaqCb.filter(F.action == FaqAction.CANCEL), Shown())
async def cancelled(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Отмена» under a step: nothing kept; back to the card being changed, or the list."""
    staff_at_work(activity, person)
    await query.answer()
    data = await state.get_data() if await state.get_state() == FaqForm.editing.state else {}
    await state.clear()
    await target.answer(texts("faq-cancelled"))
    item = await entries.get(db, int(data.get("entry", 0))) if data else None
    if item is not None:
        await show_card(target, texts, item, int(data.get("page", 0)))
    else:
        await show_list(target, texts, db, int(data.get("page", 0)))


@routes.callback_query(FaqCb.filter())
async def stale(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """A button of a step the form has passed, or of a message too old to answer under."""
    activity.status = "faq stale button"
    await query.answer(texts("faq-stale"), show_alert=True)


# --- the typed answers ------------------------------------------------------------------


@routes.message(F.text, AtStep(ADDING))
@routes.message(F.text, AtStep(EDITING))
async def typed(
    message: Message,
    filling: Filling[FaqItem | None],
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    activity.status = f"faq form: {filling.step.key}"
    text = message.text or ""
    if filling.step.key == "question":
        question = entries.check_question(text)
        own = filling.subject.id if filling.subject is not None else None
        if isinstance(question, str) and await entries.taken(db, question, but=own):
            await forms.refuse(message, texts, db, person, filling, _invalid(Problem.TAKEN))
            return
    taken = await forms.take(message, texts, db, person, state, filling, text)
    if isinstance(taken, dict):
        await finish(message, texts, db, person, filling, taken, activity)


@routes.message(AtStep(ADDING))
@routes.message(AtStep(EDITING))
async def not_text(
    message: Message,
    filling: Filling[FaqItem | None],
    texts: Texts,
    db: Database,
    person: PersonView,
) -> None:
    """A sticker or a photo at a step: text is asked for, the step's buttons at hand."""
    await forms.want_text(message, texts, db, person, filling)


@routes.message(FaqForm.editing)
async def entry_gone(
    message: Message, texts: Texts, db: Database, state: FSMContext, activity: ActivityNote
) -> None:
    """The entry being changed was removed meanwhile (by someone else, by an import)."""
    activity.status = "faq gone"
    page = int((await state.get_data()).get("page", 0))
    await state.clear()
    await _gone(message, texts, db, page)


# --- the end of a form ------------------------------------------------------------------


async def finish(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    filling: Filling[FaqItem | None],
    answers: forms.Answers,
    activity: ActivityNote,
) -> None:
    """The last step answered: the entry added or changed, and its card shown."""
    phrasings = (answers.get("phrasings") or "").split("\n")
    try:
        if filling.subject is None:
            item: FaqItem | None = await entries.add(
                db,
                answers.get("question") or "",
                answers.get("answer") or "",
                phrasings,
                author=_author(person),
            )
            done = "faq-added"
        else:
            part = filling.step.key
            change: dict[str, Any] = {part: phrasings if part == "phrasings" else answers[part]}
            item = await entries.update(db, filling.subject.id, **change, author=_author(person))
            done = "faq-saved"
    except FaqRefused as refused:
        activity.status = f"faq refused: {refused.problem.value}"
        await target.answer(texts(f"faq-bad-{refused.problem.value}", limit=refused.limit))
        await show_list(target, texts, db)
        return
    page = int(filling.data.get("page", 0))
    if item is None:
        await _gone(target, texts, db, page)
        return
    activity.status = "faq added" if filling.subject is None else f"faq {filling.step.key} changed"
    activity.content = item.question
    await target.answer(texts(done))
    await show_card(target, texts, item, page)
