"""A fake Telegram Bot API server on 127.0.0.1, checked against the published spec.

The real aiogram Bot talks to it over HTTP. It records every call, serves
getUpdates as long polling from a queue the tests fill, and refuses what the real
Bot API refuses: unknown methods, missing or mistyped parameters, empty or too
long texts, HTML it cannot parse (unknown or unbalanced tags, a «<» that opens no whole
tag, such as a tag cut in half), callback_data over 64 bytes. Tests can make the
next call of a method fail (429 with retry_after, 403, 5xx) so real error paths run.

With `limits=Limits()` (off by default) it also refuses what Telegram's flood control
refuses (Bots FAQ, «My bot is hitting limits»): past about 30 messages a second per bot,
one a second per chat after a short burst, 20 a minute per group chat, a call that counts
(messages and their edits) is answered 429 with `retry_after` and nothing is delivered.
So a benchmark can measure what readers meet when hundreds press at once. Whether limits
are on or not, it records what each chat received and when, every 429 it answered, and
when each update was handed to the bot; `latency` delays every call like a network would.

The method table comes from `shared/specs/telegram-bot-api/api.json` when it is
present; without it (a user's own clone) parameter checks fall back to
presence-only checks of the few methods below.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC_CANDIDATES = (
    Path(os.environ.get("LIBBOT_SPECS_DIR", "/nonexistent")),
    Path(__file__).resolve().parents[3] / "shared" / "specs",
)
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
    "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
BOT_ID = 4242
PROCESSING_TIMEOUT = 15  # seconds one story step may take before the test fails
# Parameters the spec no longer lists but the Bot API still accepts for old clients
# (aiogram sends this one when link previews are disabled by default).
DEPRECATED_ACCEPTED = {"disable_web_page_preview"}
# What Telegram counts against a bot's message limits: messages sent, copied, forwarded,
# and edits of them. Answering a button press, polling, getMe, setMyCommands,
# deleteWebhook and sendChatAction are not limited.
COUNTED_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo",
        "sendAudio", "sendVoice", "sendAnimation", "sendVideoNote", "sendSticker",
        "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice", "sendInvoice",
        "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
        "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
    }
)  # fmt: skip


def load_spec() -> dict[str, Any] | None:
    for base in SPEC_CANDIDATES:
        path = base / "telegram-bot-api" / "api.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


class _EntityParser(HTMLParser):
    """Telegram's HTML parse mode: a few tags, properly nested, and visible text length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.length = 0
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.length += len(data.encode("utf-16-le")) // 2


# A whole tag as Telegram reads one: a name, attributes (quoted values may hold «>»), «>».
_WHOLE_TAG = re.compile(
    r"""</?[A-Za-z][\w-]*(?:\s+[\w-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>"""
)


def _broken_tag(text: str) -> str | None:
    """Telegram's error for a «<» that does not open a whole tag (a bare «<», or a tag cut
    off), which Python's HTMLParser would quietly take as text. A lone «&» is text to
    Telegram as well, so entities are not checked here."""
    position = text.find("<")
    while position != -1:
        tag = _WHOLE_TAG.match(text, position)
        if tag is None:
            offset = len(text[:position].encode())
            rest = text[position:]
            kind = "end" if rest.startswith("</") else "start"
            name = re.match(r"</?([^\s>]*)", rest)
            assert name is not None  # the pattern matches any «<»
            if name.end() == len(rest) or name.group(1) in ALLOWED_TAGS:
                return f"Unclosed {kind} tag at byte offset {offset}"
            return f'Unsupported {kind} tag "{name.group(1)}" at byte offset {offset}'
        position = text.find("<", tag.end())
    return None


def visible_length(text: str, parse_mode: str | None) -> tuple[int, str | None]:
    if parse_mode != "HTML":
        return len(text.encode("utf-16-le")) // 2, None
    broken = _broken_tag(text)
    if broken:
        return 0, broken
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.stack and not parser.error:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return parser.length, parser.error


