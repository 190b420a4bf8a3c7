"""The console transport: the same Dispatcher and handlers, talking in a terminal.

Each input line is one user turn. Buttons are printed as numbered choices; typing
the number presses the button (an inline button sends its callback, a menu button
sends its text); `/attach PATH [caption]` sends a document. Works with piped stdin
and stops cleanly at end of input, so the demo can be scripted:
`printf '/start\\nО библиотеке\\n' | libbot demo`.

Outbound Bot API calls arrive at `ConsoleSession.make_request` (a `StandInSession`);
the methods the handlers use are printed, anything else fails loudly rather than silently.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
    User,
)

from bot.kernel.messengers import register
from bot.transports.stand_in import StandInSession
from bot.transports.telegram import create_bot

PLATFORM = "console"
PLAYED = ("telegram", "vk")
CONSOLE_TOKEN = "1:console"  # aiogram wants a token-shaped string; nothing is sent anywhere
BOT_USER = {"id": 1, "is_bot": True, "first_name": "libbot", "username": "libbot_demo"}
_TAGS = re.compile(r"<[^>]+>")
# `/attach PATH [caption]` sends a document; its file id names it, as a messenger's id
# stands for the file (the bot never reads the bytes).
ATTACH_COMMAND = "/attach"
ATTACHED = "console-file:"


def _dumped(markup: Any) -> dict[str, Any] | None:
    """An inline keyboard as the Bot API returns it with the message."""
    return markup.model_dump() if isinstance(markup, InlineKeyboardMarkup) else None


def plain(text: str) -> str:
    """HTML message text as a terminal shows it."""
    return html.unescape(_TAGS.sub("", text))


@dataclass(frozen=True)
class Choice:
    label: str
    callback_data: str | None = None  # inline button
    message_id: int | None = None  # the message that carries the inline button


class ConsoleSession(StandInSession):
    """Prints what the bot sends and remembers the buttons it offered."""

    carrier = "the console"
    no_downloads = "the console has no files to download"

    def __init__(self, out: TextIO, chat_id: int, files_dir: Path | None = None) -> None:
        super().__init__()
        self.out = out
        self.chat_id = chat_id
        # Files the bot sends (a report, a participants list) are saved here to be opened.
        self.files_dir = files_dir
        self.choices: list[Choice] = []
        self.sent: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    async def close(self) -> None:
        """Nothing to close: there is no connection."""

    # --- output --------------------------------------------------------------------

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show(
        self, chat_id: int | str, text: str, markup: Any, *, message_id: int | None = None
    ) -> int:
        """Print a message (a new one, or `message_id` edited) and remember its buttons
        under the id the bot knows it by, so a press on them reaches their handler."""
        message_id = message_id or next(self._ids)
        if str(chat_id) != str(self.chat_id):
            self._write(f"[→ чат {chat_id}] {plain(text)}")
            return message_id
        self._write("")
        self._write(plain(text))
        if isinstance(markup, InlineKeyboardMarkup):
            self.choices = [
                Choice(b.text, b.callback_data, message_id)
                for row in markup.inline_keyboard
                for b in row
                if b.callback_data is not None
            ]
            self._print_choices()
        elif isinstance(markup, ReplyKeyboardMarkup):
            self.choices = [Choice(b.text) for row in markup.keyboard for b in row]
            self._print_choices()
        return message_id

    def _print_choices(self) -> None:
        for number, choice in enumerate(self.choices, start=1):
            self._write(f"  {number}) {choice.label}")

    def _message(self, message_id: int, chat_id: int | str, **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": message_id,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": int(chat_id), "type": "private"},
            "from": BOT_USER,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.sent[message_id] = message
        return message

    # --- Bot API methods the handlers use ---------------------------------------------

    async def _api_getMe(self, _bot: Bot, _method: Any) -> dict[str, Any]:
        return BOT_USER

    async def _api_sendMessage(self, _bot: Bot, method: Any) -> dict[str, Any]:
        message_id = self._show(method.chat_id, method.text, method.reply_markup)
        return self._message(
            message_id, method.chat_id, text=method.text, reply_markup=_dumped(method.reply_markup)
        )

    async def _api_sendDocument(self, _bot: Bot, method: Any) -> dict[str, Any]:
        """A file cannot be shown in a terminal: its name says what arrived."""
        document = method.document
        if isinstance(document, str):  # a file id: the console's own say what they name
            name = document.removeprefix(ATTACHED)
        else:
            name = self._save(document) or getattr(document, "filename", None) or "file"
        text = f"📎 {name}" + (f" — {method.caption}" if method.caption else "")
        message_id = self._show(method.chat_id, text, method.reply_markup)
        return self._message(
            message_id,
            method.chat_id,
            caption=method.caption,
            document={"file_id": f"console-{message_id}", "file_unique_id": str(message_id)},
        )

    def _save(self, upload: Any) -> str | None:
        """Where an uploaded file was saved, or None when there is nowhere to save it."""
        data = getattr(upload, "data", None)
        if self.files_dir is None or not isinstance(data, bytes):
            return None
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(getattr(upload, "filename", None) or "file").name
        path.write_bytes(data)
        return str(path)

    async def _api_sendPhoto(self, _bot: Bot, method: Any) -> dict[str, Any]:
        saved = None if isinstance(method.photo, str) else self._save(method.photo)
        text = f"🖼 {saved or '[фото]'}" + (f" {method.caption}" if method.caption else "")
        message_id = self._show(method.chat_id, text, method.reply_markup)
        size = {"file_id": f"console-{message_id}", "file_unique_id": str(message_id)}
        return self._message(
            message_id,
            method.chat_id,
            caption=method.caption,
            photo=[{**size, "width": 1, "height": 1}],
        )

    async def _api_editMessageText(self, _bot: Bot, method: Any) -> dict[str, Any]:
        self._forget_choices(method.message_id)
        self._show(method.chat_id, method.text, method.reply_markup, message_id=method.message_id)
        return self._message(
            method.message_id,
            method.chat_id,
            text=method.text,
            reply_markup=_dumped(method.reply_markup),
        )

    async def _api_editMessageReplyMarkup(self, _bot: Bot, method: Any) -> dict[str, Any]:
        self._forget_choices(method.message_id)
        if (
            isinstance(method.reply_markup, InlineKeyboardMarkup)
            and method.reply_markup.inline_keyboard
        ):
            self.choices = [
                Choice(b.text, b.callback_data, method.message_id)
                for row in method.reply_markup.inline_keyboard
                for b in row
                if b.callback_data is not None
            ]
            self._print_choices()
        previous = self.sent.get(method.message_id, {})
        return self._message(
            method.message_id,
            method.chat_id,
            text=previous.get("text", ""),
            reply_markup=_dumped(method.reply_markup),
        )

    async def _api_answerCallbackQuery(self, _bot: Bot, method: Any) -> bool:
        if method.text:
            self._write(f"  ⓘ {plain(method.text)}")
        return True

    async def _api_deleteMessage(self, _bot: Bot, method: Any) -> bool:
        self._forget_choices(method.message_id)
        return True

    async def _api_sendChatAction(self, _bot: Bot, _method: Any) -> bool:
        return True

    async def _api_setMyCommands(self, _bot: Bot, _method: Any) -> bool:
        return True

    async def _api_deleteWebhook(self, _bot: Bot, _method: Any) -> bool:
        return True

    def _forget_choices(self, message_id: int) -> None:
        if any(choice.message_id == message_id for choice in self.choices):
            self.choices = []


class ConsoleTransport:
    """Reads turns from a stream, feeds them to the Dispatcher one at a time."""

    def __init__(
        self,
        dp: Dispatcher,
        *,
        user_id: int,
        first_name: str,
        language: str = "ru",
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        files_dir: Path | None = None,
    ) -> None:
        self.dp = dp
        self.stdin = stdin
        self.session = ConsoleSession(stdout, chat_id=user_id, files_dir=files_dir)
        self.bot = create_bot(CONSOLE_TOKEN, session=self.session)
        # The demo plays every messenger: notices for a Telegram or VK chat (the staff
        # chat) print here too.
        for platform in (PLATFORM, *PLAYED):
            register(dp, platform, self.bot)
        self.user = User(id=user_id, is_bot=False, first_name=first_name, language_code=language)
        self.chat = Chat(id=user_id, type="private")
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)

    def _update_for(self, line: str) -> Update:
        now = datetime.now(UTC)
        if line.isdigit() and 1 <= int(line) <= len(self.session.choices):
            choice = self.session.choices[int(line) - 1]
            if choice.callback_data is not None:
                carrier = self.session.sent.get(choice.message_id or 0)
                message = Message.model_validate(carrier) if carrier else None
                return Update(
                    update_id=next(self._update_ids),
                    callback_query=CallbackQuery(
                        id=str(next(self._update_ids)),
                        from_user=self.user,
                        chat_instance=str(self.chat.id),
                        message=message,
                        data=choice.callback_data,
                    ),
                )
            line = choice.label
        if line.startswith(ATTACH_COMMAND + " "):
            attached = self._attachment(line.removeprefix(ATTACH_COMMAND).strip())
            if attached is not None:
                return attached
        return Update(
            update_id=next(self._update_ids),
            message=Message(
                message_id=next(self._message_ids),
                date=now,
                chat=self.chat,
                from_user=self.user,
                text=line,
            ),
        )

    def _attachment(self, rest: str) -> Update | None:
        """`/attach устав.pdf Вопрос по уставу`: the file must exist; the rest is a caption."""
        path_text, _, caption = rest.partition(" ")
        path = Path(path_text).expanduser()
        if not path.is_file():
            return None  # sent as text: the bot answers it like any other message
        return Update(
            update_id=next(self._update_ids),
            message=Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=self.chat,
                from_user=self.user,
                document=Document(
                    file_id=ATTACHED + path.name,
                    file_unique_id=path.name,
                    file_name=path.name,
                    file_size=path.stat().st_size,
                ),
                caption=caption.strip() or None,
            ),
        )

    async def say(self, line: str) -> None:
        """One user turn: typed text, or the number of a button."""
        update = self._update_for(line)
        await self.dp.feed_update(self.bot, update, platform=PLATFORM)

    async def run(self, *, greet: bool = False) -> None:
        loop = asyncio.get_running_loop()
        if greet:
            await self.say("/start")
        while True:
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            line = line.strip()
            if line:
                await self.say(line)
        await self.bot.session.close()
