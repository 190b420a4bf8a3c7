"""Flood protection: a token bucket per messenger user, kept in this process.

A user who exceeds the rate is told once to slow down (and one anonymous activity
row notes the flood); further updates within the same burst are dropped without
touching the database.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.kernel.i18n import Locales
from storage import activity
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import language_from_hint

# Forget buckets of people who went quiet, so memory stays bounded.
IDLE_SECONDS = 600
SWEEP_EVERY = 1000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(
        self,
        locales: Locales,
        db: Database,
        *,
        burst: int,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.locales = locales
        self.db = db
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[tuple[str, int], _Bucket] = {}
        self._seen = 0

    def _allow(self, key: tuple[str, int]) -> tuple[bool, bool]:
        """(allowed, should_warn) for one update from `key`."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    def _sweep(self) -> None:
        self._seen += 1
        if self._seen % SWEEP_EVERY:
            return
        cutoff = self.clock() - IDLE_SECONDS
        for key in [k for k, b in self._buckets.items() if b.updated < cutoff]:
            del self._buckets[key]

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or not isinstance(event, Update):
            return await handler(event, data)
        self._sweep()
        allowed, warn = self._allow((data.get("platform", "telegram"), user.id))
        if allowed:
            return await handler(event, data)
        texts = self.locales.texts(language_from_hint(user.language_code))
        if warn:
            # One row per flood, not per dropped update: the log stays readable.
            platform = data.get("platform", "telegram")
            await activity.record(
                self.db, ActivityNote(platform, ActivityKind.THROTTLED, status="dropped")
            )
        if event.callback_query is not None:
            await event.callback_query.answer(texts("throttled"))
        elif warn and event.message is not None:
            await event.message.answer(texts("throttled"))
        return None
