"""Pacing for a messenger's limits: a global rate, a minimum gap per chat, and a pause
for the whole sender when the API says «retry after N seconds» (429)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]

# Chats whose last send is older than this are forgotten, so memory stays bounded.
CHAT_MEMORY_SECONDS = 60.0


# The messenger's "N per second" is kept over a slightly longer window, so a request that
# reaches the API a few milliseconds later or sooner than it started cannot make it N + 1.
WINDOW_MARGIN = 0.03
# Starts may come this much closer than 1/rate, to catch up after a late wake-up (a busy
# event loop) instead of losing the turn for good; the window still caps any second at N.
CATCH_UP = 0.5


class RateLimiter:
    """At most `per_second` starts in any window of (1 + WINDOW_MARGIN) seconds, never two
    closer than CATCH_UP / per_second, one per `per_chat_interval` per chat, and nothing at
    all while the API's «retry after» lasts."""

    def __init__(
        self,
        per_second: float,
        *,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.capacity = max(1, round(per_second)) if per_second > 0 else 0
        self.window = self.capacity / per_second * (1 + WINDOW_MARGIN) if per_second > 0 else 0.0
        self.min_gap = CATCH_UP / per_second if per_second > 0 else 0.0
        self.per_chat_interval = per_chat_interval
        self.clock = clock
        self.sleep = sleep
        self._starts: deque[float] = deque()
        self._last_start = float("-inf")
        self._resume_at = 0.0
        self._chat_next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """The API asked everyone to wait (429 retry_after): nothing starts before then."""
        self._resume_at = max(self._resume_at, self.clock() + seconds)

    def refund(self, started: float) -> None:
        """The call that started at `started` was refused without sending anything (blocked
        user, bad request, 5xx): it does not count against the window."""
        with contextlib.suppress(ValueError):
            self._starts.remove(started)

    async def wait(self, chat_id: str) -> float:
        """Wait for this chat's turn; turns are taken one at a time, in call order. Returns
        the start's time, the token `refund` takes.

        Turns are counted by their actual starts, so a pause announced while waiting is
        honoured before going, and a late start is caught up within the window rather than
        letting several late sends go out in one burst.
        """
        async with self._lock:
            while True:
                now = self.clock()
                while self._starts and self._starts[0] <= now - self.window:
                    self._starts.popleft()
                start = max(
                    now,
                    self._last_start + self.min_gap,
                    self._resume_at,
                    self._chat_next.get(chat_id, 0.0),
                )
                if self.capacity and len(self._starts) >= self.capacity:
                    start = max(start, self._starts[0] + self.window)
                if start <= now:
                    break
                await self.sleep(start - now)
            if self.capacity:
                self._starts.append(now)
            self._last_start = now
            self._chat_next[chat_id] = now + self.per_chat_interval
            if len(self._chat_next) > 10_000:
                cutoff = now - CHAT_MEMORY_SECONDS
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > cutoff}
            return now
