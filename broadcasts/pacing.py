"""One pacer per bot token, shared by the conversation's replies and the outbox sender:
the messenger's overall rate, its per-chat rate with a small burst, «retry after» pauses,
and replies to a reader's own action before bulk traffic.

Why one for both: Telegram counts every message a bot sends against one budget (about 30 a
second, about one a second per chat). A sender that paces itself while the replies do not
lets a broadcast and a crowd of readers together overrun it, and the readers' answers are
the ones refused. Here every send takes a turn from the same `Pacer`; turns go by priority
(a reply before a notice before a broadcast), then in the order asked, and a chat whose own
rate is used up does not hold up the others.

The budget lives in memory for one process, or in Redis (`RedisBudget`) when several
processes serve one token: the same sliding window and per-chat cells, kept by a Lua script
so two processes never take the same slot. Bulk traffic leaves a reserve of each second to
replies, so even across processes a broadcast never takes the whole budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

Clock = Callable[[], float]

# Set by a caller that paces its own calls (the outbox sender): the session middleware
# then leaves them alone.
PACED_BY_CALLER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "paced_by_caller", default=False
)
WINDOW_MARGIN = 0.03  # the window is kept a little longer than a second (see limits.py)
CATCH_UP = 0.5  # starts may come this much closer than 1/rate
CHAT_MEMORY_SECONDS = 60.0


class Priority(enum.IntEnum):
    REPLY = 0  # an answer to what a reader just did
    NOTICE = 1  # a personal notice (a reminder, a staff answer)
    BULK = 2  # a broadcast


@dataclass(frozen=True)
class Rates:
    """A messenger's limits for one token."""

    per_second: float  # overall
    chat_interval: float = 1.0  # seconds between messages to one chat, after the burst
    chat_burst: int = 3  # messages one chat may get at once
    reserve: int = 3  # of each second's starts, kept for replies (bulk may not take them)


@dataclass(frozen=True)
class Refusal:
    """Not now: how long to wait, and whether it is the whole budget (every turn of this
    priority and lower waits) or only this chat's."""

    wait: float
    everyone: bool


class Budget(Protocol):
    async def take(self, chat: str, priority: Priority) -> Refusal | Any: ...
    async def give_back(self, token: Any) -> None: ...
    def pause(self, seconds: float) -> None: ...


class MemoryBudget:
    """The budget of one process: a sliding window of starts and a cell per chat (GCRA:
    a chat may be `chat_burst` messages ahead of its rate, no more)."""

    def __init__(self, rates: Rates, clock: Clock = time.monotonic) -> None:
        self.rates = rates
        self.clock = clock
        self.capacity = max(1, round(rates.per_second))
        self.window = self.capacity / rates.per_second * (1 + WINDOW_MARGIN)
        self.min_gap = CATCH_UP / rates.per_second
        self._starts: deque[float] = deque()
        self._last = float("-inf")
        self._resume_at = 0.0
        self._chat_due: dict[str, float] = {}  # the theoretical arrival time per chat

    def _limit(self, priority: Priority) -> int:
        reserve = min(self.rates.reserve, self.capacity - 1) if priority > Priority.REPLY else 0
        return self.capacity - reserve

    async def take(self, chat: str, priority: Priority) -> Refusal | float:
        now = self.clock()
        if now < self._resume_at:
            return Refusal(self._resume_at - now, everyone=True)
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        limit = self._limit(priority)
        if len(self._starts) >= limit:
            return Refusal(self._starts[len(self._starts) - limit] + self.window - now, True)
        if now < self._last + self.min_gap:
            return Refusal(self._last + self.min_gap - now, everyone=True)
        interval = self.rates.chat_interval
        if interval > 0:
            due = max(self._chat_due.get(chat, now), now)
            allowed_from = due - interval * (self.rates.chat_burst - 1)
            if now < allowed_from:
                return Refusal(allowed_from - now, everyone=False)
            self._chat_due[chat] = due + interval
            if len(self._chat_due) > 10_000:
                self._chat_due = {c: t for c, t in self._chat_due.items() if t > now}
        self._starts.append(now)
        self._last = now
        return now

    async def give_back(self, token: Any) -> None:
        self.refund(token)

    def refund(self, token: Any) -> None:
        with contextlib.suppress(ValueError):
            self._starts.remove(token)

    def pause(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, self.clock() + seconds)


# KEYS: the window (a sorted set of starts), this chat's cell, the pause.
# ARGV: now (ms), window (ms), limit for this priority, min gap (ms), chat interval (ms),
# chat burst, a unique member for this start.
# Returns {0, member} when taken, {wait_ms, 1} for the whole budget, {wait_ms, 0} for the chat.
_TAKE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local gap = tonumber(ARGV[4])
local interval = tonumber(ARGV[5])
local burst = tonumber(ARGV[6])
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if now < paused then return {paused - now, 1} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return {math.max(1, tonumber(nth[2]) + window - now), 1}
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and now < tonumber(last[2]) + gap then
  return {math.max(1, tonumber(last[2]) + gap - now), 1}
end
if interval > 0 then
  local due = math.max(tonumber(redis.call('GET', KEYS[2]) or now), now)
  local allowed = due - interval * (burst - 1)
  if now < allowed then return {math.max(1, allowed - now), 0} end
  redis.call('SET', KEYS[2], due + interval, 'PX', math.ceil(interval * burst + 1000))
