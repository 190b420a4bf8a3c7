"""Bot API text and keyboards as VK shows them.

VK messages have no HTML: tags are dropped, entities unescaped, and a link keeps its
address in brackets so nothing the reader needs is lost. Inline keyboards become VK
inline keyboards of callback buttons (the Bot API callback data travels in the
payload) and link buttons; menu keyboards become VK's keyboard of text buttons, whose
presses arrive as the label's text, just as in Telegram.

VK's limits: an inline keyboard has at most 6 rows and 10 buttons, a menu keyboard 10
rows and 40 buttons, any row 5 buttons; a label at most 40 characters, a payload 255.
Rows are paired up to fit six; past ten buttons the message carries the first ten and
the rest follow in messages of their own (`inline_keyboards` returns the parts), so no
button is ever dropped.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

INLINE_ROWS = 6
INLINE_BUTTONS = 10
MENU_ROWS = 10
MENU_BUTTONS = 40
ROW_BUTTONS = 5
LABEL_CHARS = 40
PAYLOAD_KEY = "c"  # {"c": "<callback data>"}

_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_text(text: str, parse_mode: str | None = "HTML") -> str:
    """The text without markup; a link's address follows its words."""
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text

    def link(match: re.Match[str]) -> str:
        url, words = match.group(1), _TAG.sub("", match.group(2)).strip()
        return url if not words or words == url else f"{words} ({url})"

    # Still escaped here: entities are unescaped once, after the tags are gone, so a
    # literal «&lt;b&gt;» stays text.
    return html.unescape(_TAG.sub("", _LINK.sub(link, text)))


def label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def callback_payload(data: str) -> str:
    return json.dumps({PAYLOAD_KEY: data}, ensure_ascii=False, separators=(",", ":"))


def callback_data(payload: Any) -> str | None:
    """The Bot API callback data a VK button press carries, or None if it is not ours."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if isinstance(payload, dict) and isinstance(payload.get(PAYLOAD_KEY), str):
        return payload[PAYLOAD_KEY]
    return None


def _inline_button(button: InlineKeyboardButton) -> dict[str, Any] | None:
    if button.callback_data is not None:
        action = {
            "type": "callback",
            "label": label(button.text),
            "payload": callback_payload(button.callback_data),
        }
    elif button.url:
        action = {"type": "open_link", "label": label(button.text), "link": button.url}
    else:  # a login, game or web-app button: nothing VK could do with it
        return None
    return {"action": action}


def _rows_within(rows: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Rows of at most five buttons."""
    out = []
    for row in rows:
        out.extend(row[i : i + ROW_BUTTONS] for i in range(0, len(row), ROW_BUTTONS))
    return [row for row in out if row]


def inline_keyboards(markup: InlineKeyboardMarkup) -> list[dict[str, Any]]:
    """One VK inline keyboard, or several when the buttons exceed one keyboard's limits.

    Ten buttons a keyboard; rows are paired up (short rows first) to fit VK's six, and
    only what still does not fit goes on to a further keyboard."""
    rows = _rows_within(
        [[b for b in map(_inline_button, row) if b is not None] for row in markup.inline_keyboard]
    )
    chunks: list[list[list[dict[str, Any]]]] = []
    current: list[list[dict[str, Any]]] = []
    count = 0
    for row in rows:
        while row:
            room = INLINE_BUTTONS - count
            if room == 0:
                chunks.append(current)
                current, count = [], 0
                continue
            current.append(row[:room])
            count += len(row[:room])
            row = row[room:]
    if current or not chunks:
        chunks.append(current)
    keyboards = []
    for chunk in chunks:
        fitted = _fewer_rows(chunk)
        for start in range(0, max(len(fitted), 1), INLINE_ROWS):
            keyboards.append({"inline": True, "buttons": fitted[start : start + INLINE_ROWS]})
    return keyboards


def _fewer_rows(rows: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Merge the adjacent rows with the fewest buttons until at most six rows remain."""
    rows = [list(row) for row in rows]
    while len(rows) > INLINE_ROWS:
        pairs = range(len(rows) - 1)
        best = min(pairs, key=lambda i: len(rows[i]) + len(rows[i + 1]))
        if len(rows[best]) + len(rows[best + 1]) > ROW_BUTTONS:
            break
        rows[best : best + 2] = [rows[best] + rows[best + 1]]
    return rows


def menu_keyboard(markup: ReplyKeyboardMarkup) -> dict[str, Any]:
    rows = _rows_within(
        [
            [{"action": {"type": "text", "label": label(b.text)}} for b in row]
            for row in markup.keyboard
        ]
    )
    kept: list[list[dict[str, Any]]] = []
    count = 0
    for row in rows[:MENU_ROWS]:
        row = row[: MENU_BUTTONS - count]
        if row:
            kept.append(row)
            count += len(row)
    return {"one_time": bool(markup.one_time_keyboard), "buttons": kept}


def keyboards_for(markup: Any) -> list[dict[str, Any]]:
    """The VK keyboards a Bot API reply_markup becomes (empty: leave the keyboard as is)."""
    if isinstance(markup, InlineKeyboardMarkup):
        return inline_keyboards(markup)
    if isinstance(markup, ReplyKeyboardMarkup):
        return [menu_keyboard(markup)]
    if isinstance(markup, ReplyKeyboardRemove):
        return [{"one_time": True, "buttons": []}]
    if markup is None or isinstance(markup, ForceReply):
        return []
    msg = f"VK cannot show a {type(markup).__name__}"
    raise TypeError(msg)


def dump(keyboard: dict[str, Any]) -> str:
    return json.dumps(keyboard, ensure_ascii=False, separators=(",", ":"))
