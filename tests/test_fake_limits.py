"""The fake Bot API's limits mode refuses what Telegram's flood control refuses, so the
burst benchmark (bench/burst.py) and the pacing tests meet the messenger as it is: about
30 messages a second per bot, one a second per chat after a burst of three, 20 a minute
in a group, and past them 429 with «retry after N» and nothing delivered. Edits count;
answering a button press does not. Without limits the fake refuses nothing of the kind.

The fake's clock is frozen in these tests (`api.clock`), so «within a second» is exact
however slow the machine is; the calls go over HTTP like the bot's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from tests.fakes.telegram_api import FakeTelegram, Limits

READER = 501
GROUP = -1001234567890


class Clock:
    """The fake's time, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram(limits=Limits()).start()
    server.clock = clock
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, api: FakeTelegram, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{api.base_url}/bot{api.token}/{method}"
    async with http.post(url, json=params) as response:
        return response.status, await response.json()


async def send(
    http: aiohttp.ClientSession, api: FakeTelegram, chat_id: int, text: str = "Ответ"
) -> tuple[int, dict[str, Any]]:
    return await call(http, api, "sendMessage", chat_id=chat_id, text=text)


def too_many(retry_after: int) -> dict[str, Any]:
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


async def test_the_31st_message_in_a_second_is_refused_and_not_delivered(
    api: FakeTelegram, http: aiohttp.ClientSession, clock: Clock
) -> None:
    for n in range(30):
        status, _ = await send(http, api, READER + n, f"Ответ {n}")
        assert status == 200
        clock.advance(0.01)

    status, body = await send(http, api, READER + 30, "Тридцать первый")

    assert (status, body) == (429, too_many(1))
    assert api.received_by(READER + 30) == []
    assert [(r.chat_id, r.text) for r in api.received_by(READER)] == [(READER, "Ответ 0")]
    assert [(t.method, t.chat_id, t.limit) for t in api.too_many] == [
        ("sendMessage", READER + 30, "bot")
    ]
    # A second after the first one, there is room again.
    clock.advance(1.0 - 0.3 + 0.01)
    status, _ = await send(http, api, READER + 30, "Тридцать первый")
    assert status == 200
    assert [r.text for r in api.received_by(READER + 30)] == ["Тридцать первый"]


async def test_one_chat_gets_a_burst_of_three_then_one_a_second(
    api: FakeTelegram, http: aiohttp.ClientSession, clock: Clock
) -> None:
    for n in range(3):
        status, _ = await send(http, api, READER, f"Сообщение {n}")
        assert status == 200

    clock.advance(0.5)
    status, body = await send(http, api, READER, "Четвёртое")
    assert (status, body) == (429, too_many(1))
    # Another reader is not held up by this one's limit.
    assert (await send(http, api, READER + 1))[0] == 200

    clock.advance(0.5)  # a second after the burst: one more turn
    assert (await send(http, api, READER, "Четвёртое"))[0] == 200
    assert (await send(http, api, READER, "Пятое"))[0] == 429
    clock.advance(1.0)
    assert (await send(http, api, READER, "Пятое"))[0] == 200

    texts = [r.text for r in api.received_by(READER)]
    assert texts == ["Сообщение 0", "Сообщение 1", "Сообщение 2", "Четвёртое", "Пятое"]
    assert api.too_many_by_method() == {"sendMessage": 2}
    assert {t.limit for t in api.too_many} == {"chat"}


async def test_edits_count_toward_the_chats_limit(
    api: FakeTelegram, http: aiohttp.ClientSession, clock: Clock
) -> None:
    status, body = await send(http, api, READER, "Каталог, страница 1")
    assert status == 200
    message_id = body["result"]["message_id"]
    for page in (2, 3):
        status, _ = await call(
            http,
            api,
            "editMessageText",
            chat_id=READER,
            message_id=message_id,
            text=f"Каталог, страница {page}",
        )
        assert status == 200

    status, body = await call(
        http, api, "editMessageText", chat_id=READER, message_id=message_id, text="страница 4"
    )

    assert (status, body) == (429, too_many(1))
    assert [r.method for r in api.received_by(READER)] == [
        "sendMessage",
        "editMessageText",
        "editMessageText",
    ]
    assert api.too_many_by_method() == {"editMessageText": 1}


