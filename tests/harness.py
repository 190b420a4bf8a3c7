"""Conversation helpers: a person writing to the bot through the fake Bot API.

    anna = bot.chat(user_id=501, first_name="Анна")
    reply = await anna.send("/start")
    assert "Здравствуйте" in reply.text
    reply = await anna.click("Согласен")

Each step waits until the bot has handled the update (it asked for the next one),
then returns exactly the Bot API calls that step caused.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from aiogram import Bot

from bot.kernel.i18n import normalise_label
from broadcasts.limits import RateLimiter
from broadcasts.sender import Sender
from storage.db import Database
from tests.fakes.telegram_api import BOT_ID, Call, FakeTelegram

_message_ids = itertools.count(10_000)


@dataclass
class Reply:
    calls: list[Call]
    chat_id: int

    @property
    def messages(self) -> list[Call]:
        """Messages (sent or edited) that reached this chat."""
        return [
            c
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
            and c.chat_id == self.chat_id
        ]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.messages)

    @property
    def alerts(self) -> list[str]:
        return [c.params.get("text") or "" for c in self.calls if c.method == "answerCallbackQuery"]

    @property
    def buttons(self) -> list[str]:
        return [b["text"] for c in self.messages for b in c.buttons()]

    def to_chat(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.method == "sendMessage" and c.chat_id == chat_id]


class Person:
    def __init__(
        self, server: FakeTelegram, user_id: int, first_name: str, language: str = "ru"
    ) -> None:
        self.server = server
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language,
        }
        self.history: list[Call] = []

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}

    async def _step(self, payload: dict[str, Any]) -> Reply:
        update_id = self.server.next_update_id()
        mark = len(self.server.calls)
        self.server.push({"update_id": update_id, **payload})
        await self.server.wait_processed(update_id)
        reply = Reply(self.server.calls[mark:], self.user["id"])
        self.history.extend(reply.messages)
        return reply

    async def send(self, text: str, *, entities: list[dict[str, Any]] | None = None) -> Reply:
        """A text message; `entities` are its formatting (bold, links…) as Telegram sends it."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._step({"message": message})

    async def send_in_chat(
        self, chat_id: int, text: str, *, reply_to: Call | int | None = None
    ) -> Reply:
        """A message in a group chat (the staff chat), optionally the messenger's «reply» to
        one of the bot's messages there (a call that sent it, or its id)."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "Сотрудники"},
            "from": self.user,
            "text": text,
        }
        if reply_to is not None:
            replied = reply_to if isinstance(reply_to, int) else reply_to.message_id
            assert replied is not None, "that call sent no message"
            message["reply_to_message"] = {
                "message_id": replied,
                "date": int(time.time()),
                "chat": message["chat"],
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Library"},
                "text": reply_to.text if isinstance(reply_to, Call) else "…",
            }
        mark = len(self.server.calls)
        update_id = self.server.next_update_id()
        self.server.push({"update_id": update_id, "message": message})
        await self.server.wait_processed(update_id)
        return Reply(self.server.calls[mark:], chat_id)

    async def send_sticker(self) -> Reply:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        message = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "sticker": sticker,
        }
        return await self._step({"message": message})

    async def send_file(
        self,
        *,
        name: str = "устав.pdf",
        size: int = 120_000,
        photo: bool = False,
        caption: str | None = None,
        file_id: str | None = None,
    ) -> Reply:
        """A document (or a photo) as the messenger delivers it: a file id, no bytes."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
        }
        ident = file_id or f"file-{next(_message_ids)}"
        if photo:
            message["photo"] = [
                {
                    "file_id": ident,
                    "file_unique_id": ident,
                    "width": 800,
                    "height": 600,
                    "file_size": size,
                }
            ]
        else:
            message["document"] = {
                "file_id": ident,
                "file_unique_id": ident,
                "file_name": name,
                "file_size": size,
            }
        if caption:
            message["caption"] = caption
        return await self._step({"message": message})

    async def share_contact(
        self, phone: str, *, user_id: int | None = None, first_name: str | None = None
    ) -> Reply:
        """A contact as the messenger delivers it: by default the person's own, shared with
        the «request_contact» button; `user_id` of someone else (or 0 for none) sends a
        contact card that is not theirs — forwarded, or picked from the phone book."""
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or self.user["first_name"],
        }
        owner = self.user["id"] if user_id is None else user_id
        if owner:
            contact["user_id"] = owner
        message = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "contact": contact,
        }
        return await self._step({"message": message})

    async def press_on(self, call: Call, label: str) -> Reply:
        """Press a button of one particular message — a card in the staff chat, say."""
        wanted = normalise_label(label)
        for button in call.buttons():
            if wanted in normalise_label(button["text"]) and "callback_data" in button:
                chat_id = call.chat_id or self.user["id"]
                carrier = {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Library"},
                    "text": call.text,
                }
                return await self.press(button["callback_data"], message=carrier)
        shown = [b["text"] for b in call.buttons()]
        raise AssertionError(f"no button {label!r} on that message; it has {shown}")

    async def press(self, data: str, *, message: dict[str, Any] | None = None) -> Reply:
        """Send callback data as if a button carried it: also how forged data arrives."""
        message = message or {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": 1, "is_bot": True, "first_name": "Library"},
            "text": "…",
        }
        query = {
            "id": str(next(_message_ids)),
            "from": self.user,
            "chat_instance": f"ci{self.user['id']}",
            "message": message,
            "data": data,
        }
        return await self._step({"callback_query": query})

    async def click(self, label: str) -> Reply:
        """Press the newest button whose label contains `label` (emoji and case ignored)."""
        wanted = normalise_label(label)
        for call in reversed(self.history):
            for button in call.buttons():
                if wanted in normalise_label(button["text"]):
                    if "callback_data" in button:
                        carrier = {
                            "message_id": 1,
                            "date": int(time.time()),
                            "chat": self.chat,
                            "from": {"id": 1, "is_bot": True, "first_name": "Library"},
                            "text": call.text,
                        }
                        return await self.press(button["callback_data"], message=carrier)
                    return await self.send(button["text"])
        shown = [b["text"] for c in self.history[-3:] for b in c.buttons()]
        raise AssertionError(f"no button {label!r}; the last ones were {shown}")


async def drain_outbox(db: Database, bot: Bot, platform: str) -> None:
    """What a running sender does, at once and without pacing: the outbox rows of one
    messenger go out through `bot`, which is closed afterwards."""
    try:
        await Sender(
            db, bot, platform=platform, limiter=RateLimiter(1000.0, per_chat_interval=0)
        ).drain()
    finally:
        await bot.session.close()
