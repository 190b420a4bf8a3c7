"""The last router: whatever nobody else understood still gets an answer and the menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.config import Config
from bot.i18n import Texts
from handlers.common import phone_or_none, show_menu
from storage.activity import ActivityNote
from storage.people import PersonView

QUOTE_LIMIT = 80


async def unknown_command(
    message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "unknown command"
    await message.answer(texts("help-text"))
    await show_menu(message, texts, person, key="unknown-command")


async def free_text(
    message: Message, texts: Texts, person: PersonView, config: Config, activity: ActivityNote
) -> None:
    text = message.text or ""
    limit = config.limits.max_input_chars
    if len(text) > limit:
        activity.status = "too long"
        activity.content = text[:100]
        await show_menu(message, texts, person, key="too-long", length=len(text), limit=limit)
        return
    activity.status = "not understood"
    quote = text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"
    await message.answer(texts("unknown-text", text=quote, phone=phone_or_none(config)))
    await show_menu(message, texts, person)


async def not_text(
    message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "not text"
    await show_menu(message, texts, person, key="not-text")


async def stale_button(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "stale button"
    await query.answer(texts("stale-button"))
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="stale-button")


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(free_text, F.text)
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router
