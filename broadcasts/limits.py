"""Pacing for a messenger's limits: a global rate, a minimum gap per chat, and a pause
for the whole sender when the API says «retry after N seconds» (429)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]

# Chats whose last send is older than this are forgotten, so memory stays bounded.
CHAT_MEMORY_SECONDS = 60.0


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        *,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.per_chat_interval = per_chat_interval
        self.clock = clock
        self.sleep = sleep
        self._last_start = float("-inf")
        self._resume_at = 0.0
        self._chat_next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """The API asked everyone to wait (429 retry_after): nothing starts before then."""
        self._resume_at = max(self._resume_at, self.clock() + seconds)

    def refund(self) -> None:
        """A call the API refused without sending anything (blocked user, bad request, 5xx)
        spent no message of the rate: the next turn may come one interval sooner."""
        self._last_start -= self.interval

    async def wait(self, chat_id: str) -> None:
        """Wait for this chat's turn; turns are taken one at a time, in call order.

        Spacing is measured between actual starts, so a busy event loop cannot make
        several late sends go out in one burst (which a strict API answers with 429),
        and a pause announced while waiting is honoured before going.
        """
        async with self._lock:
            while True:
                now = self.clock()
                start = max(
                    now,
                    self._last_start + self.interval,
                    self._resume_at,
                    self._chat_next.get(chat_id, 0.0),
                )
                if start <= now:
                    break
                await self.sleep(start - now)
            self._last_start = now
            self._chat_next[chat_id] = now + self.per_chat_interval
            if len(self._chat_next) > 10_000:
                cutoff = now - CHAT_MEMORY_SECONDS
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > cutoff}
