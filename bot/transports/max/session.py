"""The Bot API calls the handlers make, carried out through the MAX Bot API.

aiogram hands every outbound call to `MaxSession.make_request` (a `StandInSession`);
each method the handlers use has a `_api_<name>` here that makes the MAX calls and
answers what the Bot API would have answered, so handlers, the outbox sender and the
staff notices never know which messenger they talk to. A method without one fails with
one line, TelegramBadRequest «MAX cannot carry out …».

MAX's rules kept here: a text of more than 4000 characters goes as several messages (the
keyboard with the last); a file must be a message's only attachment, so a document's
buttons follow it in a message of their own; an edit replaces every attachment, so the
message's files are sent again with its new keyboard; a message sent right after its
upload may be refused «attachment.not.ready» and is sent again a moment later; a press
is answered once through `POST /answers` (a notification when there is a text). A
message is known by its chat and seq (`updates.MessageLog` keeps its mid; a seq alone
names a message in every chat), and a message of another chat is never edited or deleted;
one sent before a restart is looked up among its chat's last 100 messages
(`GET /messages`). A keyboard's own message («⋯») is edited with its message, not sent
again.

A send in several messages that fails after one of them was delivered fails as a lost
answer (TelegramNetworkError: the outbox marks it «unknown» and never resends it), since
sending it again would repeat what the reader already has. Retrying only the rest here
was not chosen: a failed part may itself have been delivered (a timeout), so the
ambiguity stays, and the outbox already has one honest word for it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.types import User

from bot.kernel.text_limits import shorten, split_text
from bot.transports.max.client import NOT_READY, MaxClient
from bot.transports.max.files import MaxFiles
from bot.transports.max.markup import TEXT_LIMIT, CallbackTokens, keyboards_for, text_format
from bot.transports.max.updates import (
    FILE_PREFIX,
    IMAGE_PREFIX,
    MessageLog,
    Shown,
    UpdateFactory,
    file_payloads,
    plain_as_html,
)
from bot.transports.stand_in import StandInSession

log = logging.getLogger(__name__)
# A keyboard that goes on where the message could not hold it (limits, or a file).
CONTINUED = "⋯"
LOOKBACK = 100  # a chat's last messages searched for one the bot no longer remembers
NOT_READY_WAITS = (0.5, 1.0, 2.0, 4.0)  # «attachment.not.ready»: the upload is processed
CHAT_ACTIONS = {
    "typing": "typing_on",
    "upload_photo": "sending_photo",
    "upload_document": "sending_file",
    "upload_video": "sending_video",
    "upload_voice": "sending_audio",
}


def target(chat_id: int) -> dict[str, int]:
    """Where a message goes: a reader's dialog by user id, a group chat by its chat id."""
    return {"user_id": chat_id} if chat_id > 0 else {"chat_id": chat_id}


