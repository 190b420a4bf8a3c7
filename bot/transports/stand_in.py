"""A Bot API session that carries the methods out itself instead of sending them to
Telegram: the console prints them, the VK session turns them into VK API calls.

aiogram hands every outbound call to `make_request`; a subclass has an async
`_api_<method name>(bot, method)` for each method the handlers use, returning what the
Bot API would have answered, so handlers never know who carries them out. A method
without one fails loudly (TelegramBadRequest «… cannot carry out …») rather than
silently.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType


class StandInSession(BaseSession):
    """The dispatch of Bot API methods to `_api_<name>`; subclasses carry them out."""

    carrier: ClassVar[str]  # who cannot carry out a method: «the console», «VK»
    no_downloads: ClassVar[str]  # why a file cannot be downloaded through it

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's BaseSession signature
    ) -> TelegramType:
        name = method.__api_method__
        carry_out: Callable[[Bot, Any], Awaitable[Any]] | None = getattr(self, f"_api_{name}", None)
        if carry_out is None:
            raise TelegramBadRequest(
                method=method, message=f"{self.carrier} cannot carry out {name}"
            )
        result = await carry_out(bot, method)
        payload = json.dumps({"ok": True, "result": result}, default=str)
        return self.check_response(bot, method, 200, payload).result  # type: ignore[return-value]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's BaseSession signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError(self.no_downloads)
        yield b""  # pragma: no cover
