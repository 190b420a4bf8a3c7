"""Working on a consultation request: the buttons of its card in the staff chat, in the
staff panel, and in the copy an expert gets — «Взять», «Передать эксперту», «Ответить»,
«Назначить встречу», «Закрыть», the thread, notes, the attachments.

Who may do what is decided in storage (`consultations.access`) for every press: staff
everything; an expert only on requests passed to them, and only the answering actions.
`MayWork` lets a press through with the request and who acts; a refused one falls through
to `refused`, which says why. Texts that staff type (an answer, a note, meeting times, a
result) are asked for in their private chat with the bot, whichever chat the button was
pressed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot, F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import (
    send_answer,
    send_closed,
    send_slots,
    tell_expert,
    tell_workers,
)
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import inline
from broadcasts.views.request_view import thread_text, topic_name
from handlers.consultation import log_step
from handlers.desk_cards import (
    after_press,
    card_markup,
    refresh_card,
    refusal_text,
    send_files,
    show_card,
    target_of,
)
from handlers.desk_checks import WORK, MayWork, WorkingOn, verdict_on
from handlers.desk_forms import (
    ASKS,
    FORMS,
    DeskForm,
    ask_privately,
    cancel_row,
    done_typed,
    expert_choice,
    outcome_choice,
    private_state,
    refused_typed,
    typed_text,
)
from handlers.filters import HasAnyRole
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.consultations import access, appointments, directory, entries, transitions
from storage.consultations.models import RequestStatus
from storage.consultations.requests import Actor, RequestView
from storage.consultations.transitions import Changed, Refusal, Refused
from storage.db import Database
from storage.models import Role
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)
routes.filter("message", HasAnyRole(Role.STAFF, Role.EXPERT))
routes.filter("callback_query", HasAnyRole(Role.STAFF, Role.EXPERT))


def _card(*actions: DeskAction) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A handler of card buttons the presser may press (`MayWork`)."""
    return routes.callback_query(DeskCb.filter(F.action.in_(actions)), MayWork())


@_card(DeskAction.SHOW)
async def show(
    query: CallbackQuery, texts: Texts, config: Config, request: RequestView, actor: Actor
) -> None:
    await query.answer()
    if (target := target_of(query)) is not None:
        await show_card(target, texts, config, request, actor.role)


