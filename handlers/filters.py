"""Filters shared by the routers."""

from __future__ import annotations

from typing import Any

from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import Message

from bot.config import Config
from bot.i18n import Locales, normalise_label
from storage.models import Role
from storage.people import PersonView


class PrivateChat(Filter):
    """A conversation with the bot, not a group (the staff chat included)."""

    async def __call__(self, message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE


class MenuButton(Filter):
    """Matches a menu button's label in any language, typed or pressed."""

    def __init__(self, locales: Locales, *keys: str) -> None:
        self.variants = locales.variants(*keys)

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and normalise_label(message.text) in self.variants


class HasRole(Filter):
    """Server-side role check against the person loaded by PersonMiddleware."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, event: Any, person: PersonView | None = None) -> bool:
        return person is not None and person.has(self.role)


class HasAnyRole(Filter):
    """Any of the roles (staff or expert, say); finer checks are the handler's."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    async def __call__(self, event: Any, person: PersonView | None = None) -> bool:
        return person is not None and any(person.has(role) for role in self.roles)


class TextWithinLimit(Filter):
    """Text no longer than `[limits] max_input_chars`; longer texts get a polite refusal."""

    async def __call__(self, message: Message, config: Config) -> bool:
        return len(message.text or "") <= config.limits.max_input_chars