@dataclass(frozen=True)
class Limits:
    """Telegram's documented flood limits. Each may be changed for a test."""

    per_second: int = 30  # messages a second from the bot, all chats together
    chat_burst: int = 3  # one chat may get this many at once…
    chat_interval: float = 1.0  # …then one per this many seconds
    group_per_minute: int = 20  # a group chat (negative id): at most this many a minute


@dataclass(frozen=True)
class Received:
    """A counted call the API accepted: what reached the chat, and when."""

    chat_id: int
    method: str
    text: str
    message_id: int | None
    at: float  # the fake's clock (time.monotonic unless a test set another)
    wall: float  # time.time(): seconds since the epoch, UTC


@dataclass(frozen=True)
class TooMany:
    """A 429 the fake answered: which call, to which chat, why and for how long."""

    method: str
    chat_id: int | None
    limit: str  # "bot" (30/s), "chat" (1/s after the burst), "group" (20/min), "injected"
    retry_after: int
    at: float


@dataclass(frozen=True)
class Handover:
    """When an update was queued by a test and when getUpdates handed it to the bot."""

    queued_at: float  # the fake's clock
    at: float | None = None  # the fake's clock, None while still queued
    wall: float | None = None  # time.time() of the hand-over


class _Meter:
    """The state of the limits: starts of the last second, each chat's bucket (`burst`
    turns, one back every `interval`), each group's starts of the last minute."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.recent: deque[float] = deque()
        self.buckets: dict[str, tuple[float, float]] = {}  # chat → (turns left, when)
        self.groups: dict[str, deque[float]] = {}

    def take(self, chat: str | None, now: float) -> tuple[str, int] | None:
        """Count one message now, or say which limit refuses it and for how many seconds."""
        limits = self.limits
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        refusals: list[tuple[float, str]] = []
        if len(self.recent) >= limits.per_second:
            refusals.append((self.recent[0] + 1.0 - now, "bot"))
        turns = float(limits.chat_burst)
        if chat is not None:
            left, when = self.buckets.get(chat, (float(limits.chat_burst), now))
            turns = min(float(limits.chat_burst), left + (now - when) / limits.chat_interval)
            if turns < 1.0:
                refusals.append(((1.0 - turns) * limits.chat_interval, "chat"))
            if _is_group(chat):
                starts = self.groups.setdefault(chat, deque())
                while starts and starts[0] <= now - 60.0:
                    starts.popleft()
                if len(starts) >= limits.group_per_minute:
                    refusals.append((starts[0] + 60.0 - now, "group"))
        if refusals:
            wait, limit = max(refusals)
            return limit, max(1, math.ceil(wait))
        self.recent.append(now)
        if chat is not None:
            self.buckets[chat] = (turns - 1.0, now)
            if _is_group(chat):
                self.groups[chat].append(now)
        return None

    def give_back(self, chat: str | None, now: float, taken_at: float) -> None:
        """The counted call failed for another reason (blocked, bad request): no message."""
        with contextlib.suppress(ValueError):
            self.recent.remove(taken_at)
        if chat is None:
            return
        left, when = self.buckets.get(chat, (0.0, now))
        self.buckets[chat] = (min(float(self.limits.chat_burst), left + 1.0), when)
        if chat in self.groups:
            with contextlib.suppress(ValueError):
                self.groups[chat].remove(taken_at)


def _is_group(chat: str) -> bool:
    return chat.startswith(("-", "@"))


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None  # what the API answered (a sent message: its message_id)
    error: int | None = None  # the error code when the API refused the call (429, 403…)

    @property
    def message_id(self) -> int | None:
        """The id of the message this call sent or changed."""
        return self.result.get("message_id") if isinstance(self.result, dict) else None

    @property
    def reply_to(self) -> int | None:
        """The message this one was sent as a reply to."""
        reply = self.params.get("reply_parameters") or {}
        return reply.get("message_id") if isinstance(reply, dict) else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]


class FakeTelegram:
    def __init__(
        self,
        token: str = f"{BOT_ID}:TEST-token_for-libbot",
        *,
        limits: Limits | None = None,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.clock: Callable[[], float] = time.monotonic  # limits and records; tests may set it
        self.latency = latency  # seconds a call takes there and back, like a network
        self.too_many: list[TooMany] = []  # every 429 answered, in order
        self.received: dict[int, list[Received]] = {}  # chat → accepted counted calls
        self.handovers: dict[int, Handover] = {}  # update id → queued and handed over
        self.queued: list[int] = []  # update ids in the order they were queued
        self._meter: _Meter | None = None
        self.limits = limits
        self.spec = load_spec()
        self.calls: list[Call] = []
        self.updates: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.offset = 0  # highest offset a getUpdates call confirmed
        self.offset_changed = asyncio.Condition()
        self.failures: dict[str, list[ApiError]] = {}
        self.webhook: dict[str, Any] = {}
        self.blocked: set[int] = set()  # users who blocked the bot: 403 for them
        self.slow: dict[str, float] = {}  # method → seconds to wait before answering
        self.delivered: list[tuple[int, str]] = []  # (chat, text) the API accepted
        self.deleted: list[tuple[int, int]] = []  # (chat, message id) deleteMessage removed
        self.undeletable: set[int] = set()  # message ids too old to delete: 400
        self.files: dict[str, bytes] = {}  # file id → the bytes getFile and /file/ serve
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self.updates.put_nowait(None)  # wake a pending long poll so shutdown is immediate
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -----------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def number_updates_from(self, first: int) -> None:
        """Update ids from here on (Redis remembers handled ids across tests for a while)."""
        self._update_ids = itertools.count(first)

    def push(self, update: dict[str, Any]) -> None:
        update_id = update.get("update_id")
        if isinstance(update_id, int):
            self.queued.append(update_id)
            self.handovers[update_id] = Handover(queued_at=self.clock())
        self.updates.put_nowait(update)

    @property
    def limits(self) -> Limits | None:
        """Telegram's flood limits, enforced from now on (None: no limits, the default)."""
        return self._meter.limits if self._meter is not None else None

    @limits.setter
    def limits(self, limits: Limits | None) -> None:
        self._meter = _Meter(limits) if limits is not None else None

    def received_by(self, chat_id: int) -> list[Received]:
        """What reached this chat (messages and edits the API accepted), in order."""
        return list(self.received.get(chat_id, []))

    def too_many_by_method(self) -> Counter[str]:
        """429s answered, per method."""
        return Counter(refusal.method for refusal in self.too_many)

    async def wait_processed(self, update_id: int) -> None:
        """Wait until the bot asked for updates past `update_id`: it has handled it."""
        async with asyncio.timeout(PROCESSING_TIMEOUT), self.offset_changed:
            await self.offset_changed.wait_for(lambda: self.offset > update_id)

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        self.failures.setdefault(method, []).append(ApiError(status, description, retry_after))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # --- the API -------------------------------------------------------------------------

    async def _params(self, request: web.Request, method: str) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        params: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            files: dict[str, dict[str, Any]] = {}
            async for part in reader:
                if part.filename:
                    content = bytes(await part.read())
                    files[part.name or ""] = {
                        "filename": part.filename,
                        "size": len(content),
                        "content": content,  # so a test can open the file the bot sent
                    }
                else:
                    params[part.name] = await part.text()
            # aiogram names an uploaded file in a parameter as "attach://<part name>".
            for name, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    params[name] = files.pop(value.removeprefix("attach://"), value)
            params.update(files)
        else:
            params.update(await request.post())
            params.update(request.query)
        fields = {}
        if self.spec is not None and method in self.spec["methods"]:
            fields = {f["name"]: f["types"] for f in self.spec["methods"][method].get("fields", [])}
        return {name: _decode(name, value, fields.get(name)) for name, value in params.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        if self.latency:
            await asyncio.sleep(self.latency / 2)  # the request on its way
        call: Call | None = None
        try:
            params = await self._params(request, method)
            self._validate(method, params)
            call = Call(method, params, self.clock())
            if method != "getUpdates":
                self.calls.append(call)
            if self.failures.get(method):
                failure = self.failures[method].pop(0)
                if failure.status == 429:
                    self._note_too_many(call, "injected", failure.retry_after or 0)
                raise failure
            result = await self._answer(call)
        except ApiError as exc:
            if call is not None:
                call.error = exc.status
            response = _error(exc)
        else:
            call.result = result
            response = web.json_response({"ok": True, "result": result})
        if self.latency:
            await asyncio.sleep(self.latency / 2)  # the answer on its way back
        if method == "getUpdates" and call is not None and isinstance(call.result, list):
            self._handed_over(call.result)
        return response

    async def _answer(self, call: Call) -> Any:
        """The method's answer; a counted call first takes its turn under the limits, and
        what it delivered is recorded for the chat."""
        method, params = call.method, call.params
        handler = getattr(self, f"_api_{method}", self._api_default)
        if method not in COUNTED_METHODS:
            return await handler(params, method)
        chat = str(params["chat_id"]) if params.get("chat_id") is not None else None
        taken_at = self.clock()
        if self._meter is not None:
            refused = self._meter.take(chat, taken_at)
            if refused is not None:
                limit, retry_after = refused
                self._note_too_many(call, limit, retry_after)
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
        try:
            result = await handler(params, method)
        except ApiError:
            if self._meter is not None:
                self._meter.give_back(chat, self.clock(), taken_at)
            raise
        if call.chat_id is not None:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            self.received.setdefault(call.chat_id, []).append(
                Received(call.chat_id, method, call.text, message_id, self.clock(), time.time())
            )
        return result

    def _note_too_many(self, call: Call, limit: str, retry_after: int) -> None:
        self.too_many.append(TooMany(call.method, call.chat_id, limit, retry_after, self.clock()))

    def _handed_over(self, updates: list[dict[str, Any]]) -> None:
        now, wall = self.clock(), time.time()
        for update in updates:
            update_id = update.get("update_id")
            if not isinstance(update_id, int):
                continue
            queued = self.handovers.get(update_id)
            queued_at = queued.queued_at if queued is not None else now
            self.handovers[update_id] = Handover(queued_at, now, wall)

    def _validate(self, method: str, params: dict[str, Any]) -> None:
        if self.spec is not None:
            spec = self.spec["methods"].get(method)
            if spec is None:
                raise ApiError(404, "Not Found: method not found")
            fields = {f["name"]: f for f in spec.get("fields", [])}
            for name, field_spec in fields.items():
                if field_spec["required"] and name not in params:
                    raise ApiError(400, f"Bad Request: parameter {name} is required")
            for name, value in params.items():
                if name in DEPRECATED_ACCEPTED:
                    continue
                if name not in fields:
                    raise ApiError(400, f"Bad Request: unexpected parameter {name}")
                _check_type(name, value, fields[name]["types"])
        for key in ("text", "caption"):
            if key in params:
                limit = 4096 if key == "text" else 1024
                length, error = visible_length(str(params[key]), params.get("parse_mode"))
                if error:
                    raise ApiError(400, f"Bad Request: can't parse entities: {error}")
                if key == "text" and method in ("sendMessage", "editMessageText") and length == 0:
                    raise ApiError(400, "Bad Request: message text is empty")
                if length > limit:
                    raise ApiError(
                        400, f"Bad Request: {'message' if key == 'text' else 'caption'} is too long"
                    )
        if method == "answerCallbackQuery" and len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        for button in Call(method, params).buttons():
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    async def _api_getUpdates(self, params: dict[str, Any], _method: str) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        async with self.offset_changed:
            if offset > self.offset:
                self.offset = offset
                self.offset_changed.notify_all()
        timeout = float(params.get("timeout") or 0)
        try:
            update = await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01))
        except TimeoutError:
            return []
        if update is None:
            return []
        # Like Telegram: everything already waiting, up to `limit` (default 100), at once.
        batch = [update]
        limit = min(int(params.get("limit") or 100), 100)
        while len(batch) < limit and not self.updates.empty():
            more = self.updates.get_nowait()
            if more is None:
                self.updates.put_nowait(None)  # a shutdown wake-up: leave it for the next poll
                break
            batch.append(more)
        return batch

    async def _api_getFile(self, params: dict[str, Any], _method: str) -> dict[str, Any]:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _file(self, request: web.Request) -> web.Response:
        """Downloads as the Bot API serves them: /file/bot<token>/<file_path>."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    async def _api_getMe(self, _params: dict[str, Any], _method: str) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Library",
            "username": "library_test_bot",
        }

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": extra.pop("message_id", None) or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Library"},
        }
        if params.get("text"):
            message["text"] = params["text"]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message.update(extra)
        return message

    async def _deliver(self, method: str, params: dict[str, Any]) -> None:
        """What the real API does before accepting a message to a user."""
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method in self.slow:
            await asyncio.sleep(self.slow[method])
        self.delivered.append((chat_id, str(params.get("text") or params.get("caption") or "")))

    async def _api_sendMessage(self, params: dict[str, Any], method: str) -> dict[str, Any]:
        await self._deliver(method, params)
        return self._message(params)

    async def _api_sendPhoto(self, params: dict[str, Any], method: str) -> dict[str, Any]:
        await self._deliver(method, params)
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 10, "height": 10}]
        return self._message(params, photo=photo, caption=params.get("caption"))

    async def _api_sendDocument(self, params: dict[str, Any], _method: str) -> dict[str, Any]:
        document = {"file_id": "doc-1", "file_unique_id": "d1"}
        return self._message(params, document=document, caption=params.get("caption"))

    async def _api_editMessageText(self, params: dict[str, Any], _method: str) -> dict[str, Any]:
        return self._message(params, message_id=int(params["message_id"]))

    async def _api_editMessageReplyMarkup(
        self, params: dict[str, Any], _method: str
    ) -> dict[str, Any]:
        return self._message(params, message_id=int(params["message_id"]), text="…")

    async def _api_deleteMessage(self, params: dict[str, Any], _method: str) -> bool:
        message_id = int(params["message_id"])
        if message_id in self.undeletable:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        self.deleted.append((int(params["chat_id"]), message_id))
        return True

    async def _api_setWebhook(self, params: dict[str, Any], _method: str) -> bool:
        self.webhook = params
        return True

    async def _api_deleteWebhook(self, _params: dict[str, Any], _method: str) -> bool:
        self.webhook = {}
        return True

    async def _api_default(self, _params: dict[str, Any], _method: str) -> bool:
        return True


JSON_FIELDS = {  # without the spec (a checkout without ../shared): the fields tests read
    "reply_markup",
    "reply_parameters",
    "link_preview_options",
    "entities",
    "caption_entities",
    "allowed_updates",
    "commands",
    "scope",
    "media",
}


def _decode(name: str, value: Any, types: list[str] | None) -> Any:
    """Form fields carry JSON for objects, arrays and booleans, plain text for strings."""
    if not isinstance(value, str):
        return value
    structured = name in JSON_FIELDS if types is None else types != ["String"]
    if structured and (value[:1] in "[{" or value in ("true", "false")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _check_type(name: str, value: Any, types: list[str]) -> None:
    def fits(kind: str) -> bool:
        if kind == "Integer":
            return isinstance(value, int) or (
                isinstance(value, str) and value.lstrip("-").isdigit()
            )
        if kind == "Float":
            try:
                float(value)
            except (TypeError, ValueError):
                return False
            return True
        if kind == "Boolean":
            return isinstance(value, bool) or value in ("true", "false", "True", "False")
        if kind == "String":
            return isinstance(value, str | int)
        if kind.startswith("Array of"):
            return isinstance(value, list)
        if kind == "InputFile":
            return isinstance(value, dict | str)
        return isinstance(value, dict | str)  # an object type

    if not any(fits(kind) for kind in types):
        raise ApiError(
            400, f"Bad Request: wrong type of parameter {name}, expected {' or '.join(types)}"
        )


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.status)
