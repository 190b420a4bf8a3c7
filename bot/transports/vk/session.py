"""The Bot API calls the handlers make, carried out through the VK API.

aiogram hands every outbound call to `VkSession.make_request` (a `StandInSession`);
each method the handlers use has a `_api_<name>` here that makes the VK calls and
answers what the Bot API would have answered, so handlers, the outbox sender and the
staff notices never know which messenger they talk to. A method without one fails loudly with
TelegramBadRequest («VK cannot carry out …») — in tests, not silently in production.

VK's rules kept here: every send has a `random_id` (VK drops a repeat with the same
one), messages are sent with `peer_ids` so the answer names the conversation message
id that edits and button presses use; VK has no HTML (plain text), no alerts (a
button's short answer is a snackbar of up to 90 characters; a longer one comes as a
message), no keyboard-only edit (the text is repeated), and a message older than a day
cannot be edited (the new version is sent as a new message instead).
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramServerError,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import User
from vk_api.exceptions import ApiError

from bot.transports.stand_in import StandInSession
from bot.transports.vk.client import VkClient, as_telegram_error, vk_error_code
from bot.transports.vk.files import VkFiles
from bot.transports.vk.markup import dump, keyboards_for, plain_text
from bot.transports.vk.updates import SentMessage, SentMessages, attachment_id, parse_query_id

log = logging.getLogger(__name__)
SNACKBAR_CHARS = 90
TOO_OLD_TO_EDIT = 909
# A keyboard that goes on where the message's own keyboard could not hold every button.
CONTINUED = "⋯"


def random_id() -> int:
    return random.randint(1, 2**31 - 1)  # a dedupe key, not a secret


class VkSession(StandInSession):
    """Carries the handlers' Bot API calls out in one VK community's conversations."""

    carrier = "VK"
    no_downloads = "files sent to the VK community are not downloaded"

    def __init__(self, client: VkClient) -> None:
        super().__init__()
        self.client = client
        self.sent = SentMessages()
        self.files = VkFiles(client)
        self.bot_user = User(
            id=client.group_id, is_bot=True, first_name="libbot", username=f"club{client.group_id}"
        )

    # --- the session -------------------------------------------------------------------

    async def close(self) -> None:
        """The API's worker threads stop; vk_api's requests sessions need no closing."""
        self.client.close()

    async def start_link(self, bot: Bot, payload: str) -> str:
        """vk.me/<community>?ref=<payload>: VK hands the ref to the bot with the first
        message, which the transport reads as `/start <payload>`."""
        me = await bot.me()
        return f"https://vk.me/{me.username or f'club{self.client.group_id}'}?ref={payload}"

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _text(bot: Bot, method: Any, field: str = "text") -> str:
        mode = getattr(method, "parse_mode", None)
        if isinstance(mode, Default):
            mode = bot.default[mode.name]
        return plain_text(getattr(method, field, None) or "", mode)

    def _message(
        self, peer_id: int, cmid: int, text: str, attachment: str | None = None
    ) -> dict[str, Any]:
        self.sent.remember(peer_id, cmid, SentMessage(text, attachment))
        message: dict[str, Any] = {
            "message_id": cmid,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": peer_id, "type": "private" if peer_id < 2_000_000_000 else "group"},
            "from": self.bot_user.model_dump(exclude_none=True),
        }
        if attachment and attachment.startswith("doc"):
            message["document"] = {"file_id": attachment, "file_unique_id": attachment}
            message["caption"] = text or None
        elif attachment:
            size = {"file_id": attachment, "file_unique_id": attachment, "width": 1, "height": 1}
            message["photo"] = [size]
            message["caption"] = text or None
        else:
            message["text"] = text
        return message

    async def send(
        self,
        method: TelegramMethod[Any],
        peer_ids: list[int],
        text: str,
        *,
        keyboard: dict[str, Any] | None = None,
        attachment: str | None = None,
        dedupe: int | None = None,
        forward: str | None = None,
    ) -> list[dict[str, Any]]:
        """One messages.send to up to 100 peers; VK's answer per peer (message ids or an
        error). `dedupe` is the random_id: the same one again is dropped by VK; `forward`
        makes it a reply (`_reply`)."""
        answer = await self.client.call(
            method,
            "messages.send",
            peer_ids=",".join(map(str, peer_ids)),
            random_id=dedupe if dedupe is not None else random_id(),
            message=text or None,
            attachment=attachment,
            keyboard=dump(keyboard) if keyboard is not None else None,
            forward=forward,
            dont_parse_links=1,
        )
        for item in answer:
            if "error" not in item:
                cmid = int(item.get("conversation_message_id") or item.get("message_id") or 0)
                self.sent.remember(int(item["peer_id"]), cmid, SentMessage(text, attachment))
        return answer

    async def _send_one(
        self, method: Any, text: str, *, attachment: str | None = None
    ) -> dict[str, Any]:
        """Send to one chat; keyboards beyond VK's limits follow in messages of their own."""
        peer_id = int(method.chat_id)
        keyboards = keyboards_for(getattr(method, "reply_markup", None))
        first = keyboards[0] if keyboards else None
        [answer] = await self.send(
            method,
            [peer_id],
            text,
            keyboard=first,
            attachment=attachment,
            forward=_reply(peer_id, getattr(method, "reply_parameters", None)),
        )
        if "error" in answer:
            raise _error_of(method, answer["error"])
        for more in keyboards[1:]:
            await self.send(method, [peer_id], CONTINUED, keyboard=more)
        return self._message(peer_id, int(answer["conversation_message_id"]), text, attachment)

    # --- many peers at once (the outbox sender's broadcasts) ----------------------------

    max_peers = 100  # peer_ids in one messages.send

    async def send_to_many(
        self,
        bot: Bot,
        peer_ids: list[int],
        text: str,
        *,
        markup: Any = None,
        photo: str | None = None,
        dedupe: int,
    ) -> dict[int, int | TelegramAPIError]:
        """One announcement to up to 100 people in one call: per peer the conversation
        message id, or the error that peer got (900/901/902 → forbidden). An error of the
        whole call raises. A photo that is not a VK one (composed in Telegram) cannot
        travel: the text goes alone."""
        method = SendMessage(chat_id=peer_ids[0], text=text or "-")
        attachment = None
        if photo:
            try:
                attachment = await self.files.attachment_for(method, photo, kind="photo")
            except TelegramBadRequest as exc:
                log.warning("announcement photo not sendable in VK (%s): text only", exc.message)
            except TelegramNetworkError as exc:  # the upload failed: nothing was sent yet
                raise TelegramServerError(method=method, message=exc.message) from exc
        keyboards = keyboards_for(markup)
        answers = await self.send(
            method,
            peer_ids,
            plain_text(text, bot.default["parse_mode"]),
            keyboard=keyboards[0] if keyboards else None,
            attachment=attachment,
            dedupe=dedupe,
        )
        results: dict[int, int | TelegramAPIError] = {}
        for answer in answers:
            peer = int(answer["peer_id"])
            if "error" in answer:
                results[peer] = _error_of(method, answer["error"])
            else:
                results[peer] = int(answer.get("conversation_message_id") or 0)
        return results

    # --- the Bot API methods the handlers use -------------------------------------------

    async def _api_getMe(self, _bot: Bot, method: Any) -> dict[str, Any]:
        answer = await self.client.call(method, "groups.getById", group_id=self.client.group_id)
        groups = answer.get("groups", answer) if isinstance(answer, dict) else answer
        group = groups[0] if groups else {}
        self.bot_user = User(
            id=self.client.group_id,
            is_bot=True,
            first_name=group.get("name") or "libbot",
            username=group.get("screen_name") or f"club{self.client.group_id}",
        )
        return self.bot_user.model_dump(exclude_none=True)

    async def _api_sendMessage(self, bot: Bot, method: Any) -> dict[str, Any]:
        return await self._send_one(method, self._text(bot, method))

    async def _api_sendDocument(self, bot: Bot, method: Any) -> dict[str, Any]:
        attachment = await self.files.upload(bot, method, "document")
        return await self._send_one(
            method, self._text(bot, method, "caption"), attachment=attachment
        )

    async def _api_sendPhoto(self, bot: Bot, method: Any) -> dict[str, Any]:
        attachment = await self.files.upload(bot, method, "photo")
        return await self._send_one(
            method, self._text(bot, method, "caption"), attachment=attachment
        )

    async def _edit(self, method: Any, text: str, attachment: str | None) -> dict[str, Any]:
        """Change a message; one VK no longer lets the community edit (older than a day,
        error 909) is sent again as a new message, so a press on an old button still
        gets its answer."""
        peer_id, cmid = int(method.chat_id), int(method.message_id)
        keyboards = keyboards_for(method.reply_markup) or [{"inline": True, "buttons": []}]
        try:
            await self.client.call(
                method,
                "messages.edit",
                peer_id=peer_id,
                cmid=cmid,
                message=text or None,
                attachment=attachment,
                keyboard=dump(keyboards[0]),
                dont_parse_links=1,
            )
        except TelegramBadRequest as exc:
            if vk_error_code(exc.__cause__) != TOO_OLD_TO_EDIT:
                raise
            log.info("message %s in %s too old to edit: sent anew", cmid, peer_id)
            return await self._send_one(method, text, attachment=attachment)
        for more in keyboards[1:]:
            await self.send(method, [peer_id], CONTINUED, keyboard=more)
        return self._message(peer_id, cmid, text, attachment)

    async def _api_editMessageText(self, bot: Bot, method: Any) -> dict[str, Any]:
        self._own_chat(method)
        shown = self.sent.get(int(method.chat_id), int(method.message_id))
        return await self._edit(
            method, self._text(bot, method), shown.attachment if shown else None
        )

    async def _api_editMessageCaption(self, bot: Bot, method: Any) -> dict[str, Any]:
        self._own_chat(method)
        shown = await self._shown(method)
        return await self._edit(method, self._text(bot, method, "caption"), shown.attachment)

    async def _api_editMessageReplyMarkup(self, _bot: Bot, method: Any) -> dict[str, Any]:
        self._own_chat(method)
        shown = await self._shown(method)
        return await self._edit(method, shown.text, shown.attachment)

    async def _shown(self, method: Any) -> SentMessage:
        """What a message says now: remembered, or asked of VK (after a restart)."""
        peer_id, cmid = int(method.chat_id), int(method.message_id)
        shown = self.sent.get(peer_id, cmid)
        if shown is not None:
            return shown
        answer = await self.client.call(
            method,
            "messages.getByConversationMessageId",
            peer_id=peer_id,
            conversation_message_ids=cmid,
            group_id=self.client.group_id,
        )
        items = answer.get("items") or []
        if not items:
            raise TelegramBadRequest(method=method, message="message to edit not found")
        item = items[0]
        attachments = item.get("attachments") or []
        attachment = None
        if attachments:
            kind = attachments[0].get("type")
            if kind in ("doc", "photo"):
                attachment = attachment_id(kind, attachments[0][kind])
        return SentMessage(item.get("text") or "", attachment)

    @staticmethod
    def _own_chat(method: Any) -> None:
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method=method, message="VK has no inline-mode messages")

    async def _api_answerCallbackQuery(self, _bot: Bot, method: Any) -> bool:
        event_id, user_id, peer_id = parse_query_id(method.callback_query_id)
        text = method.text or ""
        event_data = None
        if method.url:
            event_data = {"type": "open_link", "link": method.url}
        elif text and len(text) <= SNACKBAR_CHARS:
            event_data = {"type": "show_snackbar", "text": text}
        try:
            await self.client.call(
                method,
                "messages.sendMessageEventAnswer",
                event_id=event_id,
                user_id=user_id,
                peer_id=peer_id,
                event_data=json.dumps(event_data, ensure_ascii=False) if event_data else None,
            )
        except TelegramBadRequest as exc:
            # VK forgets a press after about a minute; the reader saw the spinner stop.
            log.info("VK button answer for %s not taken: %s", peer_id, exc.message)
        if text and event_data is None:
            await self.send(method, [peer_id], plain_text(text, None))
        return True

    async def _api_deleteMessage(self, _bot: Bot, method: Any) -> bool:
        await self.client.call(
            method,
            "messages.delete",
            peer_id=int(method.chat_id),
            cmids=int(method.message_id),
            delete_for_all=1,
        )
        return True

    async def _api_sendChatAction(self, _bot: Bot, method: Any) -> bool:
        if method.action == "typing":
            await self.client.call(
                method, "messages.setActivity", peer_id=int(method.chat_id), type="typing"
            )
        return True


def _reply(peer_id: int, reply: Any) -> str | None:
    """A Bot API reply as VK's: `forward` naming the conversation message, `is_reply`."""
    if reply is None or isinstance(reply, Default) or not getattr(reply, "message_id", None):
        return None
    forward = {"peer_id": peer_id, "conversation_message_ids": [reply.message_id], "is_reply": True}
    return json.dumps(forward)


def _error_of(method: Any, error: dict[str, Any]) -> TelegramAPIError:
    """A per-peer error of a `peer_ids` send, as the exception a single send raises."""
    failure = ApiError(
        None,
        "messages.send",
        {},
        False,
        {
            "error_code": int(error.get("code") or 0),
            "error_msg": str(error.get("description") or ""),
        },
    )
    return as_telegram_error(method, failure)
