"""The VK community's Bots Long Poll, feeding the one Dispatcher.

One `VkBotLongPoll` for the life of the process, asked with `check()` in a loop:
vk_api's `listen()` would end on the first network error, and a library's bot must
outlive a VK outage. Failures back off (1 s doubling to a minute) and reconnect; the
loop ends when `stop` is set, after the current check (at most `wait` seconds) and the
updates in hand are handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import GetMe
from vk_api.bot_longpoll import VkBotLongPoll
from vk_api.exceptions import ApiError, ApiHttpError

from bot.kernel.config import Vk
from bot.kernel.messengers import register
from bot.transports.paced import pace_served
from bot.transports.telegram import create_bot
from bot.transports.vk.client import (
    AUTHORISATION_FAILED,
    VkClient,
    as_telegram_error,
    vk_error_code,
)
from bot.transports.vk.session import VkSession
from bot.transports.vk.updates import UpdateFactory

log = logging.getLogger(__name__)
PLATFORM = "vk"
RETRY_CAP = 60.0
LONG_POLL_WAIT = 25  # seconds VK holds a check open; VK's own recommendation
NAMES_PER_CALL = 1000


def vk_bot(settings: Vk, client: VkClient | None = None) -> Bot:
    """An aiogram Bot whose calls go to the VK community (token-shaped id: the group)."""
    session = VkSession(client or VkClient(settings))
    return create_bot(f"{settings.group_id}:vk-community", session=session)


def vk_session(bot: Bot) -> VkSession:
    session = bot.session
    if not isinstance(session, VkSession):
        msg = "not a VK bot"
        raise TypeError(msg)
    return session


class VkPolling:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        *,
        wait: int = LONG_POLL_WAIT,
        handle_as_tasks: bool = True,
        position_file: Path | None = None,
    ) -> None:
        self.dp = dp
        # Where the long poll stopped (VK's `ts`), so a restart picks up the messages that
        # came while the bot was down instead of starting from «now».
        self.position_file = position_file
        self.bot = bot
        self.session = vk_session(bot)
        self.client = self.session.client
        self.wait = wait
        self.handle_as_tasks = handle_as_tasks
        self.factory = UpdateFactory(self.session.bot_user, self.session.sent)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; updates already received are still handled."""
        register(self.dp, PLATFORM, self.bot)
        pace_served(self.dp, PLATFORM, self.bot)
        try:
            await self.bot(GetMe())  # the community's name and screen name, for links
        except TelegramUnauthorizedError:
            raise
        except TelegramAPIError as exc:
            log.warning("VK community name not available now: %s", exc.message)
        self.factory.bot_user = self.session.bot_user
        longpoll: VkBotLongPoll | None = None
        last_ts: str | None = await asyncio.to_thread(self._saved_position)
        delay = 1.0
        loop = asyncio.get_running_loop()
        # A thread of its own: the long poll waits up to `wait` seconds in it, and must not
        # queue behind the API calls of a broadcast.
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vk-longpoll")
        try:
            while not stop.is_set():
                try:
                    if longpoll is None:
                        longpoll = await loop.run_in_executor(
                            thread, VkBotLongPoll, self.client.api, self.client.group_id, self.wait
                        )
                        if last_ts is not None:
                            # Resume where we were: what arrived meanwhile is not lost (a
                            # ts VK no longer keeps answers «failed: 1» and a fresh one).
                            longpoll.ts = last_ts
                    events = await loop.run_in_executor(thread, self._check, longpoll)
                    last_ts = longpoll.ts
                except (ApiError, ApiHttpError, requests.RequestException, ValueError) as exc:
                    if vk_error_code(exc) in AUTHORISATION_FAILED:
                        raise as_telegram_error(GetMe(), exc) from exc
                    log.warning("VK long poll failed (%s); retrying in %.0f s", exc, delay)
                    if isinstance(exc, ApiError | ApiHttpError | ValueError):
                        longpoll = None  # ask for a fresh server and key
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), delay)
                    delay = min(delay * 2, RETRY_CAP)
                    continue
                delay = 1.0
                await self.handle([event.raw for event in events])
        finally:
            thread.shutdown(wait=False, cancel_futures=True)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _saved_position(self) -> str | None:
        if self.position_file is None or not self.position_file.is_file():
            return None
        return self.position_file.read_text(encoding="ascii").strip() or None

    def _check(self, longpoll: VkBotLongPoll) -> list[Any]:
        """One long-poll check, in the poll's own thread, and the new position saved.

        Saved when the events are received, not handled: a crash in between loses them,
        a restart never repeats them (a repeat would answer a reader twice)."""
        events = longpoll.check()
        if self.position_file is not None and longpoll.ts is not None:
            self.position_file.parent.mkdir(parents=True, exist_ok=True)
            staged = self.position_file.with_name(self.position_file.name + ".new")
            staged.write_text(str(longpoll.ts), encoding="ascii")
            staged.replace(self.position_file)
        return list(events)

    async def handle(self, events: list[dict[str, Any]]) -> None:
        await self._learn_names(events)
        for event in events:
            update = self.factory.convert(event)
            if update is None:
                continue
            # VK's own event id: several processes polling one community handle it once.
            key = (
                f"vk:{self.client.group_id}:{event['event_id']}" if event.get("event_id") else None
            )
            handling = self.dp.feed_update(self.bot, update, platform=PLATFORM, event_key=key)
            if not self.handle_as_tasks:
                await handling
                continue
            task = asyncio.create_task(handling)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _learn_names(self, events: list[dict[str, Any]]) -> None:
        """Readers' names from users.get, once per person per process (VK events carry
        only ids; the consent step stores the name the reader agreed to share)."""
        wanted: set[int] = set()
        for event in events:
            obj = event.get("object") or {}
            user_id = (obj.get("message") or {}).get("from_id") or obj.get("user_id")
            if isinstance(user_id, int) and 0 < user_id not in self.factory.names:
                wanted.add(user_id)
        ids = sorted(wanted)
        for start in range(0, len(ids), NAMES_PER_CALL):
            chunk = ids[start : start + NAMES_PER_CALL]
            try:
                profiles = await self.client.call(
                    GetMe(), "users.get", user_ids=",".join(map(str, chunk))
                )
            except TelegramAPIError as exc:
                log.info("VK names not available now: %s", exc.message)
                return
            for profile in profiles:
                self.factory.learn_name(
                    int(profile["id"]),
                    profile.get("first_name") or "",
                    profile.get("last_name") or "",
                )
