"""VK Bots Long Poll events as aiogram updates for the one Dispatcher.

`message_new` becomes a Message (a text, a menu button's label, or a file: VK documents
and photos keep their attachment ids as file ids, so a file a reader sent can be sent on
to an expert). A message replying to another — VK's `reply_message`, or the one message
some VK clients forward instead (`fwd_messages`) — carries it as `reply_to_message`: in the
staff chat, a reply to a request's card is an answer to it. `message_event` — a press of
an inline callback button — becomes a CallbackQuery whose id carries what
`messages.sendMessageEventAnswer` needs. Message ids are VK's conversation message ids:
the ones `messages.edit` and `messages.delete` take. Events of other kinds are ignored.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from bot.transports.vk.markup import callback_data

log = logging.getLogger(__name__)
CHAT_PEERS = 2_000_000_000  # peer ids from here up are group conversations
# VK's lang_id in client_info: the ones whose readers get English rather than Russian.
ENGLISH_LANG_IDS = {3}
# VK's own «Начать» button sends this payload with the text «Начать».
START_PAYLOAD = "start"
LINK_PAYLOADS = ("ticket_", "event_")  # what the bot's own vk.me links carry
REMEMBERED_MESSAGES = 5_000
REMEMBERED_NAMES = 50_000


@dataclass(frozen=True)
class SentMessage:
    text: str
    attachment: str | None = None


class SentMessages:
    """What the bot last wrote in its recent messages, by (peer, conversation message id):
    VK's button presses do not carry the message, and an edit must repeat its text."""

    def __init__(self, size: int = REMEMBERED_MESSAGES) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int], SentMessage] = OrderedDict()

    def remember(self, peer_id: int, cmid: int, message: SentMessage) -> None:
        self._items[(peer_id, cmid)] = message
        self._items.move_to_end((peer_id, cmid))
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, peer_id: int, cmid: int) -> SentMessage | None:
        return self._items.get((peer_id, cmid))


def attachment_id(kind: str, item: dict[str, Any]) -> str:
    """`doc-123_456_key`: how a message names an uploaded or received file."""
    ident = f"{kind}{item['owner_id']}_{item['id']}"
    return f"{ident}_{item['access_key']}" if item.get("access_key") else ident


def event_query_id(event_id: str, user_id: int, peer_id: int) -> str:
    return f"{event_id}|{user_id}|{peer_id}"


def parse_query_id(query_id: str) -> tuple[str, int, int]:
    event_id, user_id, peer_id = query_id.rsplit("|", 2)
    return event_id, int(user_id), int(peer_id)


def chat_of(peer_id: int) -> Chat:
    if peer_id >= CHAT_PEERS:
        return Chat(id=peer_id, type="group")
    return Chat(id=peer_id, type="private")


