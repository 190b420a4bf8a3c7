"""Small helpers the handlers share: the menu, the consent question, and what the log
says of a member of staff at work."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ConsentAnswer, ConsentCb
from broadcasts.views.keyboards import button, main_menu
from storage.activity import ActivityNote
from storage.models import ActivityKind
from storage.people import PersonView


async def show_menu(
    message: Message,
    texts: Texts,
    person: PersonView | None,
    *,
    key: str = "menu-prompt",
    **args: str | int,
) -> None:
    """Send a line of text (`key` with `args`) with the main menu keyboard under it."""
    await message.answer(texts(key, **args), reply_markup=main_menu(texts, person))


async def back_to_menu(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    *,
    key: str = "menu-prompt",
) -> None:
    """«В меню», «Отмена» under a form: nothing the form asked is kept, the menu comes back
    with `key`'s line."""
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key=key)


def staff_at_work(
    activity: ActivityNote, person: PersonView, kind: ActivityKind = ActivityKind.STAFF_ACTION
) -> None:
    """Log the update as a member of staff's work, naming who did it (the name they gave,
    else their messenger id): the report's «ответственный»."""
    activity.kind = kind
    activity.responsible = person.display_name or person.messenger_id


def phone_or_none(config: Config) -> str:
    """The library phone for «позвоните нам», or 'none' for the Fluent selector."""
    if config.library.phone:
        return config.library.phone
    phones = [b.phone for b in config.library.branches if b.phone]
    return phones[0] if phones else "none"


async def ask_consent(message: Message, texts: Texts, config: Config) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(texts("consent-accept"), ConsentCb(answer=ConsentAnswer.YES).pack()),
                button(texts("consent-refuse"), ConsentCb(answer=ConsentAnswer.NO).pack()),
            ]
        ]
    )
    await message.answer(
        texts(
            "consent-request",
            operator=config.privacy.operator or config.library.name,
            policy=config.privacy.policy_url or "none",
        ),
        reply_markup=keyboard,
    )
