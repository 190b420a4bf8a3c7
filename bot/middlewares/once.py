"""Each update handled once, however many processes receive it.

Behind a load balancer Telegram may deliver an update again (its webhook call timed
out while a process was still handling it), and every process long-polling a VK
community receives every event. With Redis configured, the first process to claim an
update (`SET NX` with an expiry) handles it; the others drop it silently. The key is
the messenger's own id for the event: Telegram's update id (per bot), VK's event id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis

log = logging.getLogger(__name__)
REMEMBER_SECONDS = 24 * 3600  # Telegram keeps an undelivered update for a day


def update_key(data: dict[str, Any], event: Update, prefix: str = "libbot") -> str:
    """The messenger's id for this event: VK passes its event id, Telegram has one."""
    own = data.get("event_key")
    if own:
        return f"{prefix}:once:{own}"
    bot = data.get("bot")
    platform = data.get("platform", "telegram")
    return f"{prefix}:once:{platform}:{getattr(bot, 'id', 0)}:{event.update_id}"


class OnceMiddleware(BaseMiddleware):
    def __init__(self, redis: Redis, prefix: str = "libbot") -> None:
        self.redis = redis
        self.prefix = prefix

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        key = update_key(data, event, self.prefix)
        if not await self.redis.set(key, "1", nx=True, ex=REMEMBER_SECONDS):
            log.debug("update %s already handled by another process", key)
            return None
        return await handler(event, data)
