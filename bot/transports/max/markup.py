"""Bot API text and keyboards as MAX shows them.

Text keeps its HTML: MAX parses `format: "html"` (b, i, u, s, a, code, pre — the tags
the bot uses) and strips tags it does not know, so the bot's texts go as they are.

Keyboards are MAX's `inline_keyboard` attachment. An inline keyboard's callback buttons
carry the Bot API callback data as their payload; URL buttons become `link` buttons. A
menu keyboard (MAX has no reply keyboard) becomes `message` buttons — a press makes the
reader's client send the label as their own message, as a Telegram menu button does —
and «share my phone» (`request_contact=True`) a `request_contact` button.

MAX's limits («Клавиатура для чат-бота», dev.max.ru): a keyboard has at most 30 rows
and 210 buttons, a row at most 7 buttons, or 3 when it holds link, contact or location
buttons; a label at most 128 characters, a callback payload 1024 (the schema's
`maxLength`s). Wider rows are split; past a keyboard's limits the rest follows in
messages of their own (`keyboards_for` returns the parts), so no button is lost.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

TEXT_LIMIT = 4000  # NewMessageBody.text maxLength
KEYBOARD_ROWS = 30
KEYBOARD_BUTTONS = 210
ROW_BUTTONS = 7
ROW_WIDE_BUTTONS = 3  # a row with a link, contact, location or app button
WIDE_TYPES = frozenset({"link", "request_contact", "request_geo_location", "open_app"})
LABEL_CHARS = 128  # Button.text maxLength
PAYLOAD_CHARS = 1024  # CallbackButton.payload maxLength
URL_CHARS = 2048  # LinkButton.url maxLength
TOKEN_PREFIX = "~"  # a payload standing for callback data too long to travel itself
REMEMBERED_TOKENS = 10_000


class CallbackTokens:
    """Callback data longer than MAX's payload limit, sent as a short token and read back.
    The Bot API's own limit (64 bytes) keeps the bot's data far below MAX's 1024, so this
    only guards against a handler that would otherwise lose its button."""

    def __init__(self, size: int = REMEMBERED_TOKENS) -> None:
        self.size = size
        self._data: OrderedDict[str, str] = OrderedDict()

    def payload(self, data: str) -> str:
        if len(data) <= PAYLOAD_CHARS and not data.startswith(TOKEN_PREFIX):
            return data
        token = TOKEN_PREFIX + hashlib.sha256(data.encode()).hexdigest()[:32]
        self._data[token] = data
        self._data.move_to_end(token)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return token

    def data(self, payload: str) -> str | None:
        """The callback data a press carries, or None for a token no longer known."""
        if payload.startswith(TOKEN_PREFIX):
            return self._data.get(payload)
        return payload


def label(text: str) -> str:
    text = text.strip() or "·"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _inline_button(button: InlineKeyboardButton, tokens: CallbackTokens) -> dict[str, Any] | None:
    if button.callback_data is not None:
        payload = tokens.payload(button.callback_data)
        return {"type": "callback", "text": label(button.text), "payload": payload}
    if button.url and len(button.url) <= URL_CHARS:
        return {"type": "link", "text": label(button.text), "url": button.url}
    return None  # a login, game, web-app or switch-inline button: nothing MAX could do with it


def _menu_button(button: KeyboardButton) -> dict[str, Any]:
    if button.request_contact:
        return {"type": "request_contact", "text": label(button.text)}
    if button.request_location:
        return {"type": "request_geo_location", "text": label(button.text)}
    return {"type": "message", "text": label(button.text)}


def row_limit(row: list[dict[str, Any]]) -> int:
    return ROW_WIDE_BUTTONS if any(b["type"] in WIDE_TYPES for b in row) else ROW_BUTTONS


def _rows_within(rows: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Rows no wider than MAX allows, in the same order."""
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        current: list[dict[str, Any]] = []
        for button in row:
            if len(current) >= row_limit([*current, button]):
                out.append(current)
                current = []
            current.append(button)
        if current:
            out.append(current)
    return out


def _keyboards(rows: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rows dealt into keyboards of at most 30 rows and 210 buttons."""
    keyboards: list[list[list[dict[str, Any]]]] = []
    current: list[list[dict[str, Any]]] = []
    count = 0
    for row in _rows_within(rows):
        if current and (len(current) >= KEYBOARD_ROWS or count + len(row) > KEYBOARD_BUTTONS):
            keyboards.append(current)
            current, count = [], 0
        current.append(row)
        count += len(row)
    if current:
        keyboards.append(current)
    return [{"type": "inline_keyboard", "payload": {"buttons": rows}} for rows in keyboards]


def keyboards_for(markup: Any, tokens: CallbackTokens) -> list[dict[str, Any]]:
    """The MAX keyboard attachments a Bot API reply_markup becomes: none for no keyboard
    (or a removal — MAX keyboards belong to their message), one, or several in order."""
    if isinstance(markup, InlineKeyboardMarkup):
        rows = [
            [b for b in (_inline_button(x, tokens) for x in row) if b is not None]
            for row in markup.inline_keyboard
        ]
        return _keyboards(rows)
    if isinstance(markup, ReplyKeyboardMarkup):
        return _keyboards([[_menu_button(b) for b in row] for row in markup.keyboard])
    if markup is None or isinstance(markup, ReplyKeyboardRemove | ForceReply):
        return []
    msg = f"MAX cannot show a {type(markup).__name__}"
    raise TypeError(msg)


def text_format(parse_mode: str | None) -> str | None:
    """MAX's `format` for a Bot API parse mode: HTML stays HTML; anything else is sent
    as plain text (the bot writes HTML only)."""
    return "html" if parse_mode is not None and parse_mode.upper() == "HTML" else None
