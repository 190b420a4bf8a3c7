"""Drain the outbox for one messenger within its limits, exactly once per recipient.

Each row is marked `sending` just before the API call and `sent` only after the
API accepted it. What a refusal means is decided once, by `classify`: a 429 pauses the
whole sender for retry_after and puts the row back; 5xx and refused connections are
retried with backoff; a timeout after the request went out is `unknown` (never resent
blindly); «blocked by the user» (403) is `blocked` and unsubscribes the person. Sends
run concurrently (a request takes longer than the 1/30 s between them) but start no
faster than the limiter allows.

A little over 400 lines, kept whole: the refusals' meanings and the three ways of sending
(one message, a batch, a deletion) that act on them are read together.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters

from bot.kernel.metrics import Metrics
from broadcasts.limits import RateLimiter
from broadcasts.pacing import PACED_BY_CALLER, Lane
from storage import outbox, subscriptions
from storage.db import Database
from storage.outbox import Delivery, Job, Report

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# What a send ended in, as /metrics counts it (the states between are not results).
RESULTS = frozenset(
    {Delivery.SENT, Delivery.BLOCKED, Delivery.FAILED, Delivery.UNKNOWN, Delivery.RECALLED}
)
STALE_AFTER = timedelta(minutes=2)  # a claim or send older than this belongs to a dead sender
IDLE_SECONDS = 1.0
MAX_PAUSE = 60.0
ERROR_LENGTH = 300  # what an outbox row keeps of the messenger's words
# Messengers whose limit counts every request to their API, whatever it answered (MAX:
# «30 rps»): a refused send keeps its turn. Telegram and VK count the messages they took,
# so a send refused without sending gives its turn back.
EVERY_REQUEST_COUNTS = frozenset({"max"})


class Outcome(enum.Enum):
    """What a messenger's refusal means for the message (VK's errors arrive as Telegram's,
    bot/transports/vk/client.py); each way of sending decides what it does with each."""

    RETRY_AFTER = "retry after"  # 429: everyone waits `retry_after` seconds; nothing was sent
    BLOCKED = "blocked"  # 403: the person blocked the bot (VK 900/901/902)
    REJECTED = "rejected"  # 400/404: this message cannot go (a bad chat, a message gone)
    UNREACHED = "unreached"  # 5xx or a refused connection: it did not arrive; try again
    UNCERTAIN = "uncertain"  # the request went out and no answer came: it may have arrived
    REFUSED = "refused"  # any other refusal (a rejected token, a conflict): the bot's own


@dataclass(frozen=True, slots=True)
class Failure:
    outcome: Outcome
    error: str  # the messenger's words, as a row keeps them
    retry_after: float = 0.0

    @property
    def counted(self) -> bool:
        """Whether the call still counts against the rate: a 429 is the limit itself, and a
        request that went out unanswered may have been sent; every other refusal sent
        nothing, so its turn is given back."""
        return self.outcome in (Outcome.RETRY_AFTER, Outcome.UNCERTAIN)


# Each refusal of the messenger, most specific first (VK's arrive as Telegram's).
REFUSALS: tuple[tuple[type[TelegramAPIError], Outcome], ...] = (
    (TelegramRetryAfter, Outcome.RETRY_AFTER),
    (TelegramForbiddenError, Outcome.BLOCKED),
    (TelegramBadRequest, Outcome.REJECTED),
    (TelegramNotFound, Outcome.REJECTED),
    (TelegramServerError, Outcome.UNREACHED),
    (TelegramNetworkError, Outcome.UNCERTAIN),  # UNREACHED if the connection was refused
    (TelegramAPIError, Outcome.REFUSED),
)


def classify(exc: BaseException) -> Failure | None:
    """What a send's exception means, for every way of sending; None for anything that is
    not a messenger's answer (a bug: the row is left to recovery, never resent blindly)."""
    if not isinstance(exc, TelegramAPIError):
        return None
    outcome = next(outcome for kind, outcome in REFUSALS if isinstance(exc, kind))
    if outcome is Outcome.UNCERTAIN and "ClientConnectorError" in exc.message:
        outcome = Outcome.UNREACHED  # it never reached the server: safe to send again
    retry_after = float(getattr(exc, "retry_after", 0))
    return Failure(outcome, exc.message[:ERROR_LENGTH], retry_after)