class UpdateFactory:
    """Turns raw long-poll events into Updates; `names` supplies profile names."""

    def __init__(self, bot_user: User, sent: SentMessages) -> None:
        self.bot_user = bot_user
        self.sent = sent
        # Readers' names from users.get, the most recent ones (a big library has many).
        self.names: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._update_ids = itertools.count(1)

    def learn_name(self, user_id: int, first: str, last: str) -> None:
        self.names[user_id] = (first, last)
        self.names.move_to_end(user_id)
        while len(self.names) > REMEMBERED_NAMES:
            self.names.popitem(last=False)

    def user(self, user_id: int, lang_id: int | None = None) -> User:
        first, last = self.names.get(user_id, ("", ""))
        return User(
            id=user_id,
            is_bot=False,
            first_name=first or str(user_id),
            last_name=last or None,
            language_code="en" if lang_id in ENGLISH_LANG_IDS else "ru",
        )

    def convert(self, event: dict[str, Any]) -> Update | None:
        kind = event.get("type")
        obj = event.get("object") or {}
        try:
            if kind == "message_new":
                return self._message_new(obj)
            if kind == "message_event":
                return self._message_event(obj)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("VK event %s could not be read: %s", kind, exc)
        return None

    def _message_new(self, obj: dict[str, Any]) -> Update | None:
        raw = obj["message"]
        if raw.get("out"):
            return None
        lang_id = (obj.get("client_info") or {}).get("lang_id")
        peer_id = int(raw["peer_id"])
        text = raw.get("text") or ""
        if peer_id >= CHAT_PEERS:  # «[club777|Библиотека], …»: said to the bot, not text
            text = _without_mention(text, self.bot_user.id)
        if _payload_command(raw.get("payload")) == START_PAYLOAD:
            text = "/start"
        ref = str(raw.get("ref") or "")
        if ref and (not text or text == "/start" or ref.startswith(LINK_PAYLOADS)):
            # Opened through vk.me/<community>?ref=…: a scanned ticket or an event link
            # wins over whatever was typed with it.
            text = f"/start {ref}"
        fields: dict[str, Any] = {}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        document, photo = _files(raw.get("attachments") or [])
        if document is not None or photo is not None:
            fields["document"], fields["photo"] = document, photo
            fields["caption"] = text or None
        else:
            fields["text"] = text or None
        replied = _replied(raw, peer_id)
        if replied is not None:
            fields["reply_to_message"] = self._replied_message(replied, peer_id)
        message = Message(
            message_id=int(raw.get("conversation_message_id") or raw.get("id") or 0),
            date=datetime.fromtimestamp(int(raw.get("date") or 0), UTC),
            chat=chat_of(peer_id),
            from_user=self.user(int(raw["from_id"]), lang_id),
            **fields,
        )
        return Update(update_id=next(self._update_ids), message=message)

    def _replied_message(self, replied: dict[str, Any], peer_id: int) -> Message:
        """The message replied to, named by its conversation message id in the same chat
        (what the bot's own messages are known by); the community's own is the bot's."""
        author = int(replied.get("from_id") or 0)
        return Message(
            message_id=int(replied["conversation_message_id"]),
            date=datetime.fromtimestamp(int(replied.get("date") or 0), UTC),
            chat=chat_of(peer_id),
            from_user=self.bot_user if author <= 0 else self.user(author),
            text=replied.get("text") or None,
        )

    def _message_event(self, obj: dict[str, Any]) -> Update | None:
        data = callback_data(obj.get("payload"))
        user_id, peer_id = int(obj["user_id"]), int(obj["peer_id"])
        if data is None:  # a button of someone else's making: nothing to do
            return None
        cmid = int(obj.get("conversation_message_id") or 0)
        shown = self.sent.get(peer_id, cmid)
        carrier = Message(
            message_id=cmid,
            date=datetime.now(UTC),
            chat=chat_of(peer_id),
            from_user=self.bot_user,
            text=shown.text if shown else "",
        )
        query = CallbackQuery(
            id=event_query_id(str(obj["event_id"]), user_id, peer_id),
            from_user=self.user(user_id),
            chat_instance=str(peer_id),
            message=carrier,
            data=data,
        )
        return Update(update_id=next(self._update_ids), callback_query=query)


def _without_mention(text: str, group_id: int) -> str:
    """A chat message addressed to the community begins with a mention of it."""
    mention = re.match(rf"\s*\[(?:club|public){group_id}\|[^\]]*\][\s,:]*", text)
    return text[mention.end() :] if mention else text


def _replied(raw: dict[str, Any], peer_id: int) -> dict[str, Any] | None:
    """What a message replies to: `reply_message`, or a single forwarded message of the
    same chat (how some VK clients reply). Several forwarded messages are not a reply."""
    replied = raw.get("reply_message")
    if not isinstance(replied, dict):
        forwarded = raw.get("fwd_messages") or []
        replied = forwarded[0] if len(forwarded) == 1 else None
        if not isinstance(replied, dict) or int(replied.get("peer_id") or peer_id) != peer_id:
            return None
    return replied if replied.get("conversation_message_id") else None


def _payload_command(payload: Any) -> str | None:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    return payload.get("command") if isinstance(payload, dict) else None


def _files(attachments: list[dict[str, Any]]) -> tuple[Document | None, list[PhotoSize] | None]:
    """The first document or photo of a message, named by its VK attachment id."""
    for item in attachments:
        kind = item.get("type")
        body = item.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict):
            continue
        if kind == "doc":
            ident = attachment_id("doc", body)
            return (
                Document(
                    file_id=ident,
                    file_unique_id=ident,
                    file_name=body.get("title"),
                    file_size=body.get("size"),
                ),
                None,
            )
        if kind == "photo":
            ident = attachment_id("photo", body)
            sizes = body.get("sizes") or [{}]
            biggest = max(sizes, key=lambda s: (s.get("width") or 0) * (s.get("height") or 0))
            size = PhotoSize(
                file_id=ident,
                file_unique_id=ident,
                width=int(biggest.get("width") or 0),
                height=int(biggest.get("height") or 0),
            )
            return None, [size]
    return None, None
