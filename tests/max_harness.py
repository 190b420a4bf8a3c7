"""Conversation helpers for MAX: a person writing to the bot through the fake MAX Bot API.

The same shape as `tests.harness` and `tests.vk_harness`, so a story reads the same in
every messenger:

    anna = running.person(501, "Анна")
    reply = await anna.start()
    reply = await anna.click("Согласен")

A press of a callback button is a `message_callback` carrying the button's payload and
the message that shows it; a menu button (a `message` button) sends its label as the
reader's message; «share my phone» (`request_contact`) sends their contact.

Fixtures `max_server` and `start_max_bot` live here; a test module imports them
(`from tests.max_harness import max_server, start_max_bot`). A group chat (a MAX staff
chat) must be known to the fake first: `server.add_chat(-70001)` (MAX's group chat ids are
negative); then `person.send_in_chat(chat, text, reply_to=mid)` and
`person.click(label, in_chat=chat)` act there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiogram import Bot
from pydantic import SecretStr

from bot.app import build_dispatcher
from bot.kernel.config import Config, Max
from bot.kernel.i18n import Locales, normalise_label
from bot.kernel.messengers import Messengers
from bot.transports.max.polling import MaxPolling, max_bot, max_session
from bot.transports.telegram import create_bot, file_fetcher
from storage.db import Database
from tests.fakes.max_api import FakeMax, MaxCall
from tests.fakes.telegram_api import FakeTelegram


@dataclass
class MaxReply:
    calls: list[MaxCall]
    server: FakeMax
    chat: int  # a user id (their dialog) or a group chat id

    def _in_chat(self, call: MaxCall) -> bool:
        if call.route == "POST /messages":
            return call.chat == self.chat
        if call.route == "PUT /messages":
            stored = self.server.messages.get(call.query.get("message_id", ""))
            return stored is not None and stored["chat"] in (self.chat, _dialog(self.chat))
        return False

    @property
    def messages(self) -> list[MaxCall]:
        """Messages sent to, or edited in, this chat."""
        return [c for c in self.calls if self._in_chat(c)]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.messages)

    @property
    def alerts(self) -> list[str]:
        return [
            str((c.body or {}).get("notification") or "")
            for c in self.calls
            if c.route == "POST /answers"
        ]

    @property
    def answers(self) -> list[MaxCall]:
        return [c for c in self.calls if c.route == "POST /answers"]

    @property
    def buttons(self) -> list[str]:
        return [b["text"] for c in self.messages for b in c.buttons()]

    @property
    def files(self) -> list[tuple[str, str, bytes]]:
        """(type, name, bytes) of every file or image sent here."""
        found = []
        for call in self.messages:
            for item in call.attachments:
                payload = item.get("payload") or {}
                tokens = [p["token"] for p in (payload.get("photos") or {}).values()]
                tokens += [payload["token"]] if payload.get("token") else []
                found += [self.server.uploads[t] for t in tokens if t in self.server.uploads]
        return found


def _dialog(chat: int) -> int:
    return FakeMax.dialog_chat(chat) if chat > 0 else chat


class MaxPerson:
    def __init__(self, server: FakeMax, user_id: int, first_name: str) -> None:
        self.server = server
        self.user_id = user_id
        server.add_user(user_id, first_name, "Петрова", started=False)  # until they write

    async def _step(
        self, number: int, chat: int | None = None, mark: int | None = None
    ) -> MaxReply:
        start = len(self.server.calls) if mark is None else mark
        await self.server.wait_processed(number)
        return MaxReply(self.server.calls[start:], self.server, chat or self.user_id)

    async def send(self, text: str) -> MaxReply:
        mark = len(self.server.calls)
        return await self._step(self.server.message_created(self.user_id, text), mark=mark)

    async def start(self, payload: str | None = None) -> MaxReply:
        """«Начать» in MAX, or a max.ru/<bot>?start=<payload> link opened."""
        mark = len(self.server.calls)
        return await self._step(self.server.bot_started(self.user_id, payload), mark=mark)

    async def open_link(self, link: str) -> MaxReply:
        parsed = urlparse(link)
        assert parsed.netloc == "max.ru", link
        assert parsed.path == f"/{self.server.username}", link
        [payload] = parse_qs(parsed.query)["start"]
        return await self.start(payload)

    async def share_contact(self, phone: str = "+79001234567") -> MaxReply:
        mark = len(self.server.calls)
        contact = self.server.contact_attachment(self.user_id, phone)
        number = self.server.message_created(self.user_id, "", attachments=[contact])
        return await self._step(number, mark=mark)

    async def send_file(self, *, name: str = "устав.pdf", data: bytes = b"%PDF-1.4") -> MaxReply:
        mark = len(self.server.calls)
        attachment = self.server.user_file(name, data)
        number = self.server.message_created(self.user_id, "", attachments=[attachment])
        return await self._step(number, mark=mark)

    async def send_in_chat(
        self, chat_id: int, text: str, *, reply_to: str | None = None
    ) -> MaxReply:
        mark = len(self.server.calls)
        number = self.server.message_created(self.user_id, text, chat_id=chat_id, reply_to=reply_to)
        return await self._step(number, chat_id, mark=mark)

    async def press(self, payload: str, *, mid: str | None = None) -> MaxReply:
        """Callback data as if a button carried it: also how forged data arrives."""
        mark = len(self.server.calls)
        number = self.server.message_callback(self.user_id, payload, mid)
        return await self._step(number, mark=mark)

    def shown(self, chat: int | None = None) -> list[dict[str, Any]]:
        """The bot's messages in their dialog (or a group chat), newest first."""
        where = _dialog(chat or self.user_id)
        mine = [
            m
            for m in self.server.messages.values()
            if m["chat"] == where and m["sender"]["user_id"] == self.server.bot_id
        ]
        return sorted(mine, key=lambda m: m["body"]["seq"], reverse=True)

    async def click(self, label: str, *, in_chat: int | None = None) -> MaxReply:
        """Press the newest button whose label contains `label` (emoji and case ignored)."""
        wanted = normalise_label(label)
        for message in self.shown(in_chat):
            for button in _buttons(message):
                if wanted not in normalise_label(button["text"]):
                    continue
                if button["type"] == "callback":
                    mark = len(self.server.calls)
                    number = self.server.message_callback(
                        self.user_id, button["payload"], message["body"]["mid"]
                    )
                    return await self._step(number, in_chat, mark=mark)
                if button["type"] == "message":
                    if in_chat is not None:
                        return await self.send_in_chat(in_chat, button["text"])
                    return await self.send(button["text"])
                if button["type"] == "request_contact":
                    return await self.share_contact()
                raise AssertionError(f"button {button['text']!r} is a {button['type']} button")
        shown = [b["text"] for m in self.shown(in_chat)[:3] for b in _buttons(m)]
        raise AssertionError(f"no button {label!r}; the last ones were {shown}")


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        button
        for item in message["body"]["attachments"]
        if item["type"] == "inline_keyboard"
        for row in item["payload"]["buttons"]
        for button in row
    ]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
