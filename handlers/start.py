"""/start, /menu, /help, /myid and the «В меню» button."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.config import Config
from bot.i18n import Texts
from handlers.callbacks import Nav, Screen
from handlers.common import ask_consent, show_menu
from storage.activity import ActivityNote
from storage.models import ActivityKind, Consent
from storage.people import PersonView


async def start(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await state.clear()
    await message.answer(texts("start-welcome", library=config.library.name))
    await show_menu(message, texts, person)
    if person.consent is Consent.UNKNOWN:
        await ask_consent(message, texts, config)


async def menu(
    message: Message, texts: Texts, person: PersonView, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    await state.clear()
    await show_menu(message, texts, person)


async def help_(message: Message, texts: Texts, person: PersonView, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await message.answer(texts("help-text"))
    await show_menu(message, texts, person)


async def my_id(message: Message, texts: Texts, person: PersonView, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await message.answer(texts("my-id", id=person.messenger_id))


async def back_to_menu(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(menu, Command("menu"))
    router.message.register(help_, Command("help"))
    router.message.register(my_id, Command("myid"))
    router.callback_query.register(back_to_menu, Nav.filter(F.to == Screen.MENU))
    return router
