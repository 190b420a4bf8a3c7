"""MAX updates as aiogram updates for the one Dispatcher.

- `message_created` becomes a Message: a text (a menu button's press arrives as its
  label), a file (MAX's upload token kept in the file id, so a file a reader sent can be
  sent on), or a shared contact (`request_contact`) as `Message.contact`. A reply
  (`link.type == "reply"`) carries the message replied to as `reply_to_message`.
- `message_callback` — a press of a callback button — becomes a CallbackQuery whose id
  is MAX's `callback_id` (what `POST /answers` takes) and whose data is the payload.
- `bot_started` — the reader opened the bot, maybe through `max.ru/<bot>?start=<payload>`
  — becomes the message `/start <payload>`.
- Other updates (`message_edited` included: a corrected message is not answered again,
  as in Telegram where the bot has no handler for edits) are left out.

Chats: a dialog is the reader's MAX `user_id` (a private chat, as in Telegram); a group
chat is MAX's `chat_id`, which is negative. Messages: MAX names them by the string
`mid`; aiogram wants an int, so a message is known by its `seq` — its place in its own
chat, so two chats have the same seqs — and `MessageLog` keeps `(chat, seq) → mid` (and
the dialog's own chat id, which chat actions need).

An update that cannot be read (MAX changed a field, a null where an object was) is logged
by its type alone and skipped: one bad update never stops the poll or the webhook.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from bot.transports.max.markup import CallbackTokens

log = logging.getLogger(__name__)
REMEMBERED_MESSAGES = 5_000
REMEMBERED_DIALOGS = 50_000
FILE_PREFIX = "max-file:"  # file ids: MAX upload tokens, by kind
IMAGE_PREFIX = "max-image:"
START_PAYLOAD_CHARS = 512  # BotStartedUpdate.payload maxLength
_TEL = re.compile(r"^TEL[^:]*:(.+)$", re.MULTILINE | re.IGNORECASE)
_FN = re.compile(r"^FN[^:]*:(.+)$", re.MULTILINE | re.IGNORECASE)


@dataclass
class Shown:
    """What the bot knows of one message: MAX's id, its chat, what it says (in `fmt`:
    "html", "markdown", or None for plain text), its files (an edit replaces every
    attachment, so they are sent again with a new keyboard), and the messages of its own
    that carry the keyboards the message could not hold (edited in place, not sent anew)."""

    mid: str
    chat_id: int
    text: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    fmt: str | None = None
    keyboard_mids: list[str] = field(default_factory=list)


class MessageLog:
    """Recent messages by (aiogram chat id, seq) — a seq is unique only within its chat —
    and each reader's dialog chat id, newest kept."""

    def __init__(self, size: int = REMEMBERED_MESSAGES) -> None:
        self.size = size
        self._messages: OrderedDict[tuple[int, int], Shown] = OrderedDict()
        self._dialogs: OrderedDict[int, int] = OrderedDict()

    def remember(self, chat_id: int, seq: int, shown: Shown) -> None:
        key = (chat_id, seq)
        self._messages[key] = shown
        self._messages.move_to_end(key)
        while len(self._messages) > self.size:
            self._messages.popitem(last=False)

    def get(self, chat_id: int, seq: int) -> Shown | None:
        return self._messages.get((chat_id, seq))

    def forget(self, chat_id: int, seq: int) -> None:
        self._messages.pop((chat_id, seq), None)

    def dialog(self, user_id: int, chat_id: int | None = None) -> int | None:
        """The MAX chat id of a reader's dialog with the bot (learned from their updates)."""
        if chat_id is not None:
            self._dialogs[user_id] = chat_id
            self._dialogs.move_to_end(user_id)
            while len(self._dialogs) > REMEMBERED_DIALOGS:
                self._dialogs.popitem(last=False)
        return self._dialogs.get(user_id)