async def max_server() -> AsyncIterator[FakeMax]:
    server = await FakeMax().start()
    yield server
    await server.stop()


def max_settings(server: FakeMax, **fields: Any) -> Max:
    return Max(token=SecretStr(server.token), api_server=server.base_url, **fields)


def with_max(config: Config, server: FakeMax) -> Config:
    """The config plus a `[max]` section pointing at the fake MAX API."""
    return config.model_copy(update={"max": max_settings(server)})


class RunningMaxBot:
    """The bot serving MAX; its staff chat stays in Telegram."""

    def __init__(
        self, server: FakeMax, telegram: FakeTelegram, db: Database, config: Config, bot: Bot
    ) -> None:
        self.server = server
        self.telegram = telegram
        self.db = db
        self.config = config
        self.bot = bot

    def person(self, user_id: int, first_name: str = "Анна") -> MaxPerson:
        return MaxPerson(self.server, user_id, first_name)


StartMaxBot = Callable[..., Awaitable[RunningMaxBot]]


@pytest.fixture
async def start_max_bot(
    max_server: FakeMax, telegram: FakeTelegram, database: Database, config: Config
) -> AsyncIterator[StartMaxBot]:
    """The real aiogram Dispatcher fed by MAX's long poll (through the transport's client
    and the fake MAX API); staff notices go to the Telegram staff chat."""
    running: list[tuple[asyncio.Event, asyncio.Task[None], Bot, Bot]] = []

    async def start(config_override: Config | None = None, **options: Any) -> RunningMaxBot:
        cfg = with_max(config_override or config, max_server)
        staff_bot = create_bot(telegram.token, api_server=telegram.base_url)
        messengers = Messengers({"telegram": staff_bot})
        dp = build_dispatcher(cfg, database, Locales(), messengers=messengers, **options)
        bot = max_bot(cfg.max)
        max_session(bot).files.fetch_foreign = file_fetcher(staff_bot)
        stop = asyncio.Event()
        polls = max_server.polls
        polling = MaxPolling(dp, bot, wait=1, handle_as_tasks=False)
        running.append((stop, asyncio.create_task(polling.run(stop)), staff_bot, bot))
        await max_server.wait_polls(polls)
        return RunningMaxBot(max_server, telegram, database, cfg, bot)

    yield start
    for stop, task, staff_bot, bot in running:
        stop.set()
        await task
        await staff_bot.session.close()
        await bot.session.close()
