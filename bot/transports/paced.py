"""Every call a handler makes waits for its turn in the token's `Pacer` and is retried when
the messenger answers «retry after N» (Telegram's 429, VK's «too many requests»): aiogram
does not retry a 429 by itself, and a reader whose answer was refused would hear nothing.

A reply that could not go out within a minute of its first try has lost its point (the
reader has pressed again, or given up): it is dropped with a log line instead of arriving
late. The outbox sender paces and retries its own calls (`PACED_BY_CALLER`), so they pass
through untouched. Calls the messenger does not count (answering a button press, polling,
chat actions) are not paced, only retried.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import TelegramMethod

from bot.kernel.config import Config
from broadcasts.pacing import PACED_BY_CALLER, MemoryBudget, Pacer, Priority, Rates, RedisBudget

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 60.0
# What Telegram counts against a bot's message limits: messages and their edits.
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)


class Paced(BaseRequestMiddleware):
    def __init__(
        self, pacer: Pacer, *, max_age: float = MAX_AGE_SECONDS, every_call: bool = False
    ) -> None:
        self.pacer = pacer
        self.max_age = max_age
        # MAX counts every request against its limit (a button's answer, a chat action,
        # an upload), not only messages.
        self.every_call = every_call
        self.dropped = 0  # replies given up on (for tests and metrics)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if PACED_BY_CALLER.get():
            return await make_request(bot, method)
        counted = self.every_call or method.__api_method__ in COUNTED
        chat = str(getattr(method, "chat_id", None) or "")
        deadline = time.monotonic() + self.max_age
        while True:
            if counted:
                try:
                    await asyncio.wait_for(
                        self.pacer.turn(chat, Priority.REPLY), deadline - time.monotonic()
                    )
                except TimeoutError:
                    self._drop(method, chat, "no turn")
                    raise ReplyDropped(method, "no turn within the deadline") from None
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as refusal:
                self.pacer.pause(refusal.retry_after)
                if time.monotonic() + refusal.retry_after > deadline:
                    self._drop(method, chat, f"retry after {refusal.retry_after} s")
                    raise
                if not counted:  # the pacer does not wait for it: wait here
                    await asyncio.sleep(refusal.retry_after)

    def _drop(self, method: TelegramMethod[Any], chat: str, why: str) -> None:
        self.dropped += 1
        log.warning(
            "%s to chat %s dropped after %.0f s: %s",
            method.__api_method__,
            chat or "-",
            self.max_age,
            why,
        )


class ReplyDropped(TelegramAPIError):
    """A reply that waited past its deadline for a turn: not sent, never will be."""


def pacer_of(bot: Bot) -> Pacer | None:
    pacer: Pacer | None = getattr(bot.session, "libbot_pacer", None)
    return pacer


def pace(
    bot: Bot,
    rates: Rates,
    *,
    redis: Any = None,
    key: str = "",
    max_age: float = MAX_AGE_SECONDS,
    every_call: bool = False,
) -> Pacer:
    """The bot's pacer: made once per bot (its session), shared by whoever asks after —
    the transport for replies, the sender for the outbox. With `redis`, the budget is
    shared by every process using `key` (one per token)."""
    existing = pacer_of(bot)
    if existing is not None:
        return existing
    budget = RedisBudget(redis, key, rates) if redis is not None and key else MemoryBudget(rates)
    pacer = Pacer(budget)
    bot.session.middleware(Paced(pacer, max_age=max_age, every_call=every_call))
    bot.session.libbot_pacer = pacer  # type: ignore[attr-defined]
    return pacer


def pace_for(bot: Bot, platform: str, config: Config, redis: Any = None) -> Pacer:
    """The pacer with the messenger's limits from the config (`[telegram] rate`,
    `chat_burst`; `[vk] rate` and `[max] rate`, where neither has a per-chat limit)."""
    if platform == "telegram":
        rates = Rates(
            config.telegram.rate, chat_interval=1.0, chat_burst=config.telegram.chat_burst
        )
    elif platform == "max":  # MAX names no per-chat limit, only 30 requests a second
        rates = Rates(config.max.rate, chat_interval=0.0)
    else:
        rates = Rates(config.vk.rate, chat_interval=0.0)
    digest = hashlib.sha256(str(bot.token).encode()).hexdigest()[:16]
    key = f"{config.redis.prefix}:pace:{platform}:{digest}"
    deadline = config.limits.reply_deadline_seconds
    every_call = platform == "max"
    return pace(bot, rates, redis=redis, key=key, max_age=deadline, every_call=every_call)


def pace_served(dp: Dispatcher, platform: str, bot: Bot) -> Pacer | None:
    """A transport starting to serve `bot`: its replies take turns in the token's pacer
    (made here, or the one the sender of this process already made)."""
    config = dp.workflow_data.get("config")
    if not isinstance(config, Config):
        return None
    return pace_for(bot, platform, config, getattr(dp.storage, "redis", None))
