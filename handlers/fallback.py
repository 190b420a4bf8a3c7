"""The last handlers: whatever nobody else understood still gets an answer and the menu."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from handlers.common import show_menu
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.people import PersonView

routes = Routes(__name__)


@routes.message(F.text.startswith("/"))
async def unknown_command(
    message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "unknown command"
    await message.answer(texts("help-text"))
    await show_menu(message, texts, person, key="unknown-command")


@routes.message(F.text)
async def too_long(
    message: Message, texts: Texts, person: PersonView, config: Config, activity: ActivityNote
) -> None:
    """Text the catalogue search did not take: longer than `[limits] max_input_chars`."""
    text = message.text or ""
    activity.status = "too long"
    activity.content = text[:100]
    limit = config.limits.max_input_chars
    await show_menu(message, texts, person, key="too-long", length=len(text), limit=limit)


@routes.message()
async def not_text(
    message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "not text"
    await show_menu(message, texts, person, key="not-text")


@routes.callback_query()
async def stale_button(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "stale button"
    await query.answer(texts("stale-button"))
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="stale-button")