def message_markup(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """Link buttons of announcements, and the callback buttons of personal notices
    («Продлить»), which the bot's own handlers answer like any other press."""
    rows = []
    for b in buttons:
        if not b.get("text"):
            continue
        if b.get("url"):
            rows.append([InlineKeyboardButton(text=b["text"][:64], url=b["url"])])
        elif b.get("callback_data"):
            rows.append(
                [InlineKeyboardButton(text=b["text"][:64], callback_data=b["callback_data"])]
            )
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2**attempt, 300))


def _paces_its_own_calls(
    work: Callable[[Sender, asyncio.Event | None], Awaitable[int]],
) -> Callable[[Sender, asyncio.Event | None], Awaitable[int]]:
    """The sender waits for its turns and handles «retry after» itself: the session's
    pacing (for the conversation's replies) leaves its calls, and the tasks it starts, alone."""

    @functools.wraps(work)
    async def paced(self: Sender, stop: asyncio.Event | None = None) -> int:
        token = PACED_BY_CALLER.set(True)
        try:
            return await work(self, stop)
        finally:
            PACED_BY_CALLER.reset(token)

    return paced


class Sender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        platform: str,
        limiter: RateLimiter | Lane | None = None,
        concurrency: int = 16,
        batch: int = 100,
        on_report: Callable[[Report], Awaitable[None]] | None = None,
        metrics: Metrics | None = None,
        retry_backoff: Callable[[int], timedelta] = backoff,
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        self.db = db
        self.bot = bot
        self.platform = platform
        self.limiter = limiter or RateLimiter(30.0)
        self.concurrency = concurrency
        self.batch = batch
        self.on_report = on_report
        self.metrics = metrics
        self.retry_backoff = retry_backoff
        self.stale_after = stale_after

    async def recover(self) -> None:
        untried, interrupted = await outbox.recover(
            self.db, self.platform, older_than=self.stale_after
        )
        if untried or interrupted:
            log.warning(
                "outbox recovery: %s claims returned, %s interrupted sends marked unknown",
                untried,
                interrupted,
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; owned and awaited by whoever started it.

        Stale claims are recovered at start and whenever the sender is idle, so rows a
        crashed sender held come back once their lease (`stale_after`) has run out.
        """
        pause = IDLE_SECONDS
        while not stop.is_set():
            try:
                await self.recover()
                sent = await self.drain(stop)
                pause = IDLE_SECONDS
            except Exception:
                log.exception("the %s sender failed; trying again in %.0f s", self.platform, pause)
                sent = 0
                pause = min(pause * 2, MAX_PAUSE)
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)

    @_paces_its_own_calls
    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Deliver everything claimable now; return how many rows were handled.

        A pipeline, not batch by batch: new rows are claimed while earlier sends are
        still in flight, so one slow answer (a timeout) never stalls the others.
        """
        handled = 0
        gate = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            gate.release()

        handled += await self.delete_recalled(stop)
        while stop is None or not stop.is_set():
            jobs = await outbox.claim(self.db, self.platform, self.batch)
            if not jobs:
                if not tasks:
                    break
                # In-flight sends may put rows back (retries): look again when they end.
                await asyncio.wait(set(tasks))
                continue
            groups = self._groups(jobs)
            for position, group in enumerate(groups):
                if stop is not None and stop.is_set():
                    rest = [j.outbox_id for g in groups[position:] for j in g]
                    await outbox.release(self.db, rest)
                    break
                await gate.acquire()
                if len(group) == 1:
                    started = await self.limiter.wait(group[0].chat_id)
                    task = asyncio.create_task(self._deliver(group[0], started))
                else:
                    started = await self.limiter.wait(f"batch-{group[0].outbox_id}")
                    task = asyncio.create_task(self._deliver_many(group, started))
                tasks.add(task)
                task.add_done_callback(finished)
                handled += len(group)
        if tasks:
            await asyncio.wait(set(tasks))
        for report in await outbox.finish_completed(self.db):
            if self.on_report is not None:
                await self.on_report(report)
        return handled

    @_paces_its_own_calls
    async def delete_recalled(self, stop: asyncio.Event | None = None) -> int:
        """Delete the messages of recalled broadcasts, within the same limits as sending.
        Deleting is safe to repeat, so a lost answer is simply tried again."""
        handled = 0
        while stop is None or not stop.is_set():
            deletions = await outbox.claim_deletions(self.db, self.platform, self.batch)
            if not deletions:
                break
            for item in deletions:
                await self.limiter.wait(item.chat_id)
                await self._delete(item)
                handled += 1
        return handled

    async def _delete(self, item: outbox.Deletion) -> None:
        try:
            await self.bot.delete_message(item.chat_id, int(item.message_id))
        except Exception as exc:
            failure = classify(exc)
            if failure is None or failure.outcome is Outcome.REFUSED:
                raise  # the drain fails and is tried again; the row waits for its lease
            await self._not_deleted(item, failure)
        else:
            await self._mark(item.outbox_id, Delivery.RECALLED)

    async def _not_deleted(self, item: outbox.Deletion, failure: Failure) -> None:
        match failure.outcome:
            case Outcome.RETRY_AFTER:
                self.limiter.pause(failure.retry_after)
                await self._mark(item.outbox_id, Delivery.RECALL)
            case Outcome.BLOCKED | Outcome.REJECTED:
                # Too old to delete, already deleted, or the person blocked the bot.
                await self._mark(item.outbox_id, Delivery.UNRECALLED, error=failure.error)
            case _:
                # Left «recalling»: recovery puts it back after the lease, a natural backoff.
                log.info(
                    "deleting message %s in %s failed for now: %s",
                    item.message_id,
                    item.chat_id,
                    failure.error,
                )

    async def _send(self, job: Job) -> Message:
        markup = message_markup(job.buttons)
        reply = await self._reply_to(job)
        if job.photo:
            return await self.bot.send_photo(
                job.chat_id,
                job.photo,
                caption=job.text,
                reply_markup=markup,
                reply_parameters=reply,
            )
        return await self.bot.send_message(
            job.chat_id, job.text, reply_markup=markup, reply_parameters=reply
        )

    async def _reply_to(self, job: Job) -> ReplyParameters | None:
        """A message of a staff chat thread goes under the thread's first one (its card)."""
        if job.thread is None:
            return None
        opening = await outbox.opening_message(self.db, self.platform, job.chat_id, job.thread)
        if opening is None:
            return None
        return ReplyParameters(message_id=int(opening), allow_sending_without_reply=True)

    async def _deliver(self, job: Job, started: float) -> None:
        if not await outbox.begin_sending(self.db, [job]):
            return  # recovered and taken by another sender meanwhile
        try:
            message = await self._send(job)
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                # Left «sending»: recovery marks it unknown after the lease, never resent.
                log.exception("sending outbox row %s failed unexpectedly", job.outbox_id)
                return
            await self._not_sent(job, failure, started)
        else:
            await self._mark(job.outbox_id, Delivery.SENT, message_id=str(message.message_id))

    async def _not_sent(self, job: Job, failure: Failure, started: float) -> None:
        """A refusal of one person's message: a block is theirs, another refusal (a rejected
        token, a conflict) the bot's own, tried again later; the rest as for a batch."""
        match failure.outcome:
            case Outcome.BLOCKED:
                self._give_back(started)
                await self._blocked(job, failure.error)
            case Outcome.REFUSED:
                self._give_back(started)
                log.error("sending outbox row %s failed: %s", job.outbox_id, failure.error)
                await self._retry(job, failure.error)
            case _:
                await self._none_sent([job], failure, started)

    def _give_back(self, started: float) -> None:
        """A send refused without sending: its turn is free again, where the messenger
        counts only what it took."""
        if self.platform not in EVERY_REQUEST_COUNTS:
            self.limiter.refund(started)

    async def _blocked(self, job: Job, error: str) -> None:
        """The person blocked the bot: no more announcements for them."""
        await self._mark(job.outbox_id, Delivery.BLOCKED, error=error)
        if job.person_id is not None:
            await subscriptions.unsubscribe_all(self.db, job.person_id)

    async def _mark(self, outbox_id: int, status: Delivery, **values: Any) -> None:
        await outbox.mark(self.db, outbox_id, status, **values)
        self._count(status, 1)

    async def _mark_many(self, outbox_ids: list[int], status: Delivery, **values: Any) -> None:
        await outbox.mark_many(self.db, outbox_ids, status, **values)
        self._count(status, len(outbox_ids))

    def _count(self, status: Delivery, count: int) -> None:
        if self.metrics is not None and status in RESULTS:
            self.metrics.sent(self.platform, str(status), count)

    def _groups(self, jobs: list[Job]) -> list[list[Job]]:
        """Jobs as API calls: one each, or — where the messenger sends one message to many
        people at once (VK: 100 peer_ids) — recipients of the same announcement together."""
        size = getattr(self.bot.session, "max_peers", 1)
        groups: list[list[Job]] = []
        for job in jobs:
            last = groups[-1] if groups else None
            if (
                size > 1
                and last is not None
                and len(last) < size
                and job.broadcast_id is not None
                and last[0].broadcast_id == job.broadcast_id
                and (job.text, job.photo, job.buttons)
                == (last[0].text, last[0].photo, last[0].buttons)
            ):
                last.append(job)
            else:
                groups.append([job])
        return groups

    async def _deliver_many(self, group: list[Job], started: float) -> None:
        """One call for many recipients; each row ends with its own peer's result."""
        ours = await outbox.begin_sending(self.db, group)
        group = [job for job in group if job.outbox_id in ours]
        if not group:
            return
        first = group[0]
        try:
            results = await self.bot.session.send_to_many(  # type: ignore[attr-defined]
                self.bot,
                [int(j.chat_id) for j in group],
                first.text,
                markup=message_markup(first.buttons),
                photo=first.photo,
                dedupe=first.outbox_id,  # the same batch again is dropped by the messenger
            )
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                # Left «sending»: recovery marks them unknown after the lease, never resent.
                log.exception(
                    "sending a batch from outbox row %s failed unexpectedly", first.outbox_id
                )
                return
            await self._none_sent(group, failure, started)
            return
        for job in group:
            await self._peer_result(job, results.get(int(job.chat_id)))

    async def _none_sent(self, group: list[Job], failure: Failure, started: float) -> None:
        """The call was refused as a whole: after a 429 the rows wait, after a timeout they
        may have arrived (unknown), what never arrived is tried again, and any other refusal
        fails them — for a batch without unsubscribing anyone (VK 7, 15: the community's
        own settings)."""
        if not failure.counted:
            self._give_back(started)
        ids = [j.outbox_id for j in group]
        match failure.outcome:
            case Outcome.RETRY_AFTER:
                self.limiter.pause(failure.retry_after)
                await self._mark_many(ids, Delivery.PENDING, error="429 retry after")
            case Outcome.UNCERTAIN:  # the request may have arrived: do not send it twice
                await self._mark_many(ids, Delivery.UNKNOWN, error=failure.error)
            case Outcome.UNREACHED:
                for job in group:
                    await self._retry(job, failure.error)
            case _:
                await self._mark_many(ids, Delivery.FAILED, error=failure.error)

    async def _peer_result(self, job: Job, result: int | Exception | None) -> None:
        """One recipient's part of a batch's answer: its message id, or its refusal."""
        if isinstance(result, int):
            await self._mark(job.outbox_id, Delivery.SENT, message_id=str(result))
            return
        if result is None:  # the answer did not name this peer: it may have arrived
            await self._mark(job.outbox_id, Delivery.UNKNOWN, error="not in the answer")
            return
        failure = classify(result) or Failure(Outcome.REFUSED, str(result)[:ERROR_LENGTH])
        match failure.outcome:
            case Outcome.BLOCKED:
                await self._blocked(job, failure.error)
            case Outcome.RETRY_AFTER:
                await outbox.retry_later(
                    self.db,
                    job.outbox_id,
                    delay=timedelta(seconds=failure.retry_after),
                    error=failure.error,
                )
            case _:
                await self._mark(job.outbox_id, Delivery.FAILED, error=failure.error)

    async def _retry(self, job: Job, error: str) -> None:
        attempts = job.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self._mark(job.outbox_id, Delivery.FAILED, attempts=attempts, error=error)
            return
        delay = self.retry_backoff(attempts)
        await outbox.retry_later(self.db, job.outbox_id, delay=delay, error=error)