class MaxSession(StandInSession):
    """Carries the handlers' Bot API calls out in one MAX bot's chats."""

    carrier = "MAX"
    no_downloads = "files sent to the MAX bot are not downloaded"

    def __init__(self, client: MaxClient) -> None:
        super().__init__()
        self.client = client
        self.log = MessageLog()
        self.tokens = CallbackTokens()
        self.files = MaxFiles(client)
        self.bot_user = User(id=0, is_bot=True, first_name="libbot")
        self.updates = UpdateFactory(self.bot_user, self.log, self.tokens)

    # --- the session -------------------------------------------------------------------

    async def close(self) -> None:
        await self.client.close()

    async def start_link(self, bot: Bot, payload: str) -> str:
        """max.ru/<bot>?start=<payload>: MAX hands the payload to the bot in `bot_started`,
        which the transport reads as `/start <payload>`."""
        me = await bot.me()
        return f"https://max.ru/{me.username or me.id}?start={payload}"

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _text(bot: Bot, method: Any, field: str = "text") -> tuple[str, str | None]:
        mode = getattr(method, "parse_mode", None)
        if isinstance(mode, Default):
            mode = bot.default[mode.name]
        return getattr(method, field, None) or "", text_format(mode)

    def _message(self, chat_id: int, seq: int, text: str, shown: Shown) -> dict[str, Any]:
        """The Bot API Message a send answers with."""
        self.log.remember(chat_id, seq, shown)
        message: dict[str, Any] = {
            "message_id": seq,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self.bot_user.model_dump(exclude_none=True),
        }
        file = shown.files[0] if shown.files else None
        if file is None:
            message["text"] = text
            return message
        # The file id is MAX's upload token, so the file can be sent again by it.
        payload = file.get("payload") or {}
        photos = [p.get("token") for p in (payload.get("photos") or {}).values()]
        token = payload.get("token") or next(filter(None, photos), None) or f"seq-{seq}"
        message["caption"] = text or None
        if file["type"] == "file":
            ident = FILE_PREFIX + str(token)
            message["document"] = {"file_id": ident, "file_unique_id": ident}
        else:
            ident = IMAGE_PREFIX + str(token)
            message["photo"] = [
                {"file_id": ident, "file_unique_id": ident, "width": 1, "height": 1}
            ]
        return message

    async def post(
        self,
        method: TelegramMethod[Any],
        chat_id: int,
        text: str,
        *,
        fmt: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        reply_to: str | None = None,
    ) -> tuple[int, Shown]:
        """One POST /messages; the new message's seq and what it shows. A message whose
        upload MAX is still processing is sent again after a pause (nothing was sent)."""
        body: dict[str, Any] = {
            "text": text or None,
            "attachments": attachments or None,
            "link": {"type": "reply", "mid": reply_to} if reply_to else None,
            "notify": True,
            "format": fmt,
        }
        query = {**target(chat_id), "disable_link_preview": True}
        for wait in (*NOT_READY_WAITS, None):
            try:
                answer = await self.client.call(method, "POST", "/messages", query=query, body=body)
                break
            except TelegramBadRequest as exc:
                if wait is None or NOT_READY not in exc.message:
                    raise
                await asyncio.sleep(wait)
        sent = answer["message"]
        recipient = sent.get("recipient") or {}
        if chat_id > 0 and recipient.get("chat_id") is not None:
            self.log.dialog(chat_id, int(recipient["chat_id"]))
        # MAX's answer names each file by the token it is sent again with.
        files = file_payloads((sent.get("body") or {}).get("attachments") or []) or [
            a for a in attachments or [] if a["type"] != "inline_keyboard"
        ]
        shown = Shown(str(sent["body"]["mid"]), chat_id, text, files, fmt=fmt)
        self.log.remember(chat_id, int(sent["body"]["seq"]), shown)
        return int(sent["body"]["seq"]), shown

    async def _send_one(
        self, bot: Bot, method: Any, field: str = "text", file: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send to one chat: long texts in parts, keyboards beyond MAX's limits (or under
        a file, which must travel alone) in messages of their own."""
        chat_id = int(method.chat_id)
        text, fmt = self._text(bot, method, field)
        keyboards = keyboards_for(getattr(method, "reply_markup", None), self.tokens)
        parts = split_text(text, TEXT_LIMIT) if len(text) > TEXT_LIMIT else [text]
        reply_to = self._reply_mid(chat_id, getattr(method, "reply_parameters", None))
        attachments: list[dict[str, Any]] = [file] if file else []
        if keyboards and (file is None or file["type"] != "file"):
            attachments.append(keyboards.pop(0))
        total, delivered = len(parts) + len(keyboards), 0
        try:
            for part in parts[:-1]:
                await self.post(method, chat_id, part, fmt=fmt, reply_to=reply_to)
                delivered, reply_to = delivered + 1, None
            seq, shown = await self.post(
                method, chat_id, parts[-1], fmt=fmt, attachments=attachments, reply_to=reply_to
            )
            delivered += 1
            for more in keyboards:
                _seq, extra = await self.post(method, chat_id, CONTINUED, attachments=[more])
                shown.keyboard_mids.append(extra.mid)
                delivered += 1
        except TelegramAPIError as exc:
            if not delivered:
                raise
            # The reader has the first parts: sending it all again would repeat them.
            raise TelegramNetworkError(
                method=method,
                message=f"MAX delivered {delivered} of {total} messages of this send; "
                f"the rest failed ({type(exc).__name__}): not to be sent again",
            ) from exc
        return self._message(chat_id, seq, parts[-1], shown)

    def _reply_mid(self, chat_id: int, reply: Any) -> str | None:
        if reply is None or isinstance(reply, Default) or not getattr(reply, "message_id", None):
            return None
        shown = self.log.get(chat_id, int(reply.message_id))
        return shown.mid if shown else None

    async def _shown(self, method: Any, doing: str = "edit") -> Shown:
        """What the bot knows of a message: remembered, or found among the chat's last
        messages (after a restart: a staff card edited when someone replies to it)."""
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method=method, message="MAX has no inline-mode messages")
        seq, chat_id = int(method.message_id), int(method.chat_id)
        shown = self.log.get(chat_id, seq)
        if shown is not None and shown.chat_id != chat_id:
            shown = None  # never another chat's message, whatever the log says
        max_chat = chat_id if chat_id < 0 else self.log.dialog(chat_id)
        if shown is None and max_chat is not None:
            answer = await self.client.call(
                method, "GET", "/messages", query={"chat_id": max_chat, "count": LOOKBACK}
            )
            for found in answer.get("messages") or []:
                body = found.get("body") or {}
                if body.get("seq") == seq and body.get("mid"):
                    files = file_payloads(body.get("attachments") or [])
                    text = plain_as_html(str(body.get("text") or ""))
                    shown = Shown(str(body["mid"]), chat_id, text, files, fmt="html")
                    self.log.remember(chat_id, seq, shown)
                    break
        if shown is None:
            raise TelegramBadRequest(method=method, message=f"message to {doing} not found")
        return shown

    async def _edit(self, bot: Bot, method: Any, text: str, fmt: str | None) -> dict[str, Any]:
        """PUT /messages: the whole message again — its text, its files, its keyboard."""
        shown = await self._shown(method)
        keyboards = keyboards_for(method.reply_markup, self.tokens)
        attachments = list(shown.files)
        has_file = any(f["type"] == "file" for f in shown.files)
        if keyboards and not has_file:
            attachments.append(keyboards.pop(0))
        text = shorten(text, TEXT_LIMIT)
        body = {"text": text or None, "attachments": attachments, "link": None, "format": fmt}
        await self.client.call(
            method, "PUT", "/messages", query={"message_id": shown.mid}, body=body
        )
        chat_id = int(method.chat_id)
        kept = await self._edit_keyboards(method, chat_id, shown.keyboard_mids, keyboards)
        updated = Shown(shown.mid, shown.chat_id, text, shown.files, fmt, kept)
        return self._message(chat_id, int(method.message_id), text, updated)

    async def _edit_keyboards(
        self, method: Any, chat_id: int, mids: list[str], keyboards: list[dict[str, Any]]
    ) -> list[str]:
        """The keyboards a message could not hold, in its «⋯» messages: the ones it has
        are edited (no new message, no old keyboard left to press), more are sent, and the
        ones no longer needed deleted. The mids of its «⋯» messages now."""
        kept: list[str] = []
        for index, keyboard in enumerate(keyboards):
            if index < len(mids):
                body = {"text": CONTINUED, "attachments": [keyboard], "link": None}
                try:
                    await self.client.call(
                        method, "PUT", "/messages", query={"message_id": mids[index]}, body=body
                    )
                    kept.append(mids[index])
                    continue
                except TelegramBadRequest as exc:  # deleted meanwhile: a new one instead
                    log.info("MAX keyboard message not edited: %s", exc.message)
            _seq, extra = await self.post(method, chat_id, CONTINUED, attachments=[keyboard])
            kept.append(extra.mid)
        await self._delete_quietly(method, mids[len(keyboards) :])
        return kept

    async def _delete_quietly(self, method: Any, mids: list[str]) -> None:
        """Delete messages the bot no longer needs; one already gone is no error."""
        for mid in mids:
            try:
                await self.client.call(method, "DELETE", "/messages", query={"message_id": mid})
            except TelegramBadRequest as exc:
                log.info("MAX keyboard message not deleted: %s", exc.message)

    # --- the Bot API methods the handlers use -------------------------------------------

    async def _api_getMe(self, _bot: Bot, method: Any) -> dict[str, Any]:
        info = await self.client.call(method, "GET", "/me")
        self.bot_user = User(
            id=int(info["user_id"]),
            is_bot=True,
            first_name=info.get("first_name") or info.get("name") or "libbot",
            username=info.get("username") or None,
        )
        self.updates.bot_user = self.bot_user
        return self.bot_user.model_dump(exclude_none=True)

    async def _api_sendMessage(self, bot: Bot, method: Any) -> dict[str, Any]:
        return await self._send_one(bot, method)

    async def _api_sendDocument(self, bot: Bot, method: Any) -> dict[str, Any]:
        file = await self.files.attachment(bot, method, "document")
        return await self._send_one(bot, method, "caption", file)

    async def _api_sendPhoto(self, bot: Bot, method: Any) -> dict[str, Any]:
        file = await self.files.attachment(bot, method, "photo")
        return await self._send_one(bot, method, "caption", file)

    async def _api_editMessageText(self, bot: Bot, method: Any) -> dict[str, Any]:
        text, fmt = self._text(bot, method)
        return await self._edit(bot, method, text, fmt)

    async def _api_editMessageCaption(self, bot: Bot, method: Any) -> dict[str, Any]:
        text, fmt = self._text(bot, method, "caption")
        return await self._edit(bot, method, text, fmt)

    async def _api_editMessageReplyMarkup(self, bot: Bot, method: Any) -> dict[str, Any]:
        shown = await self._shown(method)
        return await self._edit(bot, method, shown.text, shown.fmt)

    async def _api_answerCallbackQuery(self, _bot: Bot, method: Any) -> bool:
        """POST /answers once per press: the short answer as MAX's notification."""
        body = {"notification": method.text} if method.text else {}
        try:
            await self.client.call(
                method,
                "POST",
                "/answers",
                query={"callback_id": method.callback_query_id},
                body=body,
            )
        except TelegramBadRequest as exc:
            # A press MAX no longer knows (answered, or too old): the reader saw no spinner.
            log.info("MAX button answer not taken: %s", exc.message)
        return True

    async def _api_deleteMessage(self, _bot: Bot, method: Any) -> bool:
        shown = await self._shown(method, "delete")
        await self.client.call(method, "DELETE", "/messages", query={"message_id": shown.mid})
        await self._delete_quietly(method, shown.keyboard_mids)
        self.log.forget(int(method.chat_id), int(method.message_id))
        return True

    async def _api_sendChatAction(self, _bot: Bot, method: Any) -> bool:
        """«Typing…» where MAX knows the chat: a group by its id, a dialog by the chat id
        learned from the reader's updates (a reader not heard from yet: nothing shown)."""
        action = CHAT_ACTIONS.get(str(method.action))
        chat_id = int(method.chat_id)
        max_chat = chat_id if chat_id < 0 else self.log.dialog(chat_id)
        if action is None or max_chat is None:
            return True
        await self.client.call(
            method, "POST", f"/chats/{max_chat}/actions", body={"action": action}, repeatable=True
        )
        return True
