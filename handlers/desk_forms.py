"""The forms of the request desk (`request_desk`): what staff and experts type after a
card's button — an answer, a note, meeting times, the result of closing — is asked for in
their private chat with the bot, whichever chat the button was pressed in, with the choices
that go there (the expert to pass a request to, how it ended)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import button, inline
from handlers.desk_cards import refusal_text, show_card
from storage.activity import ActivityNote
from storage.consultations.directory import ExpertView
from storage.consultations.models import RequestStatus
from storage.consultations.requests import Actor, RequestView
from storage.consultations.transitions import Refused

log = logging.getLogger(__name__)

TEXT_LIMIT = 4000  # what staff type


class DeskForm(StatesGroup):
    reply = State()
    note = State()
    meet = State()
    result = State()


FORMS = (DeskForm.reply, DeskForm.note, DeskForm.meet, DeskForm.result)


@dataclass(frozen=True)
class Ask:
    """A button that asks for a text in the private chat: which form, which prompt."""

    form: State
    prompt: str
    outcome: RequestStatus | None = None  # closing: решена or отклонена


ASKS = {
    DeskAction.REPLY: Ask(DeskForm.reply, "desk-reply-prompt"),
    DeskAction.NOTE: Ask(DeskForm.note, "desk-note-prompt"),
    DeskAction.MEET: Ask(DeskForm.meet, "desk-meet-prompt"),
    DeskAction.RESOLVED: Ask(DeskForm.result, "desk-result-prompt", RequestStatus.RESOLVED),
    DeskAction.REJECTED: Ask(DeskForm.result, "desk-result-prompt", RequestStatus.REJECTED),
}


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
