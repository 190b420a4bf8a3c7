"""Adding an entry to the library FAQ and changing a part of one («❓ Частые вопросы», see
`staff_faq`), on the form engine (handlers/forms.py): adding has three steps — the question,
other ways readers put it (may be skipped), the answer — and a change is one step, with
what the part says now shown in its question. What an entry may be (lengths, how many, one
entry per question) is storage's (`storage.faq.entries`); here it is only told, and the
question is checked against the others as soon as it is typed.

The stale-button answer of the whole screen is here, declared last.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import FaqAction, FaqCb
from handlers import forms
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import AtStep, Filling, Form, Invalid, Pressed, Shown, Step
from handlers.routes import Routes
from handlers.staff_faq import gone, show_card, show_list
from storage.activity import ActivityNote
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import LIMITS, FaqItem, FaqRefused, Problem
from storage.models import Role
from storage.people import PersonView

EDITS = {
    FaqAction.EDIT_QUESTION: "question",
    FaqAction.EDIT_PHRASINGS: "phrasings",
    FaqAction.EDIT_ANSWER: "answer",
}
# The phrasings step answered with none: «Пропустить» when adding, «Убрать все формулировки»
# when changing. The phrasings action of no entry (FaqAction has no «skip» of its own).
NO_PHRASINGS = FaqCb(action=FaqAction.SKIP).pack()
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


def _author(person: PersonView) -> str:
    return person.display_name or person.messenger_id


# --- the presses ------------------------------------------------------------------------


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
        await gone(target, texts, db, callback_data.page)
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
    await gone(message, texts, db, page)


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
        await gone(target, texts, db, page)
        return
    activity.status = "faq added" if filling.subject is None else f"faq {filling.step.key} changed"
    activity.content = item.question
    await target.answer(texts(done))
    await show_card(target, texts, item, page)
