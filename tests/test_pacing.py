"""Bursts: every reply waits for its turn in the token's budget, is retried on «retry
after», gives way to nobody but other replies, and is dropped — logged — when it can no
longer be useful. The budget is shared by the replies, the sender, and other processes."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time

import pytest

from broadcasts.pacing import MemoryBudget, Pacer, Priority, Rates, RedisBudget, Refusal
from tests.conftest import REDIS, StartBot, make_config


async def test_a_reply_refused_with_retry_after_is_retried_and_arrives(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    anna = bot.person(1401)
    started = time.monotonic()
    reply = await anna.send("когда вы работаете в субботу?")
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    refused = [c for c in reply.calls if c.method == "sendMessage" and c.error == 429]
    assert len(refused) == 1
    assert time.monotonic() - started >= 1.0  # it waited as it was told


async def test_a_reply_that_can_no_longer_be_useful_is_dropped_and_logged(
    start_bot: StartBot, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(tmp_path, limits={"burst": 1000, "reply_deadline_seconds": 2})
    bot = await start_bot(config)
    bot.server.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    anna = bot.person(1402)
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        reply = await anna.send("где вы находитесь?")
    assert time.monotonic() - started < 10  # not half a minute: given up on
    assert not [c for c in reply.messages if c.error is None]
    assert "dropped" in caplog.text


async def test_one_chat_gets_a_small_burst_then_one_message_a_second(
    start_bot: StartBot, tmp_path
) -> None:
    config = make_config(tmp_path, telegram={"chat_burst": 2})
    bot = await start_bot(config)
    anna = bot.person(1403)
    for text in ("Здравствуйте", "спасибо", "где вы находитесь?", "телефон библиотеки"):
        await anna.send(text)
    sent = [c.at for c in bot.server.calls if c.method == "sendMessage" and c.chat_id == 1403]
    assert len(sent) >= 4
    # Two at once, then no closer than about a second apart.
    gaps = [b - a for a, b in itertools.pairwise(sent[1:])]
    assert all(gap >= 0.9 for gap in gaps), gaps


async def test_replies_go_before_broadcast_traffic() -> None:
    pacer = Pacer(MemoryBudget(Rates(10.0, chat_interval=0, reserve=2)))
    order: list[str] = []

    async def send(name: str, priority: Priority) -> None:
        await pacer.turn(name, priority)
        order.append(name)

    bulk = [asyncio.create_task(send(f"bulk-{n}", Priority.BULK)) for n in range(30)]
    await asyncio.sleep(0.35)  # a few broadcast messages are out
    reply = asyncio.create_task(send("reply", Priority.REPLY))
    asked = time.monotonic()
    await reply
    waited = time.monotonic() - asked
    await asyncio.gather(*bulk)
    assert waited < 0.3, waited  # the next free turn, not after the 30 broadcasts
    assert order.index("reply") < 12


async def test_bulk_leaves_a_reserve_for_replies_within_every_second() -> None:
    now = [100.0]
    budget = MemoryBudget(Rates(10.0, chat_interval=0, reserve=3), clock=lambda: now[0])
    taken = 0
    for n in range(10):  # ten tries within half a second
        now[0] += 0.051
        if not isinstance(await budget.take(f"c{n}", Priority.BULK), Refusal):
            taken += 1
    assert taken == 7  # of 10 a second, 3 stay free for replies
    now[0] += 0.051
    assert not isinstance(await budget.take("reader", Priority.REPLY), Refusal)


async def test_the_budget_is_shared_by_two_processes_through_redis() -> None:
    redis_asyncio = pytest.importorskip("redis.asyncio")
    first = redis_asyncio.from_url(REDIS["url"])
    second = redis_asyncio.from_url(REDIS["url"])
    key = f"{REDIS['prefix']}:pace:test:{time.time_ns()}"
    rates = Rates(10.0, chat_interval=0, reserve=0)
    pacers = [Pacer(RedisBudget(first, key, rates)), Pacer(RedisBudget(second, key, rates))]
    starts: list[float] = []

    async def send(pacer: Pacer, n: int) -> None:
        await pacer.turn(f"chat-{n}", Priority.BULK)
        starts.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(send(pacers[n % 2], n) for n in range(30)))
    elapsed = time.monotonic() - began
    await first.aclose()
    await second.aclose()
    assert elapsed >= 1.9  # 30 at 10 a second across both: two full windows at least
    starts.sort()
    busiest = max(sum(1 for s in starts if t <= s < t + 1.0) for t in starts)
    assert busiest <= 10, busiest


async def test_one_chat_is_paced_across_processes_too() -> None:
    redis_asyncio = pytest.importorskip("redis.asyncio")
    client = redis_asyncio.from_url(REDIS["url"])
    key = f"{REDIS['prefix']}:pace:test:{time.time_ns()}"
    rates = Rates(30.0, chat_interval=0.5, chat_burst=1, reserve=0)
    one, two = Pacer(RedisBudget(client, key, rates)), Pacer(RedisBudget(client, key, rates))
    began = time.monotonic()
    await one.turn("reader", Priority.REPLY)
    await two.turn("reader", Priority.REPLY)
    await one.turn("reader", Priority.REPLY)
    await client.aclose()
    assert time.monotonic() - began >= 0.95
