"""How the request desk answers staff and experts: the card with the buttons their role
gets, redrawn where it was pressed; why a step was refused; the private chat where what
they type is asked for, whichever chat the button was pressed in; the attachments.

Used by `request_desk` (the card's buttons and the forms they open); nothing here decides
what may be done.
"""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import desk_card, desk_rows
from handlers.consultation import log_step
from storage.activity import ActivityNote
from storage.consultations.directory import ExpertView
from storage.consultations.models import Author
from storage.consultations.requests import Actor, Attachment, RequestView
from storage.consultations.transitions import Outcome, Refusal, Refused

log = logging.getLogger(__name__)

TEXT_LIMIT = 4000  # what staff type: an answer, a note, meeting times, a result


def card_markup(texts: Texts, request: RequestView, role: Author) -> InlineKeyboardMarkup:
    return inline(texts, *desk_rows(texts, request, expert=role is Author.EXPERT))


async def show_card(
    target: Message, texts: Texts, config: Config, request: RequestView, role: Author
) -> None:
    await target.answer(
        desk_card(texts, config, request), reply_markup=card_markup(texts, request, role)
    )


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


REFUSALS = {
    Refusal.CLOSED: "desk-already-closed",
    Refusal.NO_EXPERT: "desk-expert-gone",
    Refusal.GONE: "desk-not-found",
}


def refusal_text(texts: Texts, refused: Refused) -> str:
    if refused.reason is Refusal.TAKEN and refused.request is not None:
        return texts("desk-taken-by", name=refused.request.responsible_name or "—")
    return texts(REFUSALS.get(refused.reason, "desk-not-now"))


def cancel_row(texts: Texts) -> list[InlineKeyboardButton]:
    return [button(texts("desk-cancel"), DeskCb(action=DeskAction.CANCEL).pack())]


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


async def ask_privately(
    query: CallbackQuery, bot: Bot, texts: Texts, text: str, markup: InlineKeyboardMarkup
) -> bool:
    """Ask in the presser's private chat; if the bot cannot write there, say how to open it."""
    if await to_private(bot, query.from_user.id, text, markup):
        return True
    await query.answer(texts("desk-open-private"), show_alert=True)
    return False


async def send_files(
    target: Message, texts: Texts, request: RequestView, files: list[Attachment], platform: str
) -> None:
    """Attachments travel by the messenger's file id: files from another messenger are
    named, not sent (their ids mean nothing here)."""
    caption = texts("desk-file-of", number=request.id)
    for file in files:
        if file.platform != platform:
            await target.answer(
                texts("desk-file-elsewhere", name=file.name or "—", platform=file.platform)
            )
        elif file.kind == "photo":
            await target.answer_photo(file.file_id, caption=caption)
        else:
            await target.answer_document(file.file_id, caption=caption)
    if not files:
        await target.answer(texts("desk-no-files"))


def target_of(query: CallbackQuery) -> Message | None:
    """The card pressed, when the press came with its message."""
    return query.message if isinstance(query.message, Message) else None


async def after_press(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    outcome: Outcome,
    actor: Actor,
    activity: ActivityNote,
    done_key: str,
) -> None:
    """A step taken on the card: a short pop-up, and the card redrawn as it is now."""
    if isinstance(outcome, Refused):
        activity.status = f"refused: {outcome.reason}"
        await query.answer(refusal_text(texts, outcome), show_alert=True)
        if outcome.request is not None:
            await refresh_card(target_of(query), texts, config, outcome.request, actor.role)
        return
    log_step(activity, config, outcome.request, actor, done_key.removeprefix("desk-"))
    await query.answer(texts.plain(done_key, number=outcome.request.id))
    await refresh_card(target_of(query), texts, config, outcome.request, actor.role)


def expert_choice(
    texts: Texts, request: RequestView, experts: list[ExpertView]
) -> InlineKeyboardMarkup:
    """«Кому передать»: those who cover the topic first, starred."""
    rows = [
        [
            button(
                ("★ " if e.covers(request.topic) else "") + e.name[:50],
                DeskCb(action=DeskAction.TO_EXPERT, id=request.id, other=e.id).pack(),
            )
        ]
        for e in experts[:20]
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, cancel_row(texts)])


def outcome_choice(texts: Texts, request: RequestView) -> InlineKeyboardMarkup:
    """«Чем закончилось»: решено or отклонено."""
    outcomes = [
        button(
            texts("desk-close-resolved"), DeskCb(action=DeskAction.RESOLVED, id=request.id).pack()
        ),
        button(
            texts("desk-close-rejected"), DeskCb(action=DeskAction.REJECTED, id=request.id).pack()
        ),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[outcomes, cancel_row(texts)])


async def typed_text(message: Message, texts: Texts) -> str | None:
    """The text of a desk form, or None (and why) when it is empty or too long."""
    text = (message.text or "").strip()
    if not text or len(text) > TEXT_LIMIT:
        await message.answer(texts("desk-text-size", limit=TEXT_LIMIT))
        return None
    return text


async def refused_typed(
    message: Message, texts: Texts, refused: Refused, activity: ActivityNote
) -> None:
    activity.status = f"refused: {refused.reason}"
    await message.answer(refusal_text(texts, refused), reply_markup=inline(texts))


async def done_typed(
    message: Message, texts: Texts, config: Config, request: RequestView, actor: Actor, key: str
) -> None:
    """What was typed became a step: said so, and the card shown as it is now."""
    await message.answer(texts(key, number=request.id))
    await show_card(message, texts, config, request, actor.role)
