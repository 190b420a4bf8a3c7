"""A fake VK API server for a community bot on 127.0.0.1, checked against the published schema.

The real vk_api client talks to it over HTTP (the project's requests adapter rewrites
`https://api.vk.ru` to `base_url`). It records every call, serves the Bots Long Poll API
from events the tests push, takes document and photo uploads, and refuses what VK
refuses: unknown methods, a wrong token, missing or malformed parameters, keyboards VK
would reject, attachments nobody uploaded, answers to callback events it never sent.
Tests can make the next call of a method fail with a VK error or a bare HTTP status, or
make the long poll server answer `failed`, so the bot's error paths run for real.

Parameter tables come from `shared/specs/vk-api-schema/{messages,groups}/methods.json`
when present; without them (a user's own clone) only presence checks of the few
parameters in FALLBACK_REQUIRED remain. A schema method the fake does not model (say
messages.markAsRead) passes the parameter checks and answers 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

SPEC_CANDIDATES = (
    Path(os.environ.get("LIBBOT_SPECS_DIR", "/nonexistent")),
    Path(__file__).resolve().parents[3] / "shared" / "specs",
)
API_VERSION = "5.199"
PROCESSING_TIMEOUT = 15  # seconds one story step may take before the test fails
LONGPOLL_MAX_WAIT = 2.0  # an empty a_check is held at most this long, so tests stay quick
PARAM_ERROR = "One of the parameters specified was missing or invalid"
ERROR_TEXTS = {  # errors.json descriptions, so fail_next() can omit the message
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token",
    6: "Too many requests per second",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    15: "Access denied",
    100: PARAM_ERROR,
    113: "Invalid user id",
    900: "Can't send messages for users from blacklist",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    909: "Can't edit this message, because it's too old",
    911: "Keyboard format is invalid",
    914: "Message is too long",
    924: "Can't delete this message for everybody",
}
# Without the schema (and for users/docs/photos, which the copied schema does not cover).
FALLBACK_REQUIRED = {
    "groups.getLongPollServer": ("group_id",),
    "messages.edit": ("peer_id",),
    "messages.getByConversationMessageId": ("peer_id", "conversation_message_ids"),
    "messages.sendMessageEventAnswer": ("event_id", "user_id", "peer_id"),
    "docs.save": ("file",),
    "photos.saveMessagesPhoto": ("photo", "server", "hash"),
}
ACTION_TYPES = {"text", "callback", "open_link", "location", "vkpay", "open_app"}
UNLABELLED_ACTIONS = {"location", "vkpay"}
ACTION_NEEDS = {"open_link": ("link",), "open_app": ("app_id",), "vkpay": ("hash",)}
EVENT_ACTIONS = {"show_snackbar": "text", "open_link": "link", "open_app": "app_id"}
CLIENT_INFO = {
    "button_actions": [
        "text", "vkpay", "open_app", "location", "open_link", "callback",
        "intent_subscribe", "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}  # fmt: skip
# vk_api's FilesOpener names photo parts file0…file4 and a document part `file`.
UPLOAD_FIELDS = {"doc": {"file"}, "photo": {"photo", "file", *(f"file{i}" for i in range(5))}}
INTEGER = re.compile(r"-?\d+")
CHAT_PEERS = 2_000_000_000  # peer ids from here up are group chats
ATTACHMENT = re.compile(r"(photo|doc)(-?\d+)_(\d+)(?:_\w+)?")  # an access key may follow


def load_spec() -> dict[str, dict[str, dict[str, Any]]] | None:
    """Method name → parameter name → its schema, from messages/ and groups/ methods.json."""
    for base in SPEC_CANDIDATES:
        folder = base / "vk-api-schema"
        if not (folder / "messages" / "methods.json").is_file():
            continue
        methods: dict[str, dict[str, dict[str, Any]]] = {}
        for section in ("messages", "groups"):
            data = json.loads((folder / section / "methods.json").read_text(encoding="utf-8"))
            for method in data["methods"]:
                methods[method["name"]] = {p["name"]: p for p in method.get("parameters", [])}
        return methods
    return None


class VkError(Exception):
    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message or ERROR_TEXTS.get(code, ERROR_TEXTS[1])
        super().__init__(f"[{code}] {self.message}")


def param_error(detail: str) -> VkError:
    return VkError(100, f"{PARAM_ERROR}: {detail}")


def _to_int(value: str, name: str) -> int:
    if not INTEGER.fullmatch(value.strip()):
        raise param_error(f"{name} not integer")
    return int(value)


def _int(params: dict[str, str], name: str) -> int:
    if not params.get(name):
        raise param_error(f"{name} is a required parameter")
    return _to_int(params[name], name)


def _json_or_none(raw: str | None) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


@dataclass
class VkCall:
    method: str
    params: dict[str, str]  # as sent: form values, lists already comma-joined
    at: float = field(default_factory=time.monotonic)

    @property
    def peer_ids(self) -> list[int]:
        found: list[int] = []
        for name in ("peer_id", "peer_ids", "user_id"):
            for part in (self.params.get(name) or "").split(","):
                if INTEGER.fullmatch(part.strip()) and int(part) not in found:
                    found.append(int(part))
        return found

    @property
    def text(self) -> str:
        return self.params.get("message") or ""

    @property
    def keyboard(self) -> dict[str, Any] | None:
        return _json_or_none(self.params.get("keyboard"))

    def buttons(self) -> list[dict[str, Any]]:
        """The `action` objects of every button, row after row."""
        rows = (self.keyboard or {}).get("buttons") or []
        return [button["action"] for row in rows for button in row]

    @property
    def event_data(self) -> dict[str, Any] | None:
        return _json_or_none(self.params.get("event_data"))


def keyboard_problem(raw: str) -> str | None:
    """Why VK would refuse this keyboard with error 911, or None when it would take it."""
    keyboard = _json_or_none(raw)
    if not isinstance(keyboard, dict) or not isinstance(keyboard.get("buttons"), list):
        return "keyboard must be a JSON object with a buttons array"
    rows = keyboard["buttons"]
    if not all(isinstance(row, list) for row in rows):
        return "each row of buttons must be an array"
    inline = keyboard.get("inline", False)
    if not isinstance(inline, bool):
        return "inline must be a boolean"
    if inline and keyboard.get("one_time"):
        return "one_time is not allowed in an inline keyboard"
    if not inline and not isinstance(keyboard.get("one_time"), bool):
        return "one_time must be a boolean"
    max_rows, max_buttons = (6, 10) if inline else (10, 40)
    if len(rows) > max_rows:
        return f"too many rows: {len(rows)} (at most {max_rows})"
    if sum(len(row) for row in rows) > max_buttons:
        return f"too many buttons (at most {max_buttons})"
    for row in rows:
        if len(row) > 5:
            return f"too many buttons in a row: {len(row)} (at most 5)"
        for button in row:
            if problem := _button_problem(button):
                return problem
    return None


def _button_problem(button: Any) -> str | None:
    action = button.get("action") if isinstance(button, dict) else None
    if not isinstance(action, dict):
        return "a button must have an action object"
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        return f"unsupported action type {kind!r}"
    label = action.get("label")
    if kind not in UNLABELLED_ACTIONS:
        if not isinstance(label, str) or not label:
            return f"a {kind} button needs a label"
        if len(label) > 40:
            return f"label is too long: {len(label)} characters (at most 40)"
    payload = action.get("payload")
    if payload is not None:  # vk_api's VkKeyboard sends null for a button without one
        if not isinstance(payload, str) or len(payload) > 255:
            return "payload must be a string of at most 255 characters"
        if _json_or_none(payload) is None and payload.strip() != "null":
            return "payload must be valid JSON"
    for name in ACTION_NEEDS.get(kind, ()):
        if not action.get(name):
            return f"a {kind} button needs {name}"
    return None


def _event_data(raw: str) -> dict[str, Any]:
    """The sendMessageEventAnswer action, or error 100 as VK gives for a malformed one."""
    data = _json_or_none(raw)
    if len(raw) > 1000 or not isinstance(data, dict):
        raise param_error("event_data must be a JSON object of at most 1000 characters")
    kind = data.get("type")
    if kind not in EVENT_ACTIONS or not data.get(EVENT_ACTIONS[kind]):
        raise param_error(f"event_data: type {kind!r} is unknown or lacks its field")
    if kind == "show_snackbar" and len(str(data["text"])) > 90:
        raise param_error("event_data: snackbar text is longer than 90 characters")
    return data


def _check_value(name: str, value: str, schema: dict[str, Any]) -> None:
    kind = schema.get("type")
    if kind == "integer":
        number = _to_int(value, name)
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            raise param_error(f"{name} is out of range")
    elif kind == "string":
        limit = schema.get("maxLength")
        if limit is not None and len(value) > limit:
            if name == "message":
                raise VkError(914)  # VK has its own code for an overlong text
            raise param_error(f"{name} is too long (at most {limit} characters)")
        if "enum" in schema and value not in schema["enum"]:
            raise param_error(f"{name} must be one of {', '.join(schema['enum'])}")
    elif kind == "array":
        items = value.split(",")
        limit = schema.get("maxItems")
        if limit is not None and len(items) > limit:
            raise param_error(f"{name} has too many items (at most {limit})")
        if schema.get("items", {}).get("type") == "integer":
            for item in items:
                _to_int(item, name)


class FakeVk:
    def __init__(self, token: str = "vk-test-token", group_id: int = 777) -> None:
        self.token = token
        self.group_id = group_id
        self.spec = load_spec()
        self.base_url = ""
        self.calls: list[VkCall] = []
        self.users: dict[int, dict[str, Any]] = {}  # profiles users.get knows
        self.updates: list[dict[str, Any]] = []  # long poll event number n is updates[n - 1]
        self.longpoll_requests = 0
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (peer, cmid) → sent message
        self.delivered: list[tuple[int, str]] = []  # (peer, text) the API accepted
        self.deleted: list[tuple[int, int]] = []  # (peer, cmid) messages.delete removed
        self.forbidden: dict[int, int] = {}  # user → 900, 901 or 902 for messages to them
        self.too_old_to_edit: set[int] = set()  # cmids: error 909 on edit
        self.undeletable: set[int] = set()  # cmids: error 924 on delete_for_all
        self.event_answers: dict[str, dict[str, Any] | None] = {}  # event id → event_data
        self.uploads: dict[str, tuple[str, bytes]] = {}  # "doc-777_5" → (name, data)
        self.slow: dict[str, float] = {}  # method → seconds to wait before answering
        self._failures: dict[str, list[VkError]] = {}
        self._http_failures: dict[str, list[int]] = {}
        self._longpoll_failures: list[int] = []
        self._keys: set[str] = set()
        self._polled_ts = 0  # highest ts an a_check asked from
        self._changed = asyncio.Event()  # replaced by a fresh one after each change
        self._closing = False
        self._open_events: dict[str, int] = {}  # callback event id → the user who pressed
        self._message_ids = itertools.count(1)
        self._media_ids = itertools.count(1)
        self._cmids: dict[int, int] = {}  # peer → last conversation_message_id
        self._sent: dict[tuple[int, int], tuple[int, int]] = {}  # (peer, random_id) → ids
        self._pending: dict[tuple[str, str], tuple[str, bytes]] = {}  # uploaded, not saved
        self._media: dict[str, dict[str, Any]] = {}  # attachment string → attachment object
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> FakeVk:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/method/{method}", self._handle)
        app.router.add_get("/longpoll", self._longpoll)
        app.router.add_post("/upload/{kind:doc|photo}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # answer a pending long poll now so shutdown is immediate
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -----------------------------------------------------------------

    def push(self, event_type: str, obj: dict[str, Any]) -> int:
        """Queue a Bots Long Poll event; returns its number, the `ts` that fetches it."""
        event = {
            "type": event_type,
            "object": obj,
            "group_id": self.group_id,
            "event_id": secrets.token_hex(20),
            "v": API_VERSION,
        }
        self.updates.append(event)
        self._notify()
        return len(self.updates)

    def update(self, ts: int) -> dict[str, Any]:
        return self.updates[ts - 1]

    def message_new(
        self,
        user_id: int,
        text: str,
        *,
        payload: dict[str, Any] | str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        ref: str | None = None,
        peer_id: int | None = None,
        reply_to: int | None = None,
        forwarded: bool = False,
    ) -> int:
        """A message to the community; `ref` is what a vk.me/<community>?ref=… link carried.
        `peer_id`: said in a group chat the community is in (a staff chat); `reply_to`: the
        conversation message id it replies to there — as VK's `reply_message`, or (with
        `forwarded`) as the one forwarded message some VK clients send instead."""
        peer = peer_id or user_id
        message: dict[str, Any] = {
            "id": 0 if peer >= CHAT_PEERS else next(self._message_ids),
            "date": int(time.time()),
            "peer_id": peer,
            "from_id": user_id,
            "text": text,
            "conversation_message_id": self._next_cmid(peer),
            "attachments": attachments or [],
            "out": 0,
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
        }
        if reply_to is not None:
            replied = self._foreign(peer, reply_to)
            if forwarded:
                message["fwd_messages"] = [replied]
            else:
                message["reply_message"] = replied
        if ref is not None:
            message["ref"], message["ref_source"] = ref, ""
        if payload is not None:  # VK hands a text button's payload back as a JSON string
            message["payload"] = payload if isinstance(payload, str) else json.dumps(payload)
        return self.push("message_new", {"message": message, "client_info": CLIENT_INFO})

    def _foreign(self, peer: int, cmid: int) -> dict[str, Any]:
        """A message of a chat as another message quotes it (`messages_foreign_message`)."""
        stored = self.messages.get((peer, cmid))
        return {
            "conversation_message_id": cmid,
            "date": stored["date"] if stored else int(time.time()),
            "from_id": -self.group_id if stored else 0,
            "peer_id": peer,
            "text": stored["text"] if stored else "",
            "attachments": [],
            "fwd_messages": [],
        }

    def message_event(
        self,
        user_id: int,
        payload: dict[str, Any],
        *,
        conversation_message_id: int,
        peer_id: int | None = None,
    ) -> int:
        """A callback button press. VK delivers its payload as an object, not a string."""
        event_id = secrets.token_hex(6)
        self._open_events[event_id] = user_id
        obj = {
            "user_id": user_id,
            "peer_id": peer_id or user_id,  # a chat's peer id when pressed in a group chat
            "event_id": event_id,
            "payload": payload,
            "conversation_message_id": conversation_message_id,
        }
        return self.push("message_event", obj)

    async def wait_processed(self, ts: int) -> None:
        """Wait until the bot polled for events after `ts`: it handles a batch before polling."""
        try:
            async with asyncio.timeout(PROCESSING_TIMEOUT):
                await self._wait_for(lambda: self._polled_ts > ts)
        except TimeoutError:
            event = self.updates[ts - 1]
            raise AssertionError(
                f"the bot did not finish long poll event {ts} "
                f"({event['type']}: {event['object']}) within {PROCESSING_TIMEOUT} s"
            ) from None

    def add_user(self, user_id: int, first_name: str, last_name: str = "") -> dict[str, Any]:
        profile = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "can_access_closed": True,
            "is_closed": False,
        }
        self.users[user_id] = profile
        return profile

    async def wait_polls(self, more_than: int) -> None:
        """Until the bot has polled more than `more_than` times: it is connected, and VK
        delivers only what happens after a bot connects."""
        async with asyncio.timeout(PROCESSING_TIMEOUT):
            await self._wait_for(lambda: self.longpoll_requests > more_than)

    def user_document(self, user_id: int, name: str, data: bytes) -> dict[str, Any]:
        """A document a user attached to a message: owned by them, with an access key, and
        sendable by the community under its attachment id."""
        doc_id = next(self._media_ids)
        doc = {
            "id": doc_id,
            "owner_id": user_id,
            "title": name,
            "size": len(data),
            "ext": name.rsplit(".", 1)[-1].lower(),
            "access_key": secrets.token_hex(6),
            "date": int(time.time()),
            "type": 1,
        }
        key = f"doc{user_id}_{doc_id}"
        self.uploads[key] = (name, data)
        self._media[key] = {"type": "doc", "doc": doc}
        return doc

    def fail_next(self, method: str, code: int, message: str | None = None, times: int = 1) -> None:
        self._failures.setdefault(method, []).extend(VkError(code, message) for _ in range(times))

    def fail_next_http(self, method: str, status: int, times: int = 1) -> None:
        self._http_failures.setdefault(method, []).extend([status] * times)

    def fail_longpoll(self, code: int) -> None:
        """The next a_check answers {"failed": code}; 2 and 3 also expire the key."""
        self._longpoll_failures.append(code)

    def calls_of(self, method: str) -> list[VkCall]:
        return [c for c in self.calls if c.method == method]

    # --- plumbing ------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everything waiting for a change: a new event, a new poll, shutdown.

        An Event swapped per change rather than a Condition, because push() is
        synchronous and Condition.notify_all() needs its lock held.
        """
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._changed.wait()

    def _next_cmid(self, peer: int) -> int:
        """Incoming and outgoing messages share one counter per conversation, as in VK."""
        self._cmids[peer] = self._cmids.get(peer, 0) + 1
        return self._cmids[peer]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self._http_failures.get(method):
            return web.Response(status=self._http_failures[method].pop(0))
        params: dict[str, str] = dict(request.query)
        params.update({k: str(v) for k, v in (await request.post()).items()})
        try:
            self._check_request(method, params)
            self.calls.append(VkCall(method, params))
            if method in self.slow:
                await asyncio.sleep(self.slow[method])
            if self._failures.get(method):
                raise self._failures[method].pop(0)
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            result = await handler(params) if handler else 1
        except VkError as exc:
            shown = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
            shown += [{"key": k, "value": v} for k, v in params.items() if k != "access_token"]
            error = {"error_code": exc.code, "error_msg": exc.message, "request_params": shown}
            return web.json_response({"error": error})
        return web.json_response({"response": result})

    def _check_request(self, method: str, params: dict[str, str]) -> None:
        if params.get("access_token") != self.token:
            raise VkError(5)
        if not params.get("v"):
            raise VkError(8, "Invalid request: v (version) is required")
        table = self.spec.get(method) if self.spec is not None else None
        if table is None:
            if not hasattr(self, "_api_" + method.replace(".", "_")):
                raise VkError(3)
            for name in FALLBACK_REQUIRED.get(method, ()):
                if not params.get(name):
                    raise param_error(f"{name} is a required parameter")
            return
        for name, schema in table.items():  # VK ignores parameters it does not know
            if params.get(name, "") != "":
                _check_value(name, params[name], schema)
            elif schema.get("required"):
                raise param_error(f"{name} is a required parameter")

    async def _longpoll(self, request: web.Request) -> web.Response:
        self.longpoll_requests += 1
        query = request.query
        if query.get("act") != "a_check" or query.get("key") not in self._keys:
            return web.json_response({"failed": 2})
        if not INTEGER.fullmatch(query.get("ts", "")):
            return web.json_response({"failed": 1, "ts": str(len(self.updates) + 1)})
        ts = int(query["ts"])
        self._polled_ts = max(self._polled_ts, ts)
        self._notify()
        if self._longpoll_failures:
            code = self._longpoll_failures.pop(0)
            body: dict[str, Any] = {"failed": code}
            if code == 1:
                body["ts"] = str(len(self.updates) + 1)
            else:
                self._keys.clear()
            return web.json_response(body)
        wait = min(int(query["wait"]) if query.get("wait", "").isdigit() else 0, LONGPOLL_MAX_WAIT)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wait_for(lambda: len(self.updates) >= ts or self._closing)
        updates = self.updates[max(ts, 1) - 1 :]
        return web.json_response({"ts": str(len(self.updates) + 1), "updates": updates})

    async def _upload(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        found: tuple[str, bytes] | None = None
        if request.content_type.startswith("multipart/"):
            async for part in await request.multipart():
                wanted = isinstance(part, BodyPartReader) and part.name in UPLOAD_FIELDS[kind]
                if wanted and part.filename and found is None:
                    found = (part.filename, bytes(await part.read()))
        if found is None:  # upload servers answer errors in the body with HTTP 200
            return web.json_response({"error": "no file in the request"})
        token = secrets.token_hex(16)
        self._pending[(kind, token)] = found
        if kind == "doc":
            return web.json_response({"file": token})
        photo = json.dumps([{"photo": token[:10], "sizes": [], "kid": token[10:]}])
        return web.json_response({"server": 1, "photo": photo, "hash": token})

    # --- messages ------------------------------------------------------------------------

    def _attachment_keys(self, raw: str) -> list[str]:
        keys = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            match = ATTACHMENT.fullmatch(part)
            key = f"{match[1]}{match[2]}_{match[3]}" if match else part
            if key not in self.uploads:
                raise param_error(f"attachment is invalid: {part}")
            keys.append(key)
        return keys

    def _content(self, params: dict[str, str]) -> tuple[str, str, dict[str, Any] | None]:
        """Text, attachments and keyboard of a send or edit, refused as VK refuses them."""
        text, attachment = params.get("message", ""), params.get("attachment", "")
        if not text.strip() and not attachment.strip():
            raise param_error("message is empty or invalid")
        self._attachment_keys(attachment)
        keyboard = None
        if params.get("keyboard"):
            if problem := keyboard_problem(params["keyboard"]):
                raise VkError(911, f"{ERROR_TEXTS[911]}: {problem}")
            keyboard = json.loads(params["keyboard"])
        return text, attachment, keyboard

    def _deliver(
        self, peer: int, random_id: int, content: tuple[str, str, dict[str, Any] | None]
    ) -> tuple[int, int]:
        if peer in self.forbidden:
            raise VkError(self.forbidden[peer])
        if random_id and (peer, random_id) in self._sent:
            return self._sent[(peer, random_id)]  # a retry: VK does not deliver it twice
        text, attachment, keyboard = content
        message_id, cmid = next(self._message_ids), self._next_cmid(peer)
        self.messages[(peer, cmid)] = {
            "peer_id": peer,
            "conversation_message_id": cmid,
            "message_id": message_id,
            "text": text,
            "attachment": attachment,
            "keyboard": keyboard,
            "random_id": random_id,
            "date": int(time.time()),
        }
        self.delivered.append((peer, text))
        if random_id:
            self._sent[(peer, random_id)] = (message_id, cmid)
        return message_id, cmid

    def _stored(self, peer: int | None, cmid: int | None, message_id: int | None) -> dict[str, Any]:
        for (p, c), message in self.messages.items():
            if peer in (None, p) and (c == cmid or message["message_id"] == message_id):
                return message
        raise param_error(f"message {cmid or message_id} not found in peer {peer}")

    async def _api_messages_send(self, params: dict[str, str]) -> Any:
        random_id = _int(params, "random_id")
        many = bool(params.get("peer_ids"))
        if many:
            peers = [_to_int(p, "peer_ids") for p in params["peer_ids"].split(",")]
        elif params.get("peer_id") or params.get("user_id"):
            peers = [_int(params, "peer_id" if params.get("peer_id") else "user_id")]
        else:
            raise param_error("you should specify peer_id, peer_ids or user_id")
        content = self._content(params)
        reply_to = self._reply_to(params.get("forward"))
        results: list[dict[str, Any]] = []
        for peer in peers:
            try:
                message_id, cmid = self._deliver(peer, random_id, content)
            except VkError as exc:
                if not many:
                    raise
                error = {"code": exc.code, "description": exc.message}
                results.append({"peer_id": peer, "error": error})
                continue
            if reply_to is not None:
                self.messages[(peer, cmid)]["reply_to"] = reply_to
            ids = {"message_id": message_id, "conversation_message_id": cmid}
            results.append({"peer_id": peer, **ids})
        return results if many else results[0]["message_id"]

    async def _api_messages_edit(self, params: dict[str, str]) -> int:
        peer = _int(params, "peer_id")
        cmid = params.get("cmid") or params.get("conversation_message_id")
        if cmid:
            message = self._stored(peer, _to_int(cmid, "cmid"), None)
        else:
            message = self._stored(peer, None, _int(params, "message_id"))
        if message["conversation_message_id"] in self.too_old_to_edit:
            raise VkError(909)
        # An edit replaces the whole message: what it leaves out (keyboard too) is gone.
        text, attachment, keyboard = self._content(params)
        message.update(text=text, attachment=attachment, keyboard=keyboard)
        return 1

    async def _api_messages_delete(self, params: dict[str, str]) -> list[dict[str, Any]]:
        peer, cmids = _int(params, "peer_id"), params.get("cmids") or ""
        if not cmids:  # a community bot deletes by cmid; legacy message_ids are not modelled
            raise param_error("cmids is a required parameter")
        found = [self._stored(peer, _to_int(cmid, "cmids"), None) for cmid in cmids.split(",")]
        for_all = params.get("delete_for_all", "").lower() in ("1", "true")
        if for_all and any(m["conversation_message_id"] in self.undeletable for m in found):
            raise VkError(924)
        answer = []
        for message in found:
            key = (message["peer_id"], message["conversation_message_id"])
            del self.messages[key]
            self.deleted.append(key)
            answer.append(
                {
                    "peer_id": key[0],
                    "message_id": message["message_id"],
                    "conversation_message_id": key[1],
                    "response": 1,
                }
            )
        return answer

    def _reply_to(self, raw: str | None) -> int | None:
        """`forward` as a reply (`messages_forward` with is_reply): the conversation message
        id replied to, which must be one of that conversation's (the bot's or a member's)."""
        forward = _json_or_none(raw) if raw else None
        if raw and not isinstance(forward, dict):
            raise param_error("forward is not a JSON object")
        if not forward or not forward.get("is_reply"):
            return None
        cmids = forward.get("conversation_message_ids") or forward.get("cmids") or []
        peer = forward.get("peer_id")
        if (
            len(cmids) != 1
            or not isinstance(peer, int)
            or not 1 <= int(cmids[0]) <= self._cmids.get(peer, 0)
        ):
            raise param_error("forward names no message of that conversation")
        return int(cmids[0])

    async def _api_messages_sendMessageEventAnswer(self, params: dict[str, str]) -> int:
        event_id = params.get("event_id", "")
        if event_id not in self._open_events:
            raise param_error("event_id is unknown or was already answered")
        if _int(params, "user_id") != self._open_events[event_id]:
            raise param_error("user_id is not the user who pressed the button")
        data = _event_data(params["event_data"]) if params.get("event_data") else None
        del self._open_events[event_id]
        self.event_answers[event_id] = data
        return 1

    async def _api_messages_setActivity(self, _params: dict[str, str]) -> int:
        return 1

    async def _api_messages_getByConversationMessageId(
        self, params: dict[str, str]
    ) -> dict[str, Any]:
        peer = _int(params, "peer_id")
        items = []
        for part in params["conversation_message_ids"].split(","):
            message = self.messages.get((peer, _to_int(part, "conversation_message_ids")))
            if message is None:
                continue
            item = {
                "id": message["message_id"],
                "date": message["date"],
                "peer_id": peer,
                "from_id": -self.group_id,
                "out": 1,
                "text": message["text"],
                "conversation_message_id": message["conversation_message_id"],
                "attachments": [
                    self._media.get(key, {"type": key.rstrip("-_0123456789")})
                    for key in self._attachment_keys(message["attachment"])
                ],
                "fwd_messages": [],
                "important": False,
                "is_hidden": False,
            }
            if message["keyboard"] is not None:
                item["keyboard"] = {**message["keyboard"], "author_id": -self.group_id}
            items.append(item)
        return {"count": len(items), "items": items}

    # --- users, groups, uploads ----------------------------------------------------------------

    async def _api_users_get(self, params: dict[str, str]) -> list[dict[str, Any]]:
        profiles = []
        for part in filter(None, (p.strip() for p in params.get("user_ids", "").split(","))):
            if not INTEGER.fullmatch(part):
                raise VkError(113)
            user_id = int(part)
            deleted = {"id": user_id, "first_name": "DELETED", "last_name": ""}
            profiles.append(self.users.get(user_id) or {**deleted, "deactivated": "deleted"})
        return profiles

    async def _api_groups_getById(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = f"{params.get('group_id', '')},{params.get('group_ids', '')}".split(",")
        for part in filter(None, (p.strip() for p in wanted)):
            if part not in (str(self.group_id), f"club{self.group_id}"):
                raise param_error(f"group_ids is invalid: {part}")
        group = {
            "id": self.group_id,
            "name": "Библиотека",
            "screen_name": f"club{self.group_id}",
            "type": "group",
            "is_closed": 0,
        }
        return {"groups": [group], "profiles": []}

    async def _api_groups_getLongPollServer(self, params: dict[str, str]) -> dict[str, str]:
        if _int(params, "group_id") != self.group_id:
            raise param_error("group_id is not the community of this token")
        key = secrets.token_hex(20)
        self._keys.add(key)
        server = f"{self.base_url}/longpoll"
        return {"key": key, "server": server, "ts": str(len(self.updates) + 1)}

    async def _api_docs_getMessagesUploadServer(self, params: dict[str, str]) -> dict[str, str]:
        return {"upload_url": f"{self.base_url}/upload/doc?peer={params.get('peer_id', '')}"}

    async def _api_docs_save(self, params: dict[str, str]) -> dict[str, Any]:
        upload = self._pending.pop(("doc", params["file"]), None)
        if upload is None:
            raise param_error("file is invalid")
        filename, data = upload
        title = params.get("title") or filename
        doc_id = next(self._media_ids)
        key = f"doc{-self.group_id}_{doc_id}"
        doc = {
            "id": doc_id,
            "owner_id": -self.group_id,
            "title": title,
            "size": len(data),
            "ext": (title if "." in title else filename).rsplit(".", 1)[-1].lower(),
            "url": f"{self.base_url}/files/{key}",
            "date": int(time.time()),
            "type": 1,
        }
        self.uploads[key] = (title, data)
        self._media[key] = {"type": "doc", "doc": doc}
        return {"type": "doc", "doc": doc}

    async def _api_photos_getMessagesUploadServer(self, _params: dict[str, str]) -> dict[str, Any]:
        return {
            "upload_url": f"{self.base_url}/upload/photo",
            "album_id": -3,
            "group_id": self.group_id,
        }

    async def _api_photos_saveMessagesPhoto(self, params: dict[str, str]) -> list[dict[str, Any]]:
        upload = self._pending.pop(("photo", params["hash"]), None)
        if upload is None or not _json_or_none(params["photo"]):
            raise param_error("photo is undefined or hash is invalid")
        photo_id = next(self._media_ids)
        key = f"photo{-self.group_id}_{photo_id}"
        photo = {
            "id": photo_id,
            "album_id": -3,
            "owner_id": -self.group_id,
            "access_key": secrets.token_hex(9),
            "date": int(time.time()),
            "text": "",
            "sizes": [
                {"type": "x", "url": f"{self.base_url}/files/{key}", "width": 604, "height": 604}
            ],
        }
        self.uploads[key] = upload
        self._media[key] = {"type": "photo", "photo": photo}
        return [photo]
