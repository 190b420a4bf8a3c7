"""«О библиотеке»: branches with addresses, hours (open now?) and phones, from the config."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from aiogram import F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import MESSENGERS, WEEKDAYS, Config
from bot.kernel.i18n import Texts
from bot.kernel.messengers import Messengers
from bot.kernel.opening_hours import has_hours, is_open, week_line
from broadcasts.views.callbacks import Nav, Screen
from broadcasts.views.keyboards import button, inline
from handlers.filters import MenuButton
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.models import ActivityKind

routes = Routes(__name__)


def about_text(config: Config, texts: Texts, now: datetime) -> str:
    library = config.library
    local_now = now.astimezone(library.zone)
    day_names = [texts(f"day-{day}") for day in WEEKDAYS]
    blocks = [texts("about-title", library=library.name)]
    for branch in library.branches:
        known = has_hours(branch.hours)
        state = ("open" if is_open(branch.hours, local_now) else "closed") if known else "unknown"
        hours = (
            week_line(branch.hours, day_names, texts("hours-closed"))
            if known
            else texts("hours-all-closed")
        )
        lines = [
            texts("about-branch", name=branch.name, open=state, address=branch.address, hours=hours)
        ]
        if branch.phone:
            lines.append(texts("about-branch-phone", phone=branch.phone))
        if branch.hours_note:
            lines.append(texts("about-branch-note", note=branch.hours_note))
        blocks.append("\n".join(lines))
    if not library.branches:
        blocks.append(texts("about-no-branches"))
    contacts = [
        texts(key, **{field: value})
        for key, field, value in (
            ("about-phone", "phone", library.phone),
            ("about-email", "email", library.email),
            ("about-website", "website", library.website),
            ("about-vk", "vk", library.vk),
        )
        if value
    ]
    if contacts:
        blocks.append("\n".join([texts("about-contacts"), *contacts]))
    return "\n\n".join(blocks)


@functools.cache  # the same for everyone speaking one language (aiogram types are frozen)
def about_keyboard(texts: Texts, *, many: bool = False) -> InlineKeyboardMarkup:
    """`many`: the bot serves more messengers than Telegram and VK (the link button's
    first label names those two)."""
    link = texts("about-link-many") if many else texts("about-link")
    return inline(
        texts,
        [button(texts("about-language"), Nav(to=Screen.LANGUAGE).pack())],
        [button(link, Nav(to=Screen.LINK).pack())],
        [button(texts("cmd-forget"), Nav(to=Screen.FORGET).pack())],
    )


@routes.message(MenuButton("menu-about"))
async def about(
    message: Message,
    texts: Texts,
    config: Config,
    activity: ActivityNote,
    messengers: Messengers | None = None,
) -> None:
    activity.kind = ActivityKind.LIBRARY_INFO
    many = messengers is not None and len(set(messengers.platforms) & set(MESSENGERS)) > 2
    await message.answer(
        about_text(config, texts, datetime.now(UTC)),
        reply_markup=about_keyboard(texts, many=many),
    )


@routes.callback_query(Nav.filter(F.to == Screen.ABOUT))
async def about_pressed(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    activity: ActivityNote,
    messengers: Messengers | None = None,
) -> None:
    """«Все адреса и часы» under an answer about hours or addresses."""
    await query.answer()
    if isinstance(query.message, Message):
        await about(query.message, texts, config, activity, messengers)
