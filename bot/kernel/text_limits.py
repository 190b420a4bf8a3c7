"""Keep outgoing texts within Bot API limits, whatever produced them.

A message longer than 4096 characters is split at paragraph or line breaks into
several messages (the keyboard goes with the last one); an edit, a caption or a
callback answer that is too long is shortened with an ellipsis. Installed as a
request middleware, so it protects every transport and every handler.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
_TAG = re.compile(r"<[^>]*>|&[#\w]+;")


def _safe_cut(text: str, limit: int) -> int:
    """A cut position ≤ limit that is not inside an HTML tag or entity."""
    cut = limit
    for match in _TAG.finditer(text, 0, limit + 200):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return max(cut, 1)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at the last paragraph break, then line break, then space before the limit."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > limit // 4:
                cut = position
                break
        if cut == -1 or _safe_cut(rest, cut) != cut:
            cut = _safe_cut(rest, limit if cut == -1 else cut)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: _safe_cut(text, limit - 1)].rstrip() + "…"


class TextLimits(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if isinstance(method, SendMessage) and len(method.text) > MESSAGE_LIMIT:
            *head, last = split_text(method.text)
            for chunk in head:
                await make_request(
                    bot, method.model_copy(update={"text": chunk, "reply_markup": None})
                )
            return await make_request(bot, method.model_copy(update={"text": last}))
        if isinstance(method, EditMessageText) and len(method.text) > MESSAGE_LIMIT:
            method = method.model_copy(update={"text": shorten(method.text, MESSAGE_LIMIT)})
        elif (
            isinstance(method, SendPhoto | SendDocument | EditMessageCaption)
            and method.caption
            and len(method.caption) > CAPTION_LIMIT
        ):
            method = method.model_copy(update={"caption": shorten(method.caption, CAPTION_LIMIT)})
        elif (
            isinstance(method, AnswerCallbackQuery)
            and method.text
            and len(method.text) > CALLBACK_ANSWER_LIMIT
        ):
            method = method.model_copy(update={"text": shorten(method.text, CALLBACK_ANSWER_LIMIT)})
        return await make_request(bot, method)
