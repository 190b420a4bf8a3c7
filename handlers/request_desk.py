"""Working on a consultation request: the buttons of its card in the staff chat, in the
staff panel, and in the copy an expert gets — «Взять», «Передать эксперту», «Ответить»,
«Назначить встречу», «Закрыть», the thread, notes, the attachments.

Who may do what is decided here, on the server, for every press: staff everything; an
expert only on requests assigned to them, and only the answering actions. Texts that
staff type (an answer, a note, meeting times, a result) are asked for in their private
chat with the bot, whichever chat the button was pressed in.
"""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
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
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import desk_card, desk_rows, thread_text, topic_name
from handlers.consultation import log_step
from handlers.filters import HasAnyRole
from storage.activity import ActivityNote
from storage.consultations import appointments, directory
from storage.consultations import requests as desk
from storage.consultations.models import Author, RequestStatus
from storage.consultations.requests import Actor, Changed, Outcome, Refused, RequestView
from storage.db import Database
from storage.events.importing import parse_when
from storage.models import Role
from storage.people import PersonView
from storage.types import utcnow

log = logging.getLogger(__name__)

CARD_ACTIONS = {
    DeskAction.SHOW,
    DeskAction.TAKE,
    DeskAction.FORWARD,
    DeskAction.TO_EXPERT,
    DeskAction.REPLY,
    DeskAction.NOTE,
    DeskAction.MEET,
    DeskAction.CLOSE,
    DeskAction.RESOLVED,
    DeskAction.REJECTED,
    DeskAction.THREAD,
    DeskAction.FILES,
    DeskAction.GIVE_BACK,
}
EXPERT_ACTIONS = CARD_ACTIONS - {DeskAction.TAKE, DeskAction.FORWARD, DeskAction.TO_EXPERT}
# Actions that need the request still open.
OPEN_ONLY = {
    DeskAction.TAKE,
    DeskAction.FORWARD,
    DeskAction.TO_EXPERT,
    DeskAction.REPLY,
    DeskAction.MEET,
    DeskAction.CLOSE,
    DeskAction.RESOLVED,
    DeskAction.REJECTED,
    DeskAction.GIVE_BACK,
}
TEXT_LIMIT = 4000


class DeskForm(StatesGroup):
    reply = State()
    note = State()
    meet = State()
    result = State()


def actor_name(person: PersonView, fallback: str | None) -> str:
    return person.display_name or fallback or person.messenger_id


async def make_actor(db: Database, person: PersonView, role: Author, fallback: str | None) -> Actor:
    """Experts act under their directory name (the register's «исполнитель»)."""
    if role is Author.EXPERT:
        entry = await directory.expert_of(db, person.id)
        if entry is not None:
            return Actor(person.id, entry.name, role)
    return Actor(person.id, actor_name(person, fallback), role)


def access(person: PersonView, request: RequestView) -> Author | None:
    """STAFF for staff, EXPERT for the expert the request is assigned to, else None."""
    if person.has(Role.STAFF):
        return Author.STAFF
    if person.has(Role.EXPERT) and request.expert_person_id == person.id:
        return Author.EXPERT
    return None


def private_state(storage: BaseStorage, bot: Bot, user_id: int) -> FSMContext:
    """The FSM of the person's private chat with the bot, wherever they pressed."""
    return FSMContext(
        storage=storage, key=StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id)
    )


