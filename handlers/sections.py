"""Menu sections whose features arrive in later releases: an honest «скоро» and the menu.

Each feature replaces its entry here with a router of its own.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.config import Config
from bot.i18n import Locales, Texts, normalise_label
from handlers.common import phone_or_none
from handlers.filters import MenuButton
from handlers.keyboards import main_menu
from storage.activity import ActivityNote
from storage.models import ActivityKind
from storage.people import PersonView

COMING_SOON = ("menu-consultation",)


def build_router(locales: Locales) -> Router:
    router = Router(name=__name__)
    keys_by_label = locales.labels(COMING_SOON)

    @router.message(MenuButton(locales, *COMING_SOON))
    async def coming_soon(
        message: Message, texts: Texts, person: PersonView, config: Config, activity: ActivityNote
    ) -> None:
        key = keys_by_label[normalise_label(message.text or "")]
        activity.kind = ActivityKind.MENU
        activity.notes = key
        section = normalise_label(texts(key)).capitalize()
        await message.answer(
            texts("coming-soon", section=section, phone=phone_or_none(config)),
            reply_markup=main_menu(texts, person),
        )

    return router