end
redis.call('ZADD', KEYS[1], now, ARGV[7])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 2))
return {0, ARGV[7]}
"""


class RedisBudget:
    """The same budget kept in Redis for every process serving one token."""

    def __init__(self, redis: Any, key: str, rates: Rates) -> None:
        self.redis = redis
        self.key = key  # "<prefix>:pace:<platform>:<token digest>"
        self.rates = rates
        self.capacity = max(1, round(rates.per_second))
        self.window_ms = self.capacity / rates.per_second * (1 + WINDOW_MARGIN) * 1000
        self.gap_ms = CATCH_UP / rates.per_second * 1000
        self._script = redis.register_script(_TAKE)
        self._members = itertools.count()
        self._me = f"{time.time_ns()}-{id(self)}"
        self._resume_at = 0.0  # this process's own pause, before Redis has heard of it
        self._pending: set[asyncio.Task[Any]] = set()

    async def take(self, chat: str, priority: Priority) -> Refusal | str:
        now = time.monotonic()
        if now < self._resume_at:
            return Refusal(self._resume_at - now, everyone=True)
        reserve = min(self.rates.reserve, self.capacity - 1) if priority > Priority.REPLY else 0
        member = f"{self._me}-{next(self._members)}"
        now_ms = time.time() * 1000
        wait, whom = await self._script(
            keys=[f"{self.key}:window", f"{self.key}:chat:{chat}", f"{self.key}:pause"],
            args=[
                now_ms,
                self.window_ms,
                self.capacity - reserve,
                self.gap_ms,
                self.rates.chat_interval * 1000,
                self.rates.chat_burst,
                member,
            ],
        )
        if wait == 0 or wait == b"0":
            return member
        everyone = int(whom) == 1
        return Refusal(float(wait) / 1000, everyone=everyone)

    async def give_back(self, token: Any) -> None:
        await self.redis.zrem(f"{self.key}:window", token)

    def pause(self, seconds: float) -> None:
        """Here at once; for the other processes as soon as Redis has it."""
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)
        task = asyncio.get_running_loop().create_task(self._pause_everywhere(seconds))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _pause_everywhere(self, seconds: float) -> None:
        until = int(time.time() * 1000 + seconds * 1000)
        await self.redis.set(f"{self.key}:pause", until, px=int(seconds * 1000) + 1000)


@dataclass(order=True)
class _Turn:
    priority: int
    order: int
    chat: str = field(compare=False)
    granted: asyncio.Future[Any] = field(compare=False)


class Pacer:
    """Hands out turns from a `Budget`: by priority, then in the order asked."""

    def __init__(self, budget: Budget, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self.budget = budget
        self.sleep = sleep
        self._waiting: list[_Turn] = []
        self._order = itertools.count()
        self._arrived = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return sum(1 for t in self._waiting if not t.granted.done())

    async def turn(self, chat: str, priority: Priority = Priority.REPLY) -> Any:
        """Wait for a turn to send to `chat`; the token `give_back` takes."""
        turn = _Turn(
            int(priority), next(self._order), chat, asyncio.get_running_loop().create_future()
        )
        heapq.heappush(self._waiting, turn)
        self._arrived.set()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._hand_out(), name="pacer")
        return await turn.granted

    async def give_back(self, token: Any) -> None:
        """The call was refused without sending (blocked user, 5xx): it did not count."""
        await self.budget.give_back(token)

    def pause(self, seconds: float) -> None:
        """The messenger said «retry after»: nothing starts before then."""
        self.budget.pause(seconds)
        self._arrived.set()  # turns already computed wake and see it

    def lane(self, priority: Priority) -> Lane:
        return Lane(self, priority)

    async def _hand_out(self) -> None:
        while self._waiting:
            self._arrived.clear()
            soonest: float | None = None
            blocked_from: int | None = None  # this priority and lower wait for the budget
            for turn in sorted(self._waiting):
                if turn.granted.done():
                    continue
                if blocked_from is not None and turn.priority >= blocked_from:
                    break
                taken = await self.budget.take(turn.chat, Priority(turn.priority))
                if isinstance(taken, Refusal):
                    soonest = taken.wait if soonest is None else min(soonest, taken.wait)
                    if taken.everyone:
                        blocked_from = turn.priority
                    continue
                turn.granted.set_result(taken)
            self._waiting = [t for t in self._waiting if not t.granted.done()]
            heapq.heapify(self._waiting)
            if not self._waiting:
                return
            if soonest is None:
                continue
            waking = asyncio.ensure_future(self._arrived.wait())
            try:
                await asyncio.wait({waking}, timeout=max(soonest, 0.001))
            finally:
                waking.cancel()


@dataclass(frozen=True)
class Lane:
    """A pacer seen by one kind of traffic, with the limiter's interface the sender uses
    (`wait` → token, `refund(token)`, `pause(seconds)`)."""

    pacer: Pacer
    priority: Priority

    async def wait(self, chat_id: str) -> Any:
        return await self.pacer.turn(str(chat_id), self.priority)

    def refund(self, token: Any) -> None:
        budget = self.pacer.budget
        if isinstance(budget, MemoryBudget):
            budget.refund(token)
            return
        task = asyncio.get_running_loop().create_task(self.pacer.give_back(token))
        _KEEP.add(task)
        task.add_done_callback(_KEEP.discard)

    def pause(self, seconds: float) -> None:
        self.pacer.pause(seconds)


_KEEP: set[asyncio.Task[Any]] = set()  # fire-and-forget refunds, kept until done
