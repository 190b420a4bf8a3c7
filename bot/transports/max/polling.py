"""The MAX bot: its aiogram Bot, and the long poll (`GET /updates`) feeding the Dispatcher.

The poll asks with the `marker` of the last answer, so nothing is skipped or repeated;
a webhook subscription left from webhook mode is ended first (MAX does not answer a
long poll while one is active); the marker is saved to `position_file` as soon as the
updates are received (a restart
picks up what came while the bot was down; a crash between receiving and handling loses
those updates rather than answering a reader twice). Failures back off (1 s doubling to
a minute); a rejected token ends the poll with TelegramUnauthorizedError; `stop` ends it
at once (a poll in flight is abandoned, its updates fetched again next time) after the
updates in hand are handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter, TelegramUnauthorizedError
from aiogram.methods import GetMe

from bot.kernel.messengers import register
from bot.transports.max.client import MaxClient, MaxSettings, bot_token
from bot.transports.max.session import MaxSession
from bot.transports.paced import pace_served
from bot.transports.telegram import create_bot

log = logging.getLogger(__name__)
PLATFORM = "max"
RETRY_CAP = 60.0
LONG_POLL_WAIT = 30  # seconds MAX holds a poll open (the schema's default; at most 90)
UPDATE_TYPES = ("message_created", "message_callback", "bot_started")
BATCH = 100  # updates one poll may return (the schema's default; at most 1000)


def max_bot(settings: MaxSettings) -> Bot:
    """An aiogram Bot whose calls go to the MAX bot of `settings.token`."""
    return create_bot(bot_token(settings), session=MaxSession(MaxClient(settings)))


def max_session(bot: Bot) -> MaxSession:
    session = bot.session
    if not isinstance(session, MaxSession):
        msg = "not a MAX bot"
        raise TypeError(msg)
    return session


async def check_token(bot: Bot) -> None:
    """Ask MAX who the bot is: TelegramUnauthorizedError when it refuses the token (what
    `libbot run` turns into one line); other failures pass through."""
    await bot(GetMe())


def event_key(bot_id: int, update: dict[str, Any]) -> str | None:
    """MAX's own identity of an update, so several processes (or a webhook delivery MAX
    repeats) handle it once: the press's callback id, the message's mid."""
    kind = update.get("update_type")
    if kind == "message_callback":
        ident = (update.get("callback") or {}).get("callback_id")
    elif kind == "message_created":
        ident = ((update.get("message") or {}).get("body") or {}).get("mid")
    elif kind == "bot_started":
        user = (update.get("user") or {}).get("user_id")
        ident = f"{user}:{update.get('timestamp')}"
    else:
        ident = None
    return f"max:{bot_id}:{kind}:{ident}" if ident else None


async def feed(
    dp: Dispatcher,
    bot: Bot,
    updates: list[dict[str, Any]],
    *,
    tasks: set[asyncio.Task[Any]] | None = None,
) -> None:
    """Hand MAX updates to the Dispatcher: awaited one by one, or as tasks in `tasks`.
    An update that fails (unreadable, or its handling raised) is logged by its type and
    skipped, so it neither ends the long poll nor makes a webhook answer 500 (which MAX
    would answer by sending it again and again)."""
    session = max_session(bot)
    for raw in updates:
        kind = raw.get("update_type") if isinstance(raw, dict) else None
        try:
            update = session.updates.convert(raw)
            if update is None:
                continue
            handling = dp.feed_update(
                bot, update, platform=PLATFORM, event_key=event_key(session.bot_user.id, raw)
            )
            if tasks is None:
                await handling
                continue
        except Exception as exc:  # noqa: BLE001 — the next update is still handled
            # The type and the error's class only: the update holds a reader's data.
            log.error("MAX update %s skipped: %s", kind, type(exc).__name__)
            continue
        task = asyncio.create_task(handling)
        tasks.add(task)
        task.add_done_callback(tasks.discard)


class MaxPolling:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        *,
        position_file: Path | None = None,
        wait: int = LONG_POLL_WAIT,
        handle_as_tasks: bool = True,
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.session = max_session(bot)
        self.client = self.session.client
        self.position_file = position_file
        self.wait = wait
        self.handle_as_tasks = handle_as_tasks
        self._tasks: set[asyncio.Task[Any]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; updates already received are still handled."""
        register(self.dp, PLATFORM, self.bot)
        pace_served(self.dp, PLATFORM, self.bot)
        try:
            await check_token(self.bot)  # the bot's id and name, for links and mentions
        except TelegramUnauthorizedError:
            raise
        except TelegramAPIError as exc:
            log.warning("MAX bot profile not available now: %s", exc.message)
        await self._end_subscriptions()
        marker = await asyncio.to_thread(self._saved_marker)
        delay = 1.0
        try:
            while not stop.is_set():
                polling = asyncio.ensure_future(self._poll(marker))
                stopping = asyncio.ensure_future(stop.wait())
                await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if not polling.done():
                    polling.cancel()
                    with contextlib.suppress(asyncio.CancelledError, TelegramAPIError):
                        await polling
                    break
                try:
                    answer = polling.result()
                except TelegramUnauthorizedError:
                    raise
                except TelegramAPIError as exc:
                    wait = exc.retry_after if isinstance(exc, TelegramRetryAfter) else delay
                    log.warning("MAX long poll failed (%s); retrying in %.0f s", exc, wait)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), wait)
                    delay = min(delay * 2, RETRY_CAP)
                    continue
                delay = 1.0
                if answer.get("marker") is not None:
                    marker = int(answer["marker"])
                    await asyncio.to_thread(self._save_marker, marker)
                await feed(
                    self.dp,
                    self.bot,
                    list(answer.get("updates") or []),
                    tasks=self._tasks if self.handle_as_tasks else None,
                )
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _end_subscriptions(self) -> None:
        """MAX's long poll answers nothing while a webhook subscription is active (one
        left from webhook mode): polling mode ends them first, as Telegram's polling
        deletes its webhook."""
        try:
            found = await self.client.call(GetMe(), "GET", "/subscriptions")
            for subscription in found.get("subscriptions") or []:
                url = subscription.get("url")
                if url:
                    log.info("MAX webhook subscription %s ended: long polling instead", url)
                    await self.client.call(GetMe(), "DELETE", "/subscriptions", query={"url": url})
        except TelegramUnauthorizedError:
            raise
        except TelegramAPIError as exc:
            log.warning("MAX webhook subscriptions not checked now: %s", exc.message)

    async def _poll(self, marker: int | None) -> dict[str, Any]:
        answer = await self.client.call(
            GetMe(),
            "GET",
            "/updates",
            query={"marker": marker, "timeout": self.wait, "limit": BATCH, "types": UPDATE_TYPES},
            timeout=self.wait + self.client.timeout,
        )
        return answer if isinstance(answer, dict) else {}

    def _saved_marker(self) -> int | None:
        if self.position_file is None or not self.position_file.is_file():
            return None
        raw = self.position_file.read_text(encoding="ascii").strip()
        return int(raw) if raw.lstrip("-").isdigit() else None

    def _save_marker(self, marker: int) -> None:
        if self.position_file is None:
            return
        self.position_file.parent.mkdir(parents=True, exist_ok=True)
        staged = self.position_file.with_name(self.position_file.name + ".new")
        staged.write_text(str(marker), encoding="ascii")
        staged.replace(self.position_file)