def to_datetime(millis: Any) -> datetime:
    """MAX timestamps are milliseconds since the epoch."""
    try:
        return datetime.fromtimestamp(int(millis) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def language(locale: Any) -> str:
    return "en" if isinstance(locale, str) and locale.lower().startswith("en") else "ru"


def chat_for(recipient: dict[str, Any], user_id: int) -> Chat:
    """The aiogram chat of a message: the reader's dialog, or a group chat."""
    if recipient.get("chat_type") == "chat":
        return Chat(id=int(recipient["chat_id"]), type="group")
    return Chat(id=user_id, type="private")


def sent_to(recipient: dict[str, Any], fallback: int) -> int:
    """The aiogram chat id a message the bot sent lives in."""
    if recipient.get("chat_type") == "chat":
        return int(recipient["chat_id"])
    return int(recipient.get("user_id") or fallback)


def plain_as_html(text: str) -> str:
    """A text MAX shows (`body.text` is plain; its formatting lives in `markup`) as HTML
    the bot can send again without a `<` or `&` in it being read as markup."""
    return html.escape(text, quote=False)


def file_payloads(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A message's files as attachment requests (what an edit must send again)."""
    found = []
    for item in attachments or []:
        payload = item.get("payload") or {}
        if item.get("type") in ("file", "image") and payload.get("token"):
            found.append({"type": item["type"], "payload": {"token": payload["token"]}})
    return found


class UpdateFactory:
    """Turns MAX updates into aiogram Updates."""

    def __init__(self, bot_user: User, log_: MessageLog, tokens: CallbackTokens) -> None:
        self.bot_user = bot_user
        self.log = log_
        self.tokens = tokens
        self._update_ids = itertools.count(1)

    def user(self, raw: dict[str, Any], locale: Any = None) -> User:
        first = str(raw.get("first_name") or raw.get("name") or raw.get("user_id"))
        return User(
            id=int(raw["user_id"]),
            is_bot=bool(raw.get("is_bot")),
            first_name=first,
            last_name=raw.get("last_name") or None,
            username=raw.get("username") or None,
            language_code=language(locale),
        )

    def convert(self, update: dict[str, Any]) -> Update | None:
        kind = update.get("update_type")
        try:
            if kind == "message_created":
                return self._message_created(update)
            if kind == "message_callback":
                return self._message_callback(update)
            if kind == "bot_started":
                return self._bot_started(update)
        except Exception as exc:  # noqa: BLE001 — one bad update must not stop the others
            # Only the update's type and the error's class: the values are a reader's data.
            log.warning("MAX update %s skipped: unreadable (%s)", kind, type(exc).__name__)
        return None

    def _update(self, **fields: Any) -> Update:
        return Update(update_id=next(self._update_ids), **fields)

    def _message_created(self, update: dict[str, Any]) -> Update | None:
        raw = update["message"]
        sender = raw.get("sender") or {}
        recipient = raw.get("recipient") or {}
        if not sender or sender.get("is_bot") or recipient.get("chat_type") == "channel":
            return None
        user = self.user(sender, update.get("user_locale"))
        chat = chat_for(recipient, user.id)
        if chat.type == "private" and recipient.get("chat_id") is not None:
            self.log.dialog(user.id, int(recipient["chat_id"]))
        body = raw.get("body") or {}
        text = body.get("text") or ""
        fields: dict[str, Any] = {}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        attachments = body.get("attachments") or []
        document, photo, contact = self._files(attachments)
        if document is not None or photo is not None:
            fields.update(document=document, photo=photo, caption=text or None)
        else:
            fields.update(text=text or None, contact=contact)
        replied = self._replied(raw.get("link"), chat, user)
        if replied is not None:
            fields["reply_to_message"] = replied
        seq = int(body.get("seq") or 0)
        if body.get("mid"):
            self.log.remember(chat.id, seq, Shown(str(body["mid"]), chat.id, text))
        message = Message(
            message_id=seq,
            date=to_datetime(raw.get("timestamp")),
            chat=chat,
            from_user=user,
            **fields,
        )
        return self._update(message=message)

    def _replied(self, link: Any, chat: Chat, user: User) -> Message | None:
        """A reply to a message of the same chat (a forward is not a reply)."""
        if not isinstance(link, dict) or link.get("type") != "reply":
            return None
        body = link.get("message") or {}
        if not body.get("seq"):
            return None
        author = link.get("sender") or {}
        from_bot = not author or author.get("user_id") == self.bot_user.id
        seq = int(body["seq"])
        if body.get("mid") and self.log.get(chat.id, seq) is None:
            text = plain_as_html(str(body.get("text") or ""))
            self.log.remember(chat.id, seq, Shown(str(body["mid"]), chat.id, text, fmt="html"))
        # An author MAX names without an id: the reply is kept, its author left unknown
        # (the reader's own message is never dropped for it).
        author_known = from_bot or author.get("user_id") is not None
        return Message(
            message_id=seq,
            date=datetime.now(UTC),
            chat=chat,
            from_user=(self.bot_user if from_bot else self.user(author)) if author_known else None,
            text=body.get("text") or None,
        )

    def _files(
        self, attachments: list[dict[str, Any]]
    ) -> tuple[Document | None, list[PhotoSize] | None, Contact | None]:
        """The first file or image of a message, or the contact it shares."""
        for item in attachments:
            kind, payload = item.get("type"), item.get("payload") or {}
            if kind == "file" and payload.get("token"):
                ident = FILE_PREFIX + str(payload["token"])
                size = item.get("size")
                document = Document(
                    file_id=ident,
                    file_unique_id=ident,
                    file_name=item.get("filename"),
                    file_size=int(size) if isinstance(size, int) else None,
                )
                return document, None, None
            if kind == "image" and payload.get("token"):
                ident = IMAGE_PREFIX + str(payload["token"])
                return (
                    None,
                    [PhotoSize(file_id=ident, file_unique_id=ident, width=0, height=0)],
                    None,
                )
            if kind == "contact":
                contact = _contact(payload)
                if contact is not None:
                    return None, None, contact
        return None, None, None

    def _message_callback(self, update: dict[str, Any]) -> Update | None:
        callback = update["callback"]
        data = self.tokens.data(str(callback.get("payload") or ""))
        if not data:  # a button of someone else's making, or a token forgotten
            return None
        user = self.user(callback["user"], update.get("user_locale"))
        raw = update.get("message") or {}
        body = raw.get("body") or {}
        recipient = raw.get("recipient") or {}
        chat = chat_for(recipient, user.id) if recipient else Chat(id=user.id, type="private")
        if chat.type == "private" and recipient.get("chat_id") is not None:
            self.log.dialog(user.id, int(recipient["chat_id"]))
        seq = int(body.get("seq") or 0)
        text = body.get("text") or ""
        known = self.log.get(chat.id, seq)
        if body.get("mid") and (known is None or known.mid != str(body["mid"])):
            # Not sent by this process: MAX's plain text, escaped for an HTML resend. A
            # message the bot remembers keeps its own source (bold stays bold).
            files = file_payloads(body.get("attachments") or [])
            shown = Shown(str(body["mid"]), chat.id, plain_as_html(text), files, fmt="html")
            self.log.remember(chat.id, seq, shown)
        carrier = Message(
            message_id=seq,
            date=to_datetime(raw.get("timestamp")),
            chat=chat,
            from_user=self.bot_user,
            text=text,
        )
        query = CallbackQuery(
            id=str(callback["callback_id"]),
            from_user=user,
            chat_instance=str(chat.id),
            message=carrier,
            data=data,
        )
        return self._update(callback_query=query)

    def _bot_started(self, update: dict[str, Any]) -> Update:
        user = self.user(update["user"], update.get("user_locale"))
        if update.get("chat_id") is not None:
            self.log.dialog(user.id, int(update["chat_id"]))
        payload = str(update.get("payload") or "").strip()[:START_PAYLOAD_CHARS]
        text = f"/start {payload}" if payload else "/start"
        message = Message(
            # No message in MAX: its time (ms) keeps it apart from the chat's other ones.
            message_id=int(update.get("timestamp") or 0),
            date=to_datetime(update.get("timestamp")),
            chat=Chat(id=user.id, type="private"),
            from_user=user,
            text=text,
            entities=[MessageEntity(type="bot_command", offset=0, length=len("/start"))],
        )
        return self._update(message=message)


def _contact(payload: dict[str, Any]) -> Contact | None:
    """A shared contact: the phone from its vCard; its owner only MAX's `max_info` user,
    which MAX fills itself for a MAX account (a phone-book card of someone not in MAX has
    none: no owner, so the phone links nobody). The payload's `hash` is not a way in: the
    schema says only that it lets a bot check the phone is the sharer's own, not how it is
    computed or with which key — a check we cannot write is no check, and trusting its mere
    presence would let anyone send a card with a made-up hash."""
    vcf = str(payload.get("vcf_info") or "")
    phone = _TEL.search(vcf)
    if phone is None:
        return None
    info = payload.get("max_info") or {}
    name = _FN.search(vcf)
    first = str(info.get("first_name") or (name.group(1).strip() if name else "") or "-")
    owner = info.get("user_id")
    return Contact(
        phone_number=phone.group(1).strip(),
        first_name=first,
        last_name=info.get("last_name") or None,
        user_id=int(owner) if owner is not None else None,
        vcard=vcf or None,
    )