async def to_private(
    bot: Bot, user_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    try:
        await bot.send_message(user_id, text, reply_markup=markup)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.info("could not write to %s privately: %s", user_id, exc)
        return False
    return True


def card_markup(texts: Texts, request: RequestView, role: Author) -> InlineKeyboardMarkup:
    return inline(texts, *desk_rows(texts, request, expert=role is Author.EXPERT))


async def refresh_card(
    target: Message | None, texts: Texts, config: Config, request: RequestView, role: Author
) -> None:
    """The pressed card shows the new state (in the staff chat everyone sees it)."""
    if target is None:
        return
    # Not modified, or too old to edit: the next card shown is fresh anyway.
    with contextlib.suppress(TelegramBadRequest):
        await target.edit_text(
            desk_card(texts, config, request), reply_markup=card_markup(texts, request, role)
        )


def refusal_text(texts: Texts, refused: Refused) -> str:
    if refused.reason == "taken" and refused.request is not None:
        return texts("desk-taken-by", name=refused.request.responsible_name or "—")
    if refused.reason == "closed":
        return texts("desk-already-closed")
    if refused.reason == "no_expert":
        return texts("desk-expert-gone")
    if refused.reason == "gone":
        return texts("desk-not-found")
    return texts("desk-not-now")


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasAnyRole(Role.STAFF, Role.EXPERT))
    router.callback_query.filter(HasAnyRole(Role.STAFF, Role.EXPERT))

    @router.callback_query(DeskCb.filter(F.action.in_(CARD_ACTIONS)))
    async def pressed(
        query: CallbackQuery,
        callback_data: DeskCb,
        bot: Bot,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        fsm_storage: BaseStorage,
        activity: ActivityNote,
    ) -> None:
        target = query.message if isinstance(query.message, Message) else None
        action = callback_data.action
        request = await desk.get(db, callback_data.id)
        if request is None:
            activity.status = "not found"
            await query.answer(texts("desk-not-found"), show_alert=True)
            return
        role = access(person, request)
        if role is None or (role is Author.EXPERT and action not in EXPERT_ACTIONS):
            activity.status = "denied"
            await query.answer(texts("desk-not-yours"), show_alert=True)
            return
        actor = await make_actor(db, person, role, query.from_user.full_name)
        log_step(activity, config, request, actor, action.value)
        if action in OPEN_ONLY and not request.is_open:
            await query.answer(texts("desk-already-closed"), show_alert=True)
            await refresh_card(target, texts, config, request, role)
            return
        user_id = query.from_user.id
        if action is DeskAction.SHOW:
            await query.answer()
            if target is not None:
                await target.answer(
                    desk_card(texts, config, request),
                    reply_markup=card_markup(texts, request, role),
                )
        elif action is DeskAction.TAKE:
            outcome = await desk.take(db, request.id, actor)
            await _after(query, target, texts, config, outcome, role, activity, actor, "desk-took")
        elif action is DeskAction.GIVE_BACK:
            outcome = await desk.return_to_staff(db, request.id, actor, "")
            if isinstance(outcome, Changed):
                await tell_workers(
                    db,
                    locales,
                    config,
                    outcome.request,
                    lead="desk-given-back",
                    stamp=str(query.id),
                )
            await _after(
                query, target, texts, config, outcome, role, activity, actor, "desk-gave-back"
            )
        elif action is DeskAction.FORWARD:
            await _choose_expert(query, bot, texts, config, db, request)
        elif action is DeskAction.TO_EXPERT:
            outcome = await desk.forward(db, request.id, actor, callback_data.other)
            if isinstance(outcome, Changed):
                await _forwarded(query, target, texts, locales, config, db, outcome.request)
                log_step(activity, config, outcome.request, actor, "forwarded")
                activity.notes = outcome.request.expert_name
            else:
                activity.status = f"refused: {outcome.reason}"
                await query.answer(refusal_text(texts, outcome), show_alert=True)
        elif action is DeskAction.CLOSE:
            await query.answer()
            rows = [
                [
                    button(
                        texts("desk-close-resolved"),
                        DeskCb(action=DeskAction.RESOLVED, id=request.id).pack(),
                    ),
                    button(
                        texts("desk-close-rejected"),
                        DeskCb(action=DeskAction.REJECTED, id=request.id).pack(),
                    ),
                ],
                [button(texts("desk-cancel"), DeskCb(action=DeskAction.CANCEL).pack())],
            ]
            await _ask_privately(
                query,
                bot,
                texts,
                texts("desk-close-how", number=request.id),
                InlineKeyboardMarkup(inline_keyboard=rows),
            )
        elif action in (DeskAction.REPLY, DeskAction.NOTE, DeskAction.MEET):
            await query.answer()
            state = private_state(fsm_storage, bot, user_id)
            form = {
                DeskAction.REPLY: (DeskForm.reply, "desk-reply-prompt"),
                DeskAction.NOTE: (DeskForm.note, "desk-note-prompt"),
                DeskAction.MEET: (DeskForm.meet, "desk-meet-prompt"),
            }[action]
            cancel = InlineKeyboardMarkup(
                inline_keyboard=[
                    [button(texts("desk-cancel"), DeskCb(action=DeskAction.CANCEL).pack())]
                ]
            )
            if await _ask_privately(query, bot, texts, texts(form[1], number=request.id), cancel):
                await state.set_state(form[0])
                await state.set_data({"request_id": request.id})
        elif action in (DeskAction.RESOLVED, DeskAction.REJECTED):
            await query.answer()
            outcome_status = (
                RequestStatus.RESOLVED if action is DeskAction.RESOLVED else RequestStatus.REJECTED
            )
            state = private_state(fsm_storage, bot, user_id)
            skip = InlineKeyboardMarkup(
                inline_keyboard=[
                    [button(texts("desk-cancel"), DeskCb(action=DeskAction.CANCEL).pack())]
                ]
            )
            if await _ask_privately(
                query, bot, texts, texts("desk-result-prompt", number=request.id), skip
            ):
                await state.set_state(DeskForm.result)
                await state.set_data({"request_id": request.id, "outcome": outcome_status.value})
        elif action is DeskAction.THREAD:
            await query.answer()
            entries = await desk.entries(db, request.id, for_requester=False)
            if target is not None:
                await target.answer(
                    texts("desk-thread-title", number=request.id)
                    + "\n"
                    + thread_text(texts, config, entries, for_requester=False),
                    reply_markup=card_markup(texts, request, role),
                )
        elif action is DeskAction.FILES:
            await query.answer()
            await _send_files(target, texts, db, request, person.platform)

    @router.callback_query(DeskCb.filter(F.action == DeskAction.CANCEL))
    async def cancel(
        query: CallbackQuery,
        texts: Texts,
        bot: Bot,
        fsm_storage: BaseStorage,
        activity: ActivityNote,
    ) -> None:
        await private_state(fsm_storage, bot, query.from_user.id).clear()
        activity.status = "desk form cancelled"
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(texts("desk-cancelled"), reply_markup=inline(texts))

    @router.message(DeskForm.reply, F.text)
    @router.message(DeskForm.note, F.text)
    @router.message(DeskForm.meet, F.text)
    @router.message(DeskForm.result, F.text)
    async def typed(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        current = await state.get_state()
        data = await state.get_data()
        request = await desk.get(db, int(data.get("request_id", 0)))
        role = access(person, request) if request is not None else None
        if request is None or role is None:
            await state.clear()
            activity.status = "denied"
            await message.answer(texts("desk-not-yours"), reply_markup=inline(texts))
            return
        actor = await make_actor(
            db, person, role, message.from_user.full_name if message.from_user else None
        )
        text = (message.text or "").strip()
        if not text or len(text) > TEXT_LIMIT:
            await message.answer(texts("desk-text-size", limit=TEXT_LIMIT))
            return
        if current == DeskForm.meet.state:
            await _offer_times(
                message, texts, locales, config, db, state, request, actor, text, activity
            )
            return
        await state.clear()
        outcome: Outcome
        if current == DeskForm.reply.state:
            outcome = await desk.answer(db, request.id, actor, text)
            if isinstance(outcome, Changed):
                delivered = await send_answer(
                    db, locales, config, outcome.request, text, stamp=str(message.message_id)
                )
                log_step(activity, config, outcome.request, actor, "answer", notes=text)
                key = "desk-answer-sent" if delivered else "desk-answer-kept"
                await _done(message, texts, config, outcome.request, role, key)
                return
        elif current == DeskForm.note.state:
            outcome = await desk.note(db, request.id, actor, text)
            if isinstance(outcome, Changed):
                log_step(activity, config, outcome.request, actor, "note")
                await _done(message, texts, config, outcome.request, role, "desk-note-saved")
                return
        else:
            status = RequestStatus(data.get("outcome", RequestStatus.RESOLVED))
            result = None if text in ("-", "—") else text
            outcome = await desk.close(db, request.id, actor, status, result)
            if isinstance(outcome, Changed):
                await send_closed(db, locales, config, outcome.request)
                log_step(activity, config, outcome.request, actor, "closed", notes=result)
                await _done(message, texts, config, outcome.request, role, "desk-closed")
                return
        assert isinstance(outcome, Refused)
        activity.status = f"refused: {outcome.reason}"
        await message.answer(refusal_text(texts, outcome), reply_markup=inline(texts))

    @router.message(DeskForm.reply)
    @router.message(DeskForm.note)
    @router.message(DeskForm.meet)
    @router.message(DeskForm.result)
    async def not_text(message: Message, texts: Texts) -> None:
        await message.answer(texts("desk-send-text"))

    return router


async def _after(
    query: CallbackQuery,
    target: Message | None,
    texts: Texts,
    config: Config,
    outcome: Outcome,
    role: Author,
    activity: ActivityNote,
    actor: Actor,
    done_key: str,
) -> None:
    if isinstance(outcome, Refused):
        activity.status = f"refused: {outcome.reason}"
        await query.answer(refusal_text(texts, outcome), show_alert=True)
        if outcome.request is not None:
            await refresh_card(target, texts, config, outcome.request, role)
        return
    log_step(activity, config, outcome.request, actor, done_key.removeprefix("desk-"))
    await query.answer(texts.plain(done_key, number=outcome.request.id))
    await refresh_card(target, texts, config, outcome.request, role)


async def _ask_privately(
    query: CallbackQuery, bot: Bot, texts: Texts, text: str, markup: InlineKeyboardMarkup
) -> bool:
    if await to_private(bot, query.from_user.id, text, markup):
        return True
    await query.answer(texts("desk-open-private"), show_alert=True)
    return False


async def _choose_expert(
    query: CallbackQuery, bot: Bot, texts: Texts, config: Config, db: Database, request: RequestView
) -> None:
    experts = await directory.experts(db, topic=request.topic)
    await query.answer()
    if not experts:
        await _ask_privately(query, bot, texts, texts("desk-no-experts"), inline(texts))
        return
    rows = [
        [
            button(
                ("★ " if e.covers(request.topic) else "") + e.name[:50],
                DeskCb(action=DeskAction.TO_EXPERT, id=request.id, other=e.id).pack(),
            )
        ]
        for e in experts[:20]
    ]
    rows.append([button(texts("desk-cancel"), DeskCb(action=DeskAction.CANCEL).pack())])
    await _ask_privately(
        query,
        bot,
        texts,
        texts(
            "desk-choose-expert",
            number=request.id,
            topic=topic_name(texts, config, request.topic),
        ),
        InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _forwarded(
    query: CallbackQuery,
    target: Message | None,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    request: RequestView,
) -> None:
    expert = await directory.get_expert(db, request.expert_id or 0)
    told = await tell_expert(db, locales, config, request)
    await query.answer(texts.plain("desk-forwarded-short", name=request.expert_name or "—"))
    if target is None or expert is None:
        return
    key = "desk-forwarded-bot" if told else "desk-forwarded-contact"
    await target.answer(
        texts(key, number=request.id, name=expert.name, contact=expert.contact or "none"),
        reply_markup=card_markup(texts, request, Author.STAFF),
    )


async def _done(
    message: Message, texts: Texts, config: Config, request: RequestView, role: Author, key: str
) -> None:
    await message.answer(texts(key, number=request.id))
    await message.answer(
        desk_card(texts, config, request), reply_markup=card_markup(texts, request, role)
    )


async def _offer_times(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    state: FSMContext,
    request: RequestView,
    actor: Actor,
    text: str,
    activity: ActivityNote,
) -> None:
    """Lines like «25.11 15:00, Центральная библиотека, каб. 5»: a time, then the place."""
    now = utcnow()
    times = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _, place_text = line.partition(",")
        place = place_text.strip() or None
        moment = parse_when(head, config.library.zone, now)
        if moment is None or moment <= now:
            await message.answer(texts("desk-meet-bad", line=line))
            return
        times.append((moment, place))
    if not times or len(times) > appointments.MAX_SLOTS:
        await message.answer(texts("desk-meet-bad", line=text[:100]))
        return
    await state.clear()
    offered = await appointments.offer(db, request.id, actor, times)
    if offered is None:
        await message.answer(texts("desk-already-closed"), reply_markup=inline(texts))
        return
    await send_slots(db, locales, config, request, stamp=str(offered[0].id))
    log_step(activity, config, request, actor, "meeting offered")
    await _done(message, texts, config, request, actor.role, "desk-meet-sent")


async def _send_files(
    target: Message | None, texts: Texts, db: Database, request: RequestView, platform: str
) -> None:
    """Attachments travel by the messenger's file id: files from another messenger are
    named, not sent (their ids mean nothing here)."""
    if target is None:
        return
    files = [e.file for e in await desk.entries(db, request.id, for_requester=False) if e.file]
    for file in files:
        if file.platform != platform:
            await target.answer(
                texts("desk-file-elsewhere", name=file.name or "—", platform=file.platform)
            )
        elif file.kind == "photo":
            await target.answer_photo(
                file.file_id, caption=texts("desk-file-of", number=request.id)
            )
        else:
            await target.answer_document(
                file.file_id, caption=texts("desk-file-of", number=request.id)
            )
    if not files:
        await target.answer(texts("desk-no-files"))
