"""/start, /menu, /cancel («отмена» typed), /help, /myid and the «В меню» button."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import Nav, Screen
from handlers.common import ask_consent, back_to_menu, show_menu
from handlers.filters import MenuButton
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.models import ActivityKind, Consent
from storage.people import PersonView

routes = Routes(__name__)


@routes.message(CommandStart())
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


@routes.message(Command("menu"))
async def menu(
    message: Message, texts: Texts, person: PersonView, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    await state.clear()
    await show_menu(message, texts, person)


@routes.message(MenuButton("form-cancel-word", "form-cancel-word-2"))
@routes.message(Command("cancel"))
async def cancel(
    message: Message,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    raw_state: str | None = None,
) -> None:
    """/cancel or a typed «отмена»: leave whatever form was open (nothing it asked is
    kept) and show the menu. Declared with the menu buttons, so it is never taken for
    a form's answer (a name «Отмена»)."""
    activity.kind = ActivityKind.MENU
    activity.status = "left a form" if raw_state else "nothing to cancel"
    await state.clear()
    key = "form-left" if raw_state else "form-nothing-to-cancel"
    await show_menu(message, texts, person, key=key)


@routes.message(Command("help"))
async def help_(message: Message, texts: Texts, person: PersonView, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await message.answer(texts("help-text"))
    await show_menu(message, texts, person)


@routes.message(Command("myid"))
async def my_id(message: Message, texts: Texts, person: PersonView, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.MENU
    await message.answer(texts("my-id", id=person.messenger_id))


@routes.callback_query(Nav.filter(F.to == Screen.MENU))
async def menu_button(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«В меню» under any screen: leaves a form too."""
    activity.kind = ActivityKind.MENU
    await back_to_menu(query, texts, person, state)
