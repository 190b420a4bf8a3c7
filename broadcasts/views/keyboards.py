"""Keyboards. Every inline keyboard ends with a way back to the menu."""

from __future__ import annotations

import functools

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.kernel.i18n import Texts, as_plain
from broadcasts.views.callbacks import Nav, Screen
from storage.models import Role
from storage.people import PersonView

MENU_KEYS = (
    "menu-find-book",
    "menu-my-books",
    "menu-events",
    "menu-consultation",
    "menu-subscriptions",
    "menu-about",
)


# Keyboards that depend only on the language are built once: aiogram's types are frozen
# models, and building one costs more than a database round trip under load.


def main_menu(texts: Texts, person: PersonView | None) -> ReplyKeyboardMarkup:
    extra = None
    if person is not None and person.has(Role.STAFF):
        extra = "menu-staff"
    elif person is not None and person.has(Role.EXPERT):
        extra = "menu-expert"
    return _main_menu(texts, extra)


@functools.cache
def _main_menu(texts: Texts, extra: str | None) -> ReplyKeyboardMarkup:
    labels = [texts(key) for key in MENU_KEYS]
    if extra is not None:
        labels.append(texts(extra))
    rows = [
        [KeyboardButton(text=label) for label in labels[i : i + 2]]
        for i in range(0, len(labels), 2)
    ]
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=texts("menu-placeholder")[:64],
    )


@functools.cache
def back_button(texts: Texts) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=texts("menu-back"), callback_data=Nav(to=Screen.MENU).pack())


def inline(texts: Texts, *rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """An inline keyboard with the given rows and a final «В меню» row."""
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [back_button(texts)]])


# Longer labels are cut (with «…»): VK shows 40 characters, Telegram's phones about this.
LABEL_LIMIT = 60


def label(text: str) -> str:
    """A label is shown as it is, never parsed as HTML: a translation comes back
    unescaped, and it is cut as text — never inside an escaped character."""
    text = as_plain(text)
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def button(text: str, callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label(text), callback_data=callback_data)
