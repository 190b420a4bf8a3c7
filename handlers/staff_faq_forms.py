"""Adding an entry to the library FAQ and changing a part of one («❓ Частые вопросы», see
`staff_faq`), on the form engine (handlers/forms.py); the forms themselves are data in
`staff_faq_steps`: adding has three steps — the question, other ways readers put it (may be
skipped), the answer — and a change is one step, with what the part says now shown in its
question. What an entry may be (lengths, how many, one entry per question) is storage's
(`storage.faq.entries`); here it is only told, and the question is checked against the
others as soon as it is typed.

An entry suggested by a reader's question to a librarian («➕ В частые вопросы», begun in
the staff member's private chat by `handlers.librarian_faq`) is added with the same steps,
the reader's question and the answer offered as «✔️ Оставить как есть». It is saved only at
the end; it goes with the reader's /forget while its question is the reader's own words,
and the request's thread notes that it was added.

The stale-button answer of the whole screen is here, declared last.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import STAFF_LANGUAGE
from broadcasts.views.callbacks import FaqAction, FaqCb
from broadcasts.views.keyboards import inline
from handlers import forms
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import AtStep, Filling, Pressed, Shown
from handlers.routes import Routes
from handlers.staff_faq import gone, show_card, show_list
from handlers.staff_faq_steps import (
    ADD_STEPS,
    ADDING,
    EDITING,
    EDITS,
    KEEP,
    NO_PHRASINGS,
    SUGGESTED,
    FaqForm,
    edit_step,
    invalid,
    offered,
)
from storage.activity import ActivityNote
from storage.consultations import transitions
from storage.consultations.models import Author
from storage.consultations.requests import Actor, RequestView
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import FaqItem, FaqRefused, Problem
from storage.models import Role
from storage.people import PersonView

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


def _author(person: PersonView, name: str = "") -> str:
    """Who changed an entry: the name the bot knows, the messenger's, or the messenger id."""
    return person.display_name or name or person.messenger_id


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
@routes.callback_query(F.data == NO_PHRASINGS, Shown(), AtStep(SUGGESTED), Pressed())
async def no_phrasings(
    query: CallbackQuery,
    target: Message,
    filling: Filling[Any],
    value: str | None,
    texts: Texts,
    locales: Locales,
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
        name = query.from_user.full_name
        await finish(target, texts, locales, db, person, filling, answers, activity, name)


@routes.callback_query(F.data == KEEP, Shown(), AtStep(SUGGESTED))
async def keep(
    query: CallbackQuery,
    target: Message,
    filling: Filling[RequestView],
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«✔️ Оставить как есть»: the reader's question, or the answer they got, as offered."""
    staff_at_work(activity, person)
    value = offered(filling.subject, filling.step)
    if value is None:  # a button of a step the form has passed
        await query.answer(texts("faq-stale"), show_alert=True)
        return
    await query.answer()
    name = query.from_user.full_name
    await _typed(target, filling, value, texts, locales, db, person, state, activity, name)


@routes.callback_query(F.data == KEEP, FaqForm.suggested)
async def keep_gone(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    """«✔️ Оставить как есть» after the reader erased their data (/forget): nothing of
    theirs is offered any more, and the form is over."""
    activity.status = "faq suggestion gone"
    await state.clear()
    await query.answer(texts("lib-faq-reader-gone"), show_alert=True)


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
@routes.message(F.text, AtStep(SUGGESTED))
async def typed(
    message: Message,
    filling: Filling[Any],
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    name = message.from_user.full_name if message.from_user else ""
    text = message.text or ""
    await _typed(message, filling, text, texts, locales, db, person, state, activity, name)


async def _typed(
    target: Message,
    filling: Filling[Any],
    text: str,
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    name: str,
) -> None:
    """An answer to the step the form is at (typed, or offered and pressed)."""
    activity.status = f"faq form: {filling.step.key}"
    if filling.form is SUGGESTED:  # about the reader: goes with their /forget
        activity.about_person_id = filling.subject.person_id
    if filling.step.key == "question":
        question = entries.check_question(text)
        own = filling.subject.id if isinstance(filling.subject, FaqItem) else None
        if isinstance(question, str) and await entries.taken(db, question, but=own):
            await forms.refuse(target, texts, db, person, filling, invalid(Problem.TAKEN))
            return
    taken = await forms.take(target, texts, db, person, state, filling, text)
    if isinstance(taken, dict):
        await finish(target, texts, locales, db, person, filling, taken, activity, name)


@routes.message(AtStep(ADDING))
@routes.message(AtStep(EDITING))
@routes.message(AtStep(SUGGESTED))
async def not_text(
    message: Message,
    filling: Filling[Any],
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


@routes.message(FaqForm.suggested)
async def reader_gone(
    message: Message, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    """The reader whose question was being added erased their data meanwhile (/forget)."""
    activity.status = "faq suggestion gone"
    await state.clear()
    await message.answer(texts("lib-faq-reader-gone"), reply_markup=inline(texts))


# --- the end of a form ------------------------------------------------------------------


async def finish(
    target: Message,
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    filling: Filling[Any],
    answers: forms.Answers,
    activity: ActivityNote,
    name: str = "",
) -> None:
    """The last step answered: the entry added or changed, and its card shown."""
    phrasings = (answers.get("phrasings") or "").split("\n")
    suggested: RequestView | None = filling.subject if filling.form is SUGGESTED else None
    try:
        if filling.subject is None or suggested is not None:
            item: FaqItem | None = await entries.add(
                db,
                answers.get("question") or "",
                answers.get("answer") or "",
                phrasings,
                author=_author(person, name),
                source_person_id=_source(suggested, answers.get("question") or ""),
            )
            done = "faq-added"
        else:
            part = filling.step.key
            change: dict[str, Any] = {part: phrasings if part == "phrasings" else answers[part]}
            author = _author(person, name)
            item = await entries.update(db, filling.subject.id, **change, author=author)
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
    activity.content = item.question
    if suggested is not None:
        await _noted(locales, db, person, suggested, name)
        activity.status = "faq added from a question"
        # The step is staff's; the question may be the reader's words, which go with them.
        activity.about_person_id = suggested.person_id
        activity.content, activity.notes = f"№{suggested.id}", item.question
    elif filling.subject is None:
        activity.status = "faq added"
    else:
        activity.status = f"faq {filling.step.key} changed"
    await target.answer(texts(done))
    await show_card(target, texts, item, page)


def _source(request: RequestView | None, question: str) -> int | None:
    """The reader an entry goes with at their /forget: the one whose question it is, while
    it is still in their words (rewritten by staff, it is staff's)."""
    if request is None:
        return None
    own = entries.question_key(request.question) == entries.question_key(question)
    return request.person_id if own else None


async def _noted(
    locales: Locales, db: Database, person: PersonView, request: RequestView, name: str
) -> None:
    """The request's thread notes that it went to the FAQ (a second press is told so)."""
    marker = locales.texts(STAFF_LANGUAGE)("lib-faq-note")
    actor = Actor(person.id, _author(person, name), Author.STAFF)
    await transitions.note(db, request.id, actor, marker)
