"""Files in VK messages: what the handlers send, turned into VK attachments.

A file the bot made (a report, a calendar file, a QR ticket) is uploaded through VK's
upload servers for the conversation it goes to; a VK file id received earlier (a file a
reader sent) is sent as it is; a file of another messenger — a photo staff sent in
Telegram for an event card or an announcement — is fetched with `fetch_foreign` and
uploaded to the community once, so every conversation and every batch of a broadcast
shows the same upload.
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

from bot.transports.vk.client import VkClient

FILE_PREFIXES = ("doc", "photo")  # VK attachment ids: doc-123_456, photo123_456_key
FOREIGN_FILES = 500  # other messengers' photos remembered as VK attachments


class VkFiles:
    def __init__(self, client: VkClient) -> None:
        self.client = client
        self.fetch_foreign: Callable[[str], Awaitable[bytes]] | None = None
        self._foreign: OrderedDict[str, str] = OrderedDict()
        self._uploading: dict[str, asyncio.Lock] = {}

    async def upload(self, bot: Bot, method: Any, field: str) -> str:
        """The VK attachment for the file of a sendDocument / sendPhoto call."""
        file = getattr(method, field)
        peer_id = int(method.chat_id)
        if isinstance(file, str):
            return await self.attachment_for(method, file, kind=field, peer_id=peer_id)
        if not isinstance(file, InputFile):
            raise TelegramBadRequest(method=method, message=f"VK cannot send {type(file).__name__}")
        data = b"".join([chunk async for chunk in file.read(bot)])
        filename = file.filename or field
        if field == "photo":
            return await self.client.upload_photo(method, data, filename, peer_id)
        return await self.client.upload_document(method, data, filename, peer_id)

    async def attachment_for(
        self, method: Any, file_id: str, *, kind: str, peer_id: int = 0
    ) -> str:
        """A VK attachment for a file id: VK's own as it is, another messenger's fetched
        and uploaded (a photo once, to the community; a document for its conversation)."""
        if file_id.startswith(FILE_PREFIXES):
            return file_id
        fetch = self.fetch_foreign
        if fetch is None:
            raise TelegramBadRequest(
                method=method, message="VK cannot send a file of another messenger"
            )
        if kind != "photo":
            data = await _fetched(method, fetch, file_id)
            return await self.client.upload_document(method, data, "file", peer_id)
        # Batches of one announcement go out side by side: one upload for all of them.
        async with self._uploading.setdefault(file_id, asyncio.Lock()):
            attachment = self._foreign.get(file_id)
            if attachment is None:
                data = await _fetched(method, fetch, file_id)
                attachment = await self.client.upload_photo(method, data, "photo.jpg", 0)
                self._foreign[file_id] = attachment
                while len(self._foreign) > FOREIGN_FILES:
                    self._foreign.popitem(last=False)
        self._uploading.pop(file_id, None)
        return attachment


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
