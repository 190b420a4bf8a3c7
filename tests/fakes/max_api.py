"""A fake MAX Bot API on 127.0.0.1, written from MAX's OpenAPI schema (2026-07-01).

The transport's aiohttp client talks to it over HTTP (`[max] api_server` = `base_url`).
It records every call, serves long polling (`GET /updates` with `marker`) from updates
the tests push, takes uploads (`POST /uploads`, then the upload URL it names), and
refuses what MAX refuses, with MAX's error shape `{"code": ..., "message": ...}`: a
missing or wrong token (401 verify.token), parameters of the wrong type or out of range,
bodies without the schema's required fields, texts over 4000 characters, keyboards over
MAX's limits, attachments nobody uploaded, a file that is not a message's only
attachment, a reply to an unknown message, a callback answered twice, a message to a
reader who blocked the bot or never started it (403 chat.denied), long polling while a
webhook subscription is active (405). A message's `seq` is its place in its own chat, as
in MAX: every chat counts from the same number, so two chats share seqs. Faults on
demand: the next call of a route fails with a status (429 with Retry-After, 5xx), never
answers (a timeout), or the whole API limits its rate (429 past `rate_limit` calls a
second).

The schema's rules are encoded in `tests.fakes.max_rules` (checked against the schema by
tests/test_fake_max.py when ../shared is present): the fake never reads ../shared, so the
tests run in a clone without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from tests.fakes.max_rules import (
    ATTACHMENT_TYPES,
    NEW_MESSAGE_REQUIRED,
    SECRET_PATTERN,
    SENDER_ACTIONS,
    START_PAYLOAD_CHARS,
    TEXT_FORMATS,
    TEXT_LIMIT,
    UPDATES_LIMIT,
    UPDATES_TIMEOUT,
    UPLOAD_TYPES,
    MaxApiError,
    bad,
    boolean,
    bounded,
    int64,
    keyboard_problem,
)

PROCESSING_TIMEOUT = 15  # seconds one story step may take before the test fails
LONGPOLL_MAX_WAIT = 2.0  # an empty poll is held at most this long, so tests stay quick

DIALOG_CHATS = 7_000_000_000  # a reader's dialog chat id: this plus their user id


@dataclass
class MaxCall:
    verb: str
    path: str
    query: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)

    @property
    def route(self) -> str:
        """«POST /messages», «POST /chats/{chatId}/actions»: what faults are set for."""
        path = re.sub(r"^/chats/-?\d+", "/chats/{chatId}", self.path)
        return f"{self.verb} {path}"

    @property
    def text(self) -> str:
        body = self.body if isinstance(self.body, dict) else {}
        if "message" in body and isinstance(body["message"], dict):
            body = body["message"]
        return str(body.get("text") or "")

    @property
    def attachments(self) -> list[dict[str, Any]]:
        body = self.body if isinstance(self.body, dict) else {}
        return list(body.get("attachments") or [])

    def buttons(self) -> list[dict[str, Any]]:
        """Every button of the call's keyboards, row after row."""
        return [
            button
            for a in self.attachments
            if a.get("type") == "inline_keyboard"
            for row in a["payload"]["buttons"]
            for button in row
        ]

    @property
    def chat(self) -> int | None:
        """The chat a send names: a user id (a dialog) or a group chat id."""
        for name in ("user_id", "chat_id"):
            if self.query.get(name):
                return int(self.query[name])
        return None


