"""/start, /menu, /cancel («отмена» typed), /help, /myid and the «В меню» button."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import Nav, Screen
from handlers.common import ask_consent, show_menu
from handlers.filters import MenuButton
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


async def cancel(
    message: Message,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    raw_state: str | None = None,
) -> None:
    """/cancel or a typed «отмена»: leave whatever form was open (nothing it asked is
    kept) and show the menu. Registered with the menu buttons, so it is never taken for
    a form's answer (a name «Отмена»)."""
    activity.kind = ActivityKind.MENU
    activity.status = "left a form" if raw_state else "nothing to cancel"
    await state.clear()
    key = "form-left" if raw_state else "form-nothing-to-cancel"
    await show_menu(message, texts, person, key=key)


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


def build_router(locales: Locales) -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(menu, Command("menu"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(cancel, MenuButton(locales, "form-cancel-word", "form-cancel-word-2"))
    router.message.register(help_, Command("help"))
    router.message.register(my_id, Command("myid"))
    router.callback_query.register(back_to_menu, Nav.filter(F.to == Screen.MENU))
    return router
