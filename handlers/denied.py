"""What readers get when they reach for staff or admin actions: a polite refusal.

These handlers come after the role-checked modules, so they only see what those refused:
a reader typing /staff, a forged or stale staff button — or a member of staff pressing
an admin's button (the roles, the expert directory links).
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import STAFF_PREFIXES, ExpertLinkCb, RoleCb
from handlers.common import show_menu
from handlers.filters import HasRole, MenuButton
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.models import Role
from storage.people import PersonView

ADMIN_PREFIXES = (RoleCb.__prefix__, ExpertLinkCb.__prefix__)

routes = Routes(__name__)


def _prefix(data: str) -> str:
    return data.split(":", 1)[0]


@routes.message(Command("staff"))
@routes.message(MenuButton("menu-staff"))
async def staff_only(
    message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    activity.status = "denied"
    await show_menu(message, texts, person, key="staff-only")


async def _refuse(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote, key: str
) -> None:
    activity.status = "denied"
    await query.answer(texts(key), show_alert=True)
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key=key)


@routes.callback_query(
    F.data.func(lambda data: _prefix(data) in ADMIN_PREFIXES), HasRole(Role.STAFF)
)
async def admin_button(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """Staff who are not admins pressing an admin's button (an old message, a forged one)."""
    await _refuse(query, texts, person, activity, "admin-only")


@routes.callback_query(F.data.func(lambda data: _prefix(data) in STAFF_PREFIXES))
async def staff_button(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    await _refuse(query, texts, person, activity, "staff-only")
