"""Staff event buttons: what they carry (`StaffEventCb`) and the filters that read a press
back — the message to answer on, the event or the option the button names — and hand it to
the handler (aiogram injects what a filter returns).

A filter that cannot find what a button names (a forged id or index, a message Telegram no
longer shows) lets the press go on, to the catch-all its module declares after its handlers:
the same answer such a press got before, a quiet one or «мероприятие не найдено».
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.keyboards import button
from storage.db import Database
from storage.events.listing import get

Found = dict[str, Any] | bool  # what a loading filter returns: the values, or False


def pressed(*actions: StaffEventAction) -> CallbackQueryFilter:
    """A press of one of these buttons."""
    return StaffEventCb.filter(F.action.in_(actions))


def cb(action: StaffEventAction, id_: int = 0, page: int = 0) -> str:
    return StaffEventCb(action=action, id=id_, page=page).pack()


def open_event(texts: Texts, event_id: int) -> list[InlineKeyboardButton]:
    """«Открыть мероприятие»: the staff card of the event just created or changed."""
    return [button(texts("staff-new-open"), cb(StaffEventAction.SHOW, event_id))]


class OnMessage(Filter):
    """The message the button is on, as `target`: the answer goes under it."""

    async def __call__(self, query: CallbackQuery) -> Found:
        return {"target": query.message} if isinstance(query.message, Message) else False


class NamedEvent(Filter):
    """The event the button names (its `id`), as `event`, and the message, as `target`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: StaffEventCb, db: Database
    ) -> Found:
        if not isinstance(query.message, Message):
            return False
        event = await get(db, callback_data.id)
        return False if event is None else {"event": event, "target": query.message}


class Picked(Filter):
    """The option the button's `page` stands for, as `name`; `options` lists them for the
    bot's config (the branches are the config's)."""

    def __init__(self, name: str, options: Callable[[Config], Sequence[Any]]) -> None:
        self.name = name
        self.options = options

    async def __call__(
        self, query: CallbackQuery, callback_data: StaffEventCb, config: Config
    ) -> Found:
        options = self.options(config)
        return callback_data.page < len(options) and {self.name: options[callback_data.page]}
