"""/language: Russian or English."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import Language, LanguageCb, Nav, Screen
from broadcasts.views.keyboards import button
from handlers.common import show_menu
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

routes = Routes(__name__)


async def _ask(message: Message, texts: Texts) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(texts(f"language-{code.value}"), LanguageCb(code=code).pack())
                for code in Language
            ]
        ]
    )
    await message.answer(texts("language-choose"), reply_markup=keyboard)


@routes.message(Command("language"))
async def language_command(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await _ask(message, texts)


@routes.callback_query(Nav.filter(F.to == Screen.LANGUAGE))
async def language_button(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    if isinstance(query.message, Message):
        await _ask(query.message, texts)


@routes.callback_query(LanguageCb.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageCb,
    person: PersonView,
    db: Database,
    locales: Locales,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await people.set_language(db, person.id, callback_data.code.value)
    texts = locales.texts(callback_data.code.value)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await show_menu(query.message, texts, person, key="language-set")
