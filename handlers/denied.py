"""What readers get when they reach for staff or admin actions: a polite refusal.

This router sits after the role-filtered routers, so it only sees what they
refused: a reader typing /staff, a forged or stale staff button.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import STAFF_PREFIXES, ExpertLinkCb, RoleCb
from handlers.common import show_menu
from handlers.filters import MenuButton
from storage.activity import ActivityNote
from storage.models import Role
from storage.people import PersonView


def build_router(locales: Locales) -> Router:
    router = Router(name=__name__)

    @router.message(Command("staff"))
    @router.message(MenuButton(locales, "menu-staff"))
    async def staff_only(
        message: Message, texts: Texts, person: PersonView, activity: ActivityNote
    ) -> None:
        activity.status = "denied"
        await show_menu(message, texts, person, key="staff-only")

    @router.callback_query(F.data.func(lambda data: data.split(":", 1)[0] in STAFF_PREFIXES))
    async def staff_button(
        query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
    ) -> None:
        activity.status = "denied"
        prefix = (query.data or "").split(":", 1)[0]
        is_role_button = prefix in (RoleCb.__prefix__, ExpertLinkCb.__prefix__)
        key = "admin-only" if is_role_button and person.has(Role.STAFF) else "staff-only"
        await query.answer(texts(key), show_alert=True)
        if isinstance(query.message, Message):
            await show_menu(query.message, texts, person, key=key)

    return router
