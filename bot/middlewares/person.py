"""Resolve the person behind each update and pick their language.

Handlers receive `person` (a PersonView with roles, admins from the config file
included) and `texts` (translations in the person's language). Role checks read
this server-side view, never anything that came with the update.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.middlewares.scope import group_message
from storage import people
from storage.db import Database
from storage.models import Role


class PersonMiddleware(BaseMiddleware):
    def __init__(self, db: Database, config: Config, locales: Locales) -> None:
        self.db = db
        self.admins = frozenset(config.staff.admins)
        self.locales = locales

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if group_message(event):
            return await handler(event, data)  # not a conversation with the bot: no record
        user: User | None = data.get("event_from_user")
        if user is None:
            data["texts"] = self.locales.texts(None)
            return await handler(event, data)
        platform = data.get("platform", "telegram")
        person = await people.resolve(
            self.db, platform, str(user.id), language_hint=user.language_code
        )
        if person.messenger_id in self.admins:
            person = person.with_roles(frozenset({Role.ADMIN, Role.STAFF}))
        data["person"] = person
        data["texts"] = self.locales.texts(person.language)
        return await handler(event, data)
