"""Small helpers the routers share: showing the menu and the consent question."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ConsentAnswer, ConsentCb
from broadcasts.views.keyboards import button, main_menu
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