@_card(DeskAction.TAKE)
async def take(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    outcome = await transitions.take(db, request.id, actor)
    await after_press(query, texts, config, outcome, actor, activity, "desk-took")


@_card(DeskAction.GIVE_BACK)
async def give_back(
    query: CallbackQuery,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    outcome = await transitions.return_to_staff(db, request.id, actor, "")
    if isinstance(outcome, Changed):
        await tell_workers(
            db, locales, config, outcome.request, lead="desk-given-back", stamp=str(query.id)
        )
    await after_press(query, texts, config, outcome, actor, activity, "desk-gave-back")


@_card(DeskAction.FORWARD)
async def choose_expert(
    query: CallbackQuery, bot: Bot, texts: Texts, config: Config, db: Database, request: RequestView
) -> None:
    experts = await directory.experts(db, topic=request.topic)
    await query.answer()
    if not experts:
        await ask_privately(query, bot, texts, texts("desk-no-experts"), inline(texts))
        return
    topic = topic_name(texts, config, request.topic)
    text = texts("desk-choose-expert", number=request.id, topic=topic)
    await ask_privately(query, bot, texts, text, expert_choice(texts, request, experts))


@_card(DeskAction.TO_EXPERT)
async def pass_on(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    outcome = await transitions.forward(db, request.id, actor, callback_data.other)
    if isinstance(outcome, Refused):
        activity.status = f"refused: {outcome.reason}"
        await query.answer(refusal_text(texts, outcome), show_alert=True)
        return
    passed = outcome.request
    expert = await directory.get_expert(db, passed.expert_id or 0)
    told = await tell_expert(db, locales, config, passed)
    await query.answer(texts.plain("desk-forwarded-short", name=passed.expert_name or "—"))
    if (target := target_of(query)) is not None and expert is not None:
        key = "desk-forwarded-bot" if told else "desk-forwarded-contact"
        await target.answer(
            texts(key, number=passed.id, name=expert.name, contact=expert.contact or "none"),
            reply_markup=card_markup(texts, passed, actor.role),
        )
    log_step(activity, config, passed, actor, "forwarded")
    activity.notes = passed.expert_name


@_card(DeskAction.CLOSE)
async def ask_outcome(query: CallbackQuery, bot: Bot, texts: Texts, request: RequestView) -> None:
    await query.answer()
    text = texts("desk-close-how", number=request.id)
    await ask_privately(query, bot, texts, text, outcome_choice(texts, request))


@_card(*ASKS)
async def ask_text(
    query: CallbackQuery,
    callback_data: DeskCb,
    bot: Bot,
    texts: Texts,
    fsm_storage: BaseStorage,
    request: RequestView,
) -> None:
    """«Ответить», «Заметка», «Назначить встречу», and the result of «Закрыть»: one way of
    asking, each with its form and prompt."""
    ask = ASKS[callback_data.action]
    await query.answer()
    cancel = InlineKeyboardMarkup(inline_keyboard=[cancel_row(texts)])
    if await ask_privately(query, bot, texts, texts(ask.prompt, number=request.id), cancel):
        state = private_state(fsm_storage, bot, query.from_user.id)
        await state.set_state(ask.form)
        data: dict[str, Any] = {"request_id": request.id}
        if ask.outcome is not None:
            data["outcome"] = ask.outcome.value
        await state.set_data(data)


@_card(DeskAction.THREAD)
async def thread(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    request: RequestView,
    actor: Actor,
) -> None:
    await query.answer()
    history = await entries.entries(db, request.id, for_requester=False)
    if (target := target_of(query)) is not None:
        await target.answer(
            texts("desk-thread-title", number=request.id)
            + "\n"
            + thread_text(texts, config, history, for_requester=False),
            reply_markup=card_markup(texts, request, actor.role),
        )


@_card(DeskAction.FILES)
async def files(
    query: CallbackQuery, texts: Texts, db: Database, person: PersonView, request: RequestView
) -> None:
    await query.answer()
    if (target := target_of(query)) is not None:
        found = await entries.attachments(db, request.id)
        await send_files(target, texts, request, found, person.platform)


# Why a press was not let through, for what `access` tells nobody more about.
DENIALS = {
    Refusal.GONE: ("not found", "desk-not-found"),
    Refusal.NOT_YOURS: ("denied", "desk-not-yours"),
}


@routes.callback_query(DeskCb.filter(F.action.in_(WORK)))
async def refused(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """A press `MayWork` did not let through: a request gone, not the presser's to work on,
    or closed for this step."""
    verdict = await verdict_on(query, callback_data, db, person)
    if isinstance(verdict, access.Closed):
        log_step(activity, config, verdict.request, verdict.actor, callback_data.action.value)
        await query.answer(texts("desk-already-closed"), show_alert=True)
        await refresh_card(target_of(query), texts, config, verdict.request, verdict.actor.role)
    elif isinstance(verdict, access.Denied):
        activity.status, key = DENIALS[verdict.reason]
        await query.answer(texts(key), show_alert=True)
    else:  # allowed again in between: the card the presser sees is out of date
        await query.answer(texts("desk-not-now"), show_alert=True)


@routes.callback_query(DeskCb.filter(F.action == DeskAction.CANCEL))
async def cancel(
    query: CallbackQuery, texts: Texts, bot: Bot, fsm_storage: BaseStorage, activity: ActivityNote
) -> None:
    await private_state(fsm_storage, bot, query.from_user.id).clear()
    activity.status = "desk form cancelled"
    await query.answer()
    if (target := target_of(query)) is not None:
        await target.answer(texts("desk-cancelled"), reply_markup=inline(texts))


@routes.message(DeskForm.reply, F.text, WorkingOn())
async def answer_typed(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    state: FSMContext,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    if (text := await typed_text(message, texts)) is None:
        return
    await state.clear()
    outcome = await transitions.answer(db, request.id, actor, text)
    if isinstance(outcome, Refused):
        await refused_typed(message, texts, outcome, activity)
        return
    stamp = str(message.message_id)
    delivered = await send_answer(db, locales, config, outcome.request, text, stamp=stamp)
    log_step(activity, config, outcome.request, actor, "answer", notes=text)
    key = "desk-answer-sent" if delivered else "desk-answer-kept"
    await done_typed(message, texts, config, outcome.request, actor, key)


@routes.message(DeskForm.note, F.text, WorkingOn())
async def note_typed(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    state: FSMContext,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    if (text := await typed_text(message, texts)) is None:
        return
    await state.clear()
    outcome = await transitions.note(db, request.id, actor, text)
    if isinstance(outcome, Refused):
        await refused_typed(message, texts, outcome, activity)
        return
    log_step(activity, config, outcome.request, actor, "note")
    await done_typed(message, texts, config, outcome.request, actor, "desk-note-saved")


@routes.message(DeskForm.meet, F.text, WorkingOn())
async def meet_typed(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    state: FSMContext,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    """Lines like «25.11 15:00, Центральная библиотека, каб. 5»: a time, then the place."""
    if (text := await typed_text(message, texts)) is None:
        return
    times = appointments.read_times(text, config.library.zone, utcnow())
    if isinstance(times, appointments.Unreadable):
        await message.answer(texts("desk-meet-bad", line=times.line))
        return
    await state.clear()
    offered = await appointments.offer(db, request.id, actor, times)
    if offered is None:
        await message.answer(texts("desk-already-closed"), reply_markup=inline(texts))
        return
    await send_slots(db, locales, config, request, stamp=str(offered[0].id))
    log_step(activity, config, request, actor, "meeting offered")
    await done_typed(message, texts, config, request, actor, "desk-meet-sent")


@routes.message(DeskForm.result, F.text, WorkingOn())
async def result_typed(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    state: FSMContext,
    request: RequestView,
    actor: Actor,
    activity: ActivityNote,
) -> None:
    """The result of «Закрыть» for the register; «-» for none."""
    if (text := await typed_text(message, texts)) is None:
        return
    status = RequestStatus((await state.get_data()).get("outcome", RequestStatus.RESOLVED))
    result = None if text in ("-", "—") else text
    await state.clear()
    outcome = await transitions.close(db, request.id, actor, status, result)
    if isinstance(outcome, Refused):
        await refused_typed(message, texts, outcome, activity)
        return
    await send_closed(db, locales, config, outcome.request)
    log_step(activity, config, outcome.request, actor, "closed", notes=result)
    await done_typed(message, texts, config, outcome.request, actor, "desk-closed")


@routes.message(F.text, StateFilter(*FORMS))
async def not_yours(
    message: Message, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    """Typed about a request the writer no longer works on (passed to someone else, gone)."""
    await state.clear()
    activity.status = "denied"
    await message.answer(texts("desk-not-yours"), reply_markup=inline(texts))


@routes.message(StateFilter(*FORMS))
async def not_text(message: Message, texts: Texts) -> None:
    await message.answer(texts("desk-send-text"))
