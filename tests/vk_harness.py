"""Conversation helpers for VK: a person writing to the community through the fake VK API.

The same shape as `tests.harness` (send, click, press, send_file; a reply's text,
buttons and alerts), so a story reads the same in both messengers:

    anna = library.person(501, "Анна")
    reply = await anna.send("Начать")
    reply = await anna.click("Согласен")

A press of an inline button is a `message_event` carrying the button's payload and the
conversation message id of the message that shows it; a menu button sends its label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.kernel.i18n import normalise_label
from tests.fakes.vk_api import FakeVk, VkCall

SHOWN = ("messages.send", "messages.edit")


@dataclass
class VkReply:
    calls: list[VkCall]
    peer_id: int

    @property
    def messages(self) -> list[VkCall]:
        return [c for c in self.calls if c.method in SHOWN and self.peer_id in c.peer_ids]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.messages)

    @property
    def alerts(self) -> list[str]:
        return [
            (c.event_data or {}).get("text", "")
            for c in self.calls
            if c.method == "messages.sendMessageEventAnswer"
        ]

    @property
    def buttons(self) -> list[str]:
        return [b.get("label", "") for c in self.messages for b in c.buttons()]

    @property
    def attachments(self) -> list[str]:
        return [c.params["attachment"] for c in self.messages if c.params.get("attachment")]


def _matches(wanted: str, shown: str) -> bool:
    """A label VK cut at 40 characters still matches the whole one."""
    shown_norm = normalise_label(shown.removesuffix("…"))
    return wanted in shown_norm or (shown.endswith("…") and wanted.startswith(shown_norm))


class VkPerson:
    def __init__(self, server: FakeVk, user_id: int, first_name: str) -> None:
        self.server = server
        self.user_id = user_id
        server.add_user(user_id, first_name, "Петрова")

    async def _step(self, ts: int) -> VkReply:
        mark = len(self.server.calls)
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], self.user_id)

    async def send(self, text: str, *, payload: dict[str, Any] | None = None) -> VkReply:
        mark = len(self.server.calls)
        ts = self.server.message_new(self.user_id, text, payload=payload)
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], self.user_id)

    async def send_in_chat(
        self, peer_id: int, text: str, *, reply_to: int | None = None, forwarded: bool = False
    ) -> VkReply:
        """A message in a group chat the community is in (a VK staff chat), optionally a
        reply to one of its messages there (its conversation message id) — as VK's
        `reply_message`, or with `forwarded` as the one forwarded message some clients send."""
        mark = len(self.server.calls)
        ts = self.server.message_new(
            self.user_id, text, peer_id=peer_id, reply_to=reply_to, forwarded=forwarded
        )
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], peer_id)

    async def open_link(self, link: str) -> VkReply:
        """Open a vk.me/<community>?ref=… link (a scanned QR ticket) and write «Начать»."""
        ref = link.split("ref=", 1)[1]
        mark = len(self.server.calls)
        ts = self.server.message_new(self.user_id, "Начать", payload={"command": "start"}, ref=ref)
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], self.user_id)

    async def send_file(self, *, name: str = "устав.pdf", data: bytes = b"%PDF-1.4") -> VkReply:
        """A document as VK delivers it: an attachment the community can send on."""
        doc = self.server.user_document(self.user_id, name, data)
        mark = len(self.server.calls)
        ts = self.server.message_new(self.user_id, "", attachments=[{"type": "doc", "doc": doc}])
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], self.user_id)

    async def press(self, data: str, *, cmid: int = 1) -> VkReply:
        """Callback data as if a button carried it: also how forged data arrives."""
        return await self._event({"c": data}, cmid)

    async def _event(
        self, payload: dict[str, Any], cmid: int, peer_id: int | None = None
    ) -> VkReply:
        mark = len(self.server.calls)
        ts = self.server.message_event(
            self.user_id, payload, conversation_message_id=cmid, peer_id=peer_id
        )
        await self.server.wait_processed(ts)
        return VkReply(self.server.calls[mark:], self.user_id)

    def shown(self, peer_id: int | None = None) -> list[dict[str, Any]]:
        """A conversation's messages as they look now, newest first (this person's own
        conversation with the community, or a group chat they are in)."""
        peer = peer_id or self.user_id
        mine = [m for (p, _), m in self.server.messages.items() if p == peer]
        return sorted(mine, key=lambda m: m["conversation_message_id"], reverse=True)

    async def click(self, label: str, *, in_chat: int | None = None) -> VkReply:
        """Press the newest button whose label contains `label` (emoji and case ignored),
        in their own conversation or in the group chat `in_chat`."""
        wanted = normalise_label(label)
        for message in self.shown(in_chat):
            rows = (message.get("keyboard") or {}).get("buttons") or []
            for button in (b["action"] for row in rows for b in row):
                if not _matches(wanted, button.get("label", "")):
                    continue
                if button["type"] == "callback":
                    payload = json.loads(button["payload"])
                    cmid = message["conversation_message_id"]
                    return await self._event(payload, cmid, in_chat)
                if button["type"] == "text":
                    return await self.send(button["label"])
        shown = [
            b["action"].get("label")
            for m in self.shown()[:3]
            for row in (m.get("keyboard") or {}).get("buttons") or []
            for b in row
        ]
        raise AssertionError(f"no button {label!r}; the last ones were {shown}")