async def test_callback_answers_and_polling_are_not_limited(
    api: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    for n in range(40):
        status, _ = await call(http, api, "answerCallbackQuery", callback_query_id=str(n))
        assert status == 200
    for method in ("getMe", "deleteWebhook", "getUpdates"):
        assert (await call(http, api, method))[0] == 200
    assert (await call(http, api, "sendChatAction", chat_id=READER, action="typing"))[0] == 200

    assert api.too_many == []
    assert api.received == {}  # none of them is a message
    # The chat's burst is still whole: the button answers took none of it.
    for _ in range(3):
        assert (await send(http, api, READER))[0] == 200


async def test_a_group_chat_gets_twenty_messages_a_minute(
    api: FakeTelegram, http: aiohttp.ClientSession, clock: Clock
) -> None:
    for n in range(20):
        status, _ = await send(http, api, GROUP, f"Карточка {n}")
        assert status == 200, n
        clock.advance(1.5)  # within the chat's pace, 30 s for all twenty

    status, body = await send(http, api, GROUP, "Двадцать первая")

    # The first of the twenty leaves the minute in 60 - 30 = 30 s.
    assert (status, body) == (429, too_many(30))
    assert [t.limit for t in api.too_many] == ["group"]
    clock.advance(30.0)
    assert (await send(http, api, GROUP, "Двадцать первая"))[0] == 200
    assert len(api.received_by(GROUP)) == 21


async def test_a_refused_message_gives_its_turn_back(
    api: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """A call refused for another reason (the reader blocked the bot) delivered nothing
    and does not count."""
    api.blocked.add(READER)
    for _ in range(5):
        assert (await send(http, api, READER))[0] == 403
    api.blocked.clear()
    for _ in range(3):
        assert (await send(http, api, READER))[0] == 200
    assert api.too_many == []


async def test_aiogram_sees_the_refusal_as_retry_after(api: FakeTelegram, clock: Clock) -> None:
    """What the bot meets: aiogram raises TelegramRetryAfter with the seconds to wait."""
    session = AiohttpSession()
    session.api = TelegramAPIServer.from_base(api.base_url)
    bot = Bot(api.token, session=session)
    try:
        for n in range(3):
            await bot.send_message(READER, f"Ответ {n}")
        with pytest.raises(TelegramRetryAfter) as refused:
            await bot.send_message(READER, "Лишний")
        assert refused.value.retry_after == 1
        await bot.answer_callback_query("press-1")  # still fine: not a message
    finally:
        await session.close()
    assert len(api.received_by(READER)) == 3
    assert [c.error for c in api.calls_of("sendMessage")] == [None, None, None, 429]


async def test_injected_429s_are_recorded_too(
    api: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    status, body = await send(http, api, READER)

    assert (status, body) == (429, too_many(7))
    assert [(t.limit, t.retry_after) for t in api.too_many] == [("injected", 7)]


async def test_updates_are_timed_from_the_queue_to_the_bot(
    api: FakeTelegram, http: aiohttp.ClientSession, clock: Clock
) -> None:
    for update_id in (7, 8):
        api.push({"update_id": update_id, "message": {"text": "ℹ️ О библиотеке"}})
    clock.advance(0.25)

    status, body = await call(http, api, "getUpdates", timeout=0)

    assert status == 200
    assert [u["update_id"] for u in body["result"]] == [7, 8]
    assert api.queued == [7, 8]
    handed = api.handovers[8]
    assert handed.at is not None
    assert handed.wall is not None
    assert handed.at - handed.queued_at == pytest.approx(0.25)


async def test_without_limits_nothing_is_refused(http: aiohttp.ClientSession) -> None:
    api = await FakeTelegram().start()
    try:
        for n in range(40):
            assert (await send(http, api, READER, f"Ответ {n}"))[0] == 200
    finally:
        await api.stop()
    assert api.limits is None
    assert api.too_many == []
    assert len(api.received_by(READER)) == 40


async def test_latency_delays_every_call(http: aiohttp.ClientSession) -> None:
    import time

    api = await FakeTelegram(latency=0.2).start()
    try:
        started = time.monotonic()
        assert (await call(http, api, "getMe"))[0] == 200
        took = time.monotonic() - started
    finally:
        await api.stop()
    assert took >= 0.2
