"""Filters shared by the routers."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, normalise_label
from storage.models import Role
from storage.people import PersonView


class PrivateChat(Filter):
    """A conversation with the bot, not a group (the staff chat included)."""

    async def __call__(self, message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE


class MenuButton(Filter):
    """Matches a menu button's label in any language, typed or pressed.

    Declared at module level as `MenuButton("menu-about")`: the labels are read from the
    bot's `locales` at the first message and kept (one set per `Locales`).
    """

    def __init__(self, *keys: Any) -> None:
        self._known: WeakKeyDictionary[Locales, frozenset[str]] = WeakKeyDictionary()
        if keys and isinstance(keys[0], Locales):  # MenuButton(locales, "menu-about")
            self._known[keys[0]] = keys[0].variants(*keys[1:])
            keys = keys[1:]
        self.keys: tuple[str, ...] = keys

    def variants(self, locales: Locales) -> frozenset[str]:
        known = self._known.get(locales)
        if known is None:
            known = self._known[locales] = locales.variants(*self.keys)
        return known

    async def __call__(self, message: Message, locales: Locales) -> bool:
        return message.text is not None and normalise_label(message.text) in self.variants(locales)


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