class FakeMax:
    def __init__(self, token: str = "max-test-token-5550001", bot_id: int = 5550001) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = "library_max_bot"
        self.base_url = ""
        self.calls: list[MaxCall] = []
        self.updates: list[dict[str, Any]] = []  # update number n is updates[n - 1]
        self.polls = 0
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, str] = {}  # group chat id (negative) → title
        self.messages: dict[str, dict[str, Any]] = {}  # mid → the message as MAX shows it
        self.deleted: list[str] = []
        self.blocked: set[int] = set()  # users who blocked the bot: 403 chat.denied
        self.started: set[int] = set()  # users who wrote to the bot: the only ones it can
        self.answers: dict[str, dict[str, Any]] = {}  # callback id → the answer's body
        self.actions: list[tuple[int, str]] = []  # (chat id, action)
        self.uploads: dict[str, tuple[str, str, bytes]] = {}  # token → (type, name, data)
        self.subscription: dict[str, Any] | None = None
        self.rate_limit: int | None = None  # calls a second before 429 (MAX's: RATE_LIMIT_RPS)
        self.not_ready: int = 0  # next sends with a fresh upload answered attachment.not.ready
        self._faults: dict[str, list[tuple[int, str, str, int | None] | None]] = {}
        self._hang: dict[str, int] = {}
        self._recent: list[float] = []
        self._open_callbacks: dict[str, int] = {}  # callback id → the user who pressed
        self._seqs: dict[int, itertools.count[int]] = {}  # chat id → its own seq counter
        self._polled_marker = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> FakeMax:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/upload/{kind}/{token}", self._upload)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- people and chats ----------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, last_name: str = "", *, started: bool = True
    ) -> dict[str, Any]:
        """A MAX user; `started`: they have opened the bot already, so it may write to them
        (one the fake meets only in an update, or `started=False`, has not)."""
        if started:
            self.started.add(user_id)
        profile = {
            "user_id": user_id,
            "first_name": first_name,
            "last_name": last_name or None,
            "username": None,
            "is_bot": False,
            "last_activity_time": int(time.time() * 1000),
            "name": first_name,
        }
        self.users[user_id] = profile
        return profile

    def add_chat(self, chat_id: int, title: str = "Сотрудники") -> int:
        """A group chat the bot is in (MAX's group chat ids are negative)."""
        self.chats[chat_id] = title
        return chat_id

    def next_seq(self, chat: int) -> int:
        """The next message's seq in `chat`: every chat counts on its own from 100."""
        return next(self._seqs.setdefault(chat, itertools.count(100)))

    @staticmethod
    def dialog_chat(user_id: int) -> int:
        return DIALOG_CHATS + user_id

    def _profile(self, user_id: int) -> dict[str, Any]:
        return self.users.get(user_id) or self.add_user(user_id, f"User {user_id}", started=False)

    def _bot_profile(self) -> dict[str, Any]:
        return {
            "user_id": self.bot_id,
            "first_name": "Библиотека",
            "last_name": None,
            "username": self.username,
            "is_bot": True,
            "last_activity_time": int(time.time() * 1000),
            "name": "Библиотека",
        }

    # --- what people do (updates the bot receives) ---------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update; returns its number (the marker after it is number + 1)."""
        self.updates.append(update)
        self._notify()
        return len(self.updates)

    def message_created(
        self,
        user_id: int,
        text: str = "",
        *,
        attachments: list[dict[str, Any]] | None = None,
        chat_id: int | None = None,
        reply_to: str | None = None,
        locale: str = "ru-RU",
    ) -> int:
        """A reader's message to the bot (or, with `chat_id`, in a group chat the bot is
        in), maybe a reply to the message `reply_to` (a mid)."""
        if chat_id is not None:
            recipient = {"chat_id": chat_id, "chat_type": "chat", "user_id": None}
        else:
            recipient = {
                "chat_id": self.dialog_chat(user_id),
                "chat_type": "dialog",
                "user_id": self.bot_id,
            }
            self.started.add(user_id)
        seq = self.next_seq(recipient["chat_id"])
        message: dict[str, Any] = {
            "sender": self._profile(user_id),
            "recipient": recipient,
            "timestamp": int(time.time() * 1000),
            "link": None,
            "body": {
                "mid": f"mid.{secrets.token_hex(8)}",
                "seq": seq,
                "text": text,
                "attachments": attachments or [],
                "markup": [],
            },
        }
        if reply_to is not None:
            replied = self.messages[reply_to]
            message["link"] = {
                "type": "reply",
                "sender": replied["sender"],
                "chat_id": recipient["chat_id"],
                "message": replied["body"],
            }
        self.messages[message["body"]["mid"]] = {**message, "chat": recipient["chat_id"]}
        update = {
            "update_type": "message_created",
            "timestamp": message["timestamp"],
            "message": message,
        }
        if chat_id is None:
            update["user_locale"] = locale
        return self.push(update)

    def message_callback(self, user_id: int, payload: str, mid: str | None) -> int:
        """A press of a callback button of the bot's message `mid` (None: deleted)."""
        callback_id = secrets.token_urlsafe(12)
        self._open_callbacks[callback_id] = user_id
        if mid and self.messages[mid]["recipient"].get("chat_type") == "dialog":
            self.started.add(user_id)
        now = int(time.time() * 1000)
        return self.push(
            {
                "update_type": "message_callback",
                "timestamp": now,
                "callback": {
                    "timestamp": now,
                    "callback_id": callback_id,
                    "payload": payload,
                    "user": self._profile(user_id),
                },
                "message": self.public(self.messages[mid]) if mid else None,
                "user_locale": "ru-RU",
            }
        )

    def bot_started(self, user_id: int, payload: str | None = None) -> int:
        """The reader pressed «Начать», maybe through max.ru/<bot>?start=<payload>; MAX
        passes no payload longer than 512 characters."""
        passed = payload if payload is not None and len(payload) <= START_PAYLOAD_CHARS else None
        self.started.add(user_id)
        return self.push(
            {
                "update_type": "bot_started",
                "timestamp": int(time.time() * 1000),
                "chat_id": self.dialog_chat(user_id),
                "user": self._profile(user_id),
                "payload": passed,
                "user_locale": "ru-RU",
            }
        )

    def contact_attachment(self, user_id: int, phone: str) -> dict[str, Any]:
        """A contact of the MAX user `user_id` — what a `request_contact` press shares (the
        sharer's own), or another MAX user's card: MAX fills `max_info` with the account
        (and a `hash` of the vCard)."""
        profile = self._profile(user_id)
        vcf = _vcard(profile["first_name"], phone)
        return {
            "type": "contact",
            "payload": {"vcf_info": vcf, "hash": secrets.token_hex(16), "max_info": profile},
        }

    @staticmethod
    def phone_book_card(name: str, phone: str) -> dict[str, Any]:
        """A phone-book contact of someone not in MAX: a vCard, no `max_info`, no hash."""
        return {
            "type": "contact",
            "payload": {"vcf_info": _vcard(name, phone), "hash": None, "max_info": None},
        }

    def user_file(self, name: str, data: bytes) -> dict[str, Any]:
        """A file a reader attached: sendable by the bot under its token."""
        token = secrets.token_urlsafe(16)
        self.uploads[token] = ("file", name, data)
        return {
            "type": "file",
            "payload": {"url": f"{self.base_url}/files/{token}", "token": token},
            "filename": name,
            "size": len(data),
        }

    # --- waiting for the bot ------------------------------------------------------------

    async def wait_processed(self, number: int) -> None:
        """Until the bot polled past update `number`: it handles a batch before polling."""
        try:
            async with asyncio.timeout(PROCESSING_TIMEOUT):
                await self._wait_for(lambda: self._polled_marker > number)
        except TimeoutError:
            update = self.updates[number - 1]
            raise AssertionError(
                f"the bot did not finish update {number} ({update['update_type']}) "
                f"within {PROCESSING_TIMEOUT} s"
            ) from None

    async def wait_polls(self, more_than: int) -> None:
        async with asyncio.timeout(PROCESSING_TIMEOUT):
            await self._wait_for(lambda: self.polls > more_than)

    # --- faults ---------------------------------------------------------------------------

    def fail_next(
        self,
        route: str,
        status: int,
        code: str = "",
        message: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """The next call(s) of `route` («POST /messages») answer `status` with MAX's
        error object (a 429 with Retry-After when `retry_after`); `after`: that many
        calls of it succeed first (the second part of a send fails)."""
        code = code or {429: "too.many.requests", 503: "service.unavailable"}.get(
            status, "internal.error" if status >= 500 else "bad.request"
        )
        fault = (status, code, message or code, retry_after)
        self._faults.setdefault(route, []).extend([None] * after + [fault] * times)

    def hang_next(self, route: str, times: int = 1) -> None:
        """The next call(s) of `route` are never answered (the client's timeout fires)."""
        self._hang[route] = self._hang.get(route, 0) + times

    def calls_of(self, route: str) -> list[MaxCall]:
        return [c for c in self.calls if c.route == route]

    def sent_to(self, chat: int) -> list[MaxCall]:
        """POST /messages calls to a user (dialog) or group chat."""
        return [c for c in self.calls_of("POST /messages") if c.chat == chat]

    async def webhook_post(self, url: str, update: dict[str, Any]) -> int:
        """Deliver an update as MAX does to a subscription: POST with the secret header.
        `url` is where the test's server listens (the subscription's https URL is not)."""
        headers = {}
        if self.subscription and self.subscription.get("secret"):
            headers["X-Max-Bot-Api-Secret"] = self.subscription["secret"]
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json=update, headers=headers) as response,
        ):
            return response.status

    # --- plumbing ------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._changed.wait()

    def _token_of(self, request: web.Request) -> str:
        return request.headers.get("Authorization") or request.query.get("access_token", "")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"].rstrip("/")
        query = {k: v for k, v in request.query.items() if k != "access_token"}
        raw = await request.read()
        body: Any = None
        call = MaxCall(request.method, path, query, None)
        try:
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad("request body is not JSON") from None
            call.body = body
            if self._token_of(request) != self.token:
                raise MaxApiError(401, "verify.token", "Invalid access_token")
            self.calls.append(call)
            self._notify()
            if self._hang.get(call.route):
                self._hang[call.route] -= 1
                await self._wait_for(lambda: self._closing)
                return web.json_response({})
            self._check_rate(call)
            fault = self._faults[call.route].pop(0) if self._faults.get(call.route) else None
            if fault is not None:
                status, code, message, retry_after = fault
                headers = {"Retry-After": str(retry_after)} if retry_after else None
                return web.json_response(
                    {"code": code, "message": message}, status=status, headers=headers
                )
            result = await self._route(call)
        except MaxApiError as exc:
            return web.json_response({"code": exc.code, "message": exc.message}, status=exc.status)
        return web.json_response(result)

    def _check_rate(self, call: MaxCall) -> None:
        if self.rate_limit is None or call.route == "GET /updates":
            return
        now = time.monotonic()
        self._recent = [t for t in self._recent if now - t < 1.0]
        if len(self._recent) >= self.rate_limit:
            raise MaxApiError(429, "too.many.requests", "Too many requests")
        self._recent.append(now)

    async def _route(self, call: MaxCall) -> Any:
        routes: dict[str, Callable[[MaxCall], Any]] = {
            "GET /me": self._me,
            "GET /updates": self._get_updates,
            "GET /messages": self._get_messages,
            "POST /messages": self._post_message,
            "PUT /messages": self._put_message,
            "DELETE /messages": self._delete_message,
            "POST /answers": self._answer,
            "POST /uploads": self._uploads,
            "POST /chats/{chatId}/actions": self._action,
            "POST /subscriptions": self._subscribe,
            "GET /subscriptions": self._subscriptions,
            "DELETE /subscriptions": self._unsubscribe,
        }
        handler = routes.get(call.route)
        if handler is None:
            known = {r.split(" ", 1)[1] for r in routes}
            if re.sub(r"^/chats/-?\d+", "/chats/{chatId}", call.path) in known:
                raise MaxApiError(405, "method.not.allowed", f"{call.verb} is not allowed here")
            raise MaxApiError(404, "not.found", f"no such method: {call.verb} {call.path}")
        result = handler(call)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    # --- the API ----------------------------------------------------------------------------

    def _me(self, _call: MaxCall) -> dict[str, Any]:
        return {**self._bot_profile(), "description": None, "commands": None}

    async def _get_updates(self, call: MaxCall) -> dict[str, Any]:
        if self.subscription is not None:
            raise MaxApiError(405, "method.not.allowed", "long polling is off while subscribed")
        limit = bounded(call.query, "limit", UPDATES_LIMIT) or 100
        wait = bounded(call.query, "timeout", UPDATES_TIMEOUT)
        marker = int64(call.query, "marker")
        types = set(filter(None, call.query.get("types", "").split(",")))
        self.polls += 1
        if marker is not None:
            self._polled_marker = max(self._polled_marker, marker)
        self._notify()
        # Without a marker MAX gives only the latest update (the schema's rule).
        start = marker if marker is not None else max(len(self.updates), 1)
        held = min(30 if wait is None else wait, LONGPOLL_MAX_WAIT)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(held):
                await self._wait_for(lambda: len(self.updates) >= start or self._closing)
        batch = self.updates[max(start, 1) - 1 :][:limit]
        next_marker = max(start, 1) + len(batch)
        shown = [u for u in batch if not types or u["update_type"] in types]
        return {"updates": shown, "marker": next_marker}

    def _new_body(self, body: Any) -> dict[str, Any]:
        """A NewMessageBody as MAX checks it."""
        if not isinstance(body, dict):
            raise bad("body must be a NewMessageBody object")
        for name in NEW_MESSAGE_REQUIRED:
            if name not in body:
                raise bad(f"{name} is required (it may be null)")
        text = body["text"]
        if text is not None and not isinstance(text, str):
            raise bad("text must be a string")
        if text is not None and len(text) > TEXT_LIMIT:
            raise bad(f"text is longer than {TEXT_LIMIT} characters", "text.too.long")
        fmt = body.get("format")
        if fmt is not None and fmt not in TEXT_FORMATS:
            raise bad("format must be markdown or html")
        attachments = body["attachments"]
        if attachments is not None and not isinstance(attachments, list):
            raise bad("attachments must be an array")
        for item in attachments or []:
            self._check_attachment(item, attachments)
        if not (text or "").strip() and not attachments:
            raise bad("message is empty: no text and no attachments")
        return body

    def _check_attachment(self, item: Any, siblings: list[Any]) -> None:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ATTACHMENT_TYPES:
            raise bad(f"unknown attachment type {kind!r}")
        payload = item.get("payload")
        if kind == "inline_keyboard":
            if problem := keyboard_problem(payload):
                raise bad(problem, "keyboard.invalid")
            return
        if kind == "file" and len(siblings) > 1:
            raise bad("a file must be the only attachment of a message", "attachment.invalid")
        if kind in ("file", "image") and isinstance(payload, dict):
            token = payload.get("token")
            photos = payload.get("photos")
            if isinstance(photos, dict):
                tokens = [p.get("token") for p in photos.values() if isinstance(p, dict)]
            elif token is not None:
                tokens = [token]
            elif kind == "image" and isinstance(payload.get("url"), str) and payload["url"]:
                return
            else:
                raise bad(f"a {kind} attachment needs a token", "attachment.invalid")
            for one in tokens:
                if one not in self.uploads:
                    raise bad(f"unknown attachment token {one!r}", "attachment.invalid")
            if self.not_ready > 0:
                self.not_ready -= 1
                raise bad(
                    "Key: errors.process.attachment.file.not.processed", "attachment.not.ready"
                )

    def _target(self, call: MaxCall) -> tuple[dict[str, Any], int]:
        """The recipient of a send and the chat it is stored under."""
        user_id = int64(call.query, "user_id")
        chat_id = int64(call.query, "chat_id")
        boolean(call.query, "disable_link_preview")
        if (user_id is None) == (chat_id is None):
            raise bad("exactly one of user_id and chat_id is required", "param.invalid")
        if user_id is not None:
            self._may_write(user_id)
            recipient = {
                "chat_id": self.dialog_chat(user_id),
                "chat_type": "dialog",
                "user_id": user_id,
            }
            return recipient, self.dialog_chat(user_id)
        assert chat_id is not None
        if chat_id in self.chats:
            return {"chat_id": chat_id, "chat_type": "chat", "user_id": None}, chat_id
        if chat_id - DIALOG_CHATS in self.users:
            user_id = chat_id - DIALOG_CHATS
            self._may_write(user_id)
            return {"chat_id": chat_id, "chat_type": "dialog", "user_id": user_id}, chat_id
        raise MaxApiError(404, "chat.not.found", f"chat {chat_id} not found")

    def _may_write(self, user_id: int) -> None:
        """A bot writes only to a reader who started it and has not blocked it since."""
        if user_id in self.blocked:
            raise MaxApiError(403, "chat.denied", "error.dialog.suspended")
        if user_id not in self.started:
            raise MaxApiError(403, "chat.denied", "error.dialog.not.started")

    @staticmethod
    def public(message: dict[str, Any]) -> dict[str, Any]:
        """A stored message as MAX shows it (without what the fake keeps beside it)."""
        return {k: v for k, v in message.items() if k not in ("chat", "format")}

    def _shown_attachments(self, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Attachment requests as the message then shows them."""
        shown = []
        for item in attachments:
            payload = dict(item.get("payload") or {})
            if item["type"] == "file":
                _kind, name, data = self.uploads[payload["token"]]
                payload["url"] = f"{self.base_url}/files/{payload['token']}"
                shown.append(
                    {"type": "file", "payload": payload, "filename": name, "size": len(data)}
                )
            elif item["type"] == "image" and isinstance(payload.get("photos"), dict):
                token = next(iter(payload["photos"].values()))["token"]
                shown.append(
                    {"type": "image", "payload": {"photo_id": 1, "token": token, "url": ""}}
                )
            else:
                shown.append({"type": item["type"], "payload": payload})
        return shown

    def _post_message(self, call: MaxCall) -> dict[str, Any]:
        recipient, chat = self._target(call)
        body = self._new_body(call.body)
        link = body["link"]
        stored_link = None
        if link is not None:
            if not isinstance(link, dict) or link.get("type") not in ("reply", "forward"):
                raise bad("link.type must be reply or forward")
            replied = self.messages.get(str(link.get("mid")))
            if replied is None or replied["chat"] != chat:
                raise bad("link.mid names no message of this chat", "message.not.found")
            stored_link = {
                "type": link["type"],
                "sender": replied["sender"],
                "message": replied["body"],
            }
        mid = f"mid.{secrets.token_hex(8)}"
        message = {
            "sender": self._bot_profile(),
            "recipient": recipient,
            "timestamp": int(time.time() * 1000),
            "link": stored_link,
            "body": {
                "mid": mid,
                "seq": self.next_seq(chat),
                "text": shown_text(body["text"], body.get("format")),
                "attachments": self._shown_attachments(body["attachments"] or []),
                "markup": [],
            },
            "chat": chat,
            "format": body.get("format"),
        }
        self.messages[mid] = message
        return {"message": self.public(message)}

    def _get_messages(self, call: MaxCall) -> dict[str, Any]:
        """A chat's messages, newest first (`chat_id`), or the ones named (`message_ids`)."""
        chat_id = int64(call.query, "chat_id")
        wanted = [m for m in call.query.get("message_ids", "").split(",") if m]
        count = bounded(call.query, "count", (1, 100)) or 50
        if chat_id is None and not wanted:
            raise bad("chat_id or message_ids is required", "param.required")
        if chat_id is not None:
            if chat_id not in self.chats and chat_id - DIALOG_CHATS not in self.users:
                raise MaxApiError(404, "chat.not.found", f"chat {chat_id} not found")
            found = [m for m in self.messages.values() if m["chat"] == chat_id]
            found.sort(key=lambda m: m["body"]["seq"], reverse=True)
            found = found[:count]
        else:
            found = [self.messages[mid] for mid in wanted if mid in self.messages]
        return {"messages": [self.public(m) for m in found]}

    def _put_message(self, call: MaxCall) -> dict[str, Any]:
        mid = call.query.get("message_id", "")
        if not mid:
            raise bad("message_id is required", "param.required")
        message = self.messages.get(mid)
        if message is None or message["sender"]["user_id"] != self.bot_id:
            raise MaxApiError(404, "message.not.found", f"message {mid} not found")
        body = self._new_body(call.body)
        if body["text"] is not None:
            message["body"]["text"] = shown_text(body["text"], body.get("format"))
        if body["attachments"] is not None:  # null: unchanged; empty: all removed
            message["body"]["attachments"] = self._shown_attachments(body["attachments"])
        message["format"] = body.get("format")
        return {"success": True}

    def _delete_message(self, call: MaxCall) -> dict[str, Any]:
        mid = call.query.get("message_id", "")
        if not mid:
            raise bad("message_id is required", "param.required")
        if self.messages.pop(mid, None) is None:
            raise MaxApiError(404, "message.not.found", f"message {mid} not found")
        self.deleted.append(mid)
        return {"success": True}

    def _answer(self, call: MaxCall) -> dict[str, Any]:
        callback_id = call.query.get("callback_id", "")
        if not callback_id.strip():
            raise bad("callback_id is required", "param.required")
        body = call.body if call.body is not None else None
        if not isinstance(body, dict):
            raise bad("body must be a CallbackAnswer object")
        notification = body.get("notification")
        if notification is not None and not isinstance(notification, str):
            raise bad("notification must be a string")
        if body.get("message") is not None:
            self._new_body(body["message"])
        if callback_id in self.answers:
            raise bad("this callback has already been answered", "callback.answered")
        if callback_id not in self._open_callbacks:
            raise MaxApiError(404, "callback.not.found", "no such callback")
        del self._open_callbacks[callback_id]
        self.answers[callback_id] = body
        return {"success": True}

    def _uploads(self, call: MaxCall) -> dict[str, Any]:
        kind = call.query.get("type", "")
        if kind not in UPLOAD_TYPES:
            raise bad("type must be one of image, video, audio, file", "param.invalid")
        token = secrets.token_urlsafe(16)
        answer = {"url": f"{self.base_url}/upload/{kind}/{token}"}
        if kind in ("video", "audio"):
            answer["token"] = token
        return answer

    async def _upload(self, request: web.Request) -> web.Response:
        kind, token = request.match_info["kind"], request.match_info["token"]
        if kind not in UPLOAD_TYPES or token in self.uploads:
            return web.json_response({"code": "upload.invalid", "message": "bad URL"}, status=400)
        found: tuple[str, bytes] | None = None
        if request.content_type.startswith("multipart/"):
            async for part in await request.multipart():
                if isinstance(part, aiohttp.BodyPartReader) and part.filename and found is None:
                    # aiohttp percent-encodes a non-ASCII name (RFC 7578 allows it)
                    found = (unquote(part.filename), bytes(await part.read()))
        if found is None:
            return web.json_response({"code": "upload.empty", "message": "no file"}, status=400)
        self.uploads[token] = (kind, *found)
        if kind == "image":
            return web.json_response({"photos": {secrets.token_hex(4): {"token": token}}})
        return web.json_response({"token": token})

    def _action(self, call: MaxCall) -> dict[str, Any]:
        chat_id = int(call.path.split("/")[2])
        body = call.body if isinstance(call.body, dict) else {}
        if body.get("action") not in SENDER_ACTIONS:
            raise bad("action must be a SenderAction")
        if chat_id not in self.chats and chat_id - DIALOG_CHATS not in self.users:
            raise MaxApiError(404, "chat.not.found", f"chat {chat_id} not found")
        self.actions.append((chat_id, body["action"]))
        return {"success": True}

    def _subscribe(self, call: MaxCall) -> dict[str, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        url = body.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise bad("url must start with https://")
        secret = body.get("secret")
        if secret is not None and (not isinstance(secret, str) or not SECRET_PATTERN.match(secret)):
            raise bad("secret must be 5-256 characters of A-Z, a-z, 0-9, _ and -")
        types = body.get("update_types")
        if types is not None and (
            not isinstance(types, list) or not all(isinstance(t, str) for t in types)
        ):
            raise bad("update_types must be an array of strings")
        self.subscription = {
            "url": url,
            "secret": secret,
            "update_types": types,
            "time": int(time.time() * 1000),
        }
        return {"success": True}

    def _subscriptions(self, _call: MaxCall) -> dict[str, Any]:
        found = [] if self.subscription is None else [self.subscription]
        return {"subscriptions": [{k: v for k, v in s.items() if k != "secret"} for s in found]}

    def _unsubscribe(self, call: MaxCall) -> dict[str, Any]:
        url = call.query.get("url")
        if not url:
            raise bad("url is required", "param.required")
        if self.subscription is not None and self.subscription["url"] == url:
            self.subscription = None
        return {"success": True}


def _vcard(name: str, phone: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nTEL;TYPE=cell:{phone}\r\nEND:VCARD\r\n"


def shown_text(text: str | None, fmt: str | None) -> str:
    """A message's `body.text` as MAX shows it: plain — an HTML message's tags gone and
    its entities read (MAX keeps the formatting apart, in `markup`)."""
    if fmt == "html":
        return html.unescape(re.sub(r"<[^>]*>", "", text or ""))
    return text or ""
