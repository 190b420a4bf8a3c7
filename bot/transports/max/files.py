"""Files in MAX messages: what the handlers send, as MAX attachment requests.

A file the bot made (a report, a calendar file, a QR ticket) is uploaded through
`POST /uploads` (`type=file`, or `image` for a photo) and sent by its token; a MAX file
id received earlier (a file a reader sent: its token, see `updates`) is sent as it is; a
photo given by URL goes as MAX's `url` image; a file of another messenger — a photo
staff sent in Telegram for an event card — is fetched with `fetch_foreign` and uploaded
once, so every reader and every batch of a broadcast shows the same upload.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
)
from aiogram.types import InputFile

from bot.transports.max.client import MaxClient
from bot.transports.max.updates import FILE_PREFIX, IMAGE_PREFIX

FOREIGN_FILES = 500  # other messengers' photos remembered as MAX uploads


class MaxFiles:
    def __init__(self, client: MaxClient) -> None:
        self.client = client
        self.fetch_foreign: Callable[[str], Awaitable[bytes]] | None = None
        self._foreign: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._uploading: dict[str, asyncio.Lock] = {}

    async def attachment(self, bot: Bot, method: Any, field: str) -> dict[str, Any]:
        """The MAX attachment for the file of a sendDocument / sendPhoto call."""
        file = getattr(method, field)
        kind = "image" if field == "photo" else "file"
        if isinstance(file, str):
            return await self.attachment_for(method, file, kind=kind)
        if not isinstance(file, InputFile):
            raise TelegramBadRequest(
                method=method, message=f"MAX cannot send {type(file).__name__}"
            )
        data = b"".join([chunk async for chunk in file.read(bot)])
        filename = file.filename or ("photo.png" if kind == "image" else "file")
        return {"type": kind, "payload": await self.client.upload(method, kind, data, filename)}

    async def attachment_for(self, method: Any, file_id: str, *, kind: str) -> dict[str, Any]:
        """A MAX attachment for a file id: MAX's own as it is, a URL for MAX to fetch,
        another messenger's fetched and uploaded (a photo once, remembered)."""
        if file_id.startswith(FILE_PREFIX):
            return {"type": "file", "payload": {"token": file_id.removeprefix(FILE_PREFIX)}}
        if file_id.startswith(IMAGE_PREFIX):
            return {"type": "image", "payload": {"token": file_id.removeprefix(IMAGE_PREFIX)}}
        if kind == "image" and file_id.startswith(("https://", "http://")):
            return {"type": "image", "payload": {"url": file_id}}
        fetch = self.fetch_foreign
        if fetch is None:
            raise TelegramBadRequest(
                method=method, message="MAX cannot send a file of another messenger"
            )
        if kind != "image":
            data = await _fetched(method, fetch, file_id)
            return {"type": "file", "payload": await self.client.upload(method, kind, data, "file")}
        # Batches of one announcement go out side by side: one upload for all of them.
        async with self._uploading.setdefault(file_id, asyncio.Lock()):
            payload = self._foreign.get(file_id)
            if payload is None:
                data = await _fetched(method, fetch, file_id)
                payload = await self.client.upload(method, "image", data, "photo.jpg")
                self._foreign[file_id] = payload
                while len(self._foreign) > FOREIGN_FILES:
                    self._foreign.popitem(last=False)
        self._uploading.pop(file_id, None)
        return {"type": "image", "payload": payload}


async def _fetched(method: Any, fetch: Callable[[str], Awaitable[bytes]], file_id: str) -> bytes:
    """The file's bytes from the other messenger. It refusing the file (gone, too big) is a
    bad request; it being unreachable a server error, so a broadcast retries later."""
    try:
        return await fetch(file_id)
    except (TelegramBadRequest, TelegramNotFound) as exc:
        raise TelegramBadRequest(
            method=method, message=f"the file could not be fetched: {exc}"
        ) from exc
    except (TelegramAPIError, TelegramNetworkError, aiohttp.ClientError, TimeoutError) as exc:
        raise TelegramServerError(
            method=method, message=f"the file could not be fetched now: {exc}"
        ) from exc
