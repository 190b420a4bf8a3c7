"""MAX's rules as the fake MAX Bot API enforces them: the limits, enums and required fields
of MAX's OpenAPI schema (2026-07-01) and MAX's keyboard limits, MAX's error shape, and the
checks of parameters and keyboards. Encoded here, never read from ../shared at run time;
tests/test_fake_max.py checks them against the schema when it is present."""

from __future__ import annotations

import re
from typing import Any

# --- the schema's rules ----------------------------------------------------------------
TEXT_LIMIT = 4000  # NewMessageBody.text maxLength
LABEL_CHARS = 128  # Button.text maxLength
PAYLOAD_CHARS = 1024  # CallbackButton.payload maxLength
URL_CHARS = 2048  # LinkButton.url maxLength
START_PAYLOAD_CHARS = 512  # BotStartedUpdate.payload maxLength (longer ones are not passed)
UPDATES_LIMIT = (1, 1000)  # GET /updates `limit`
UPDATES_TIMEOUT = (0, 90)  # GET /updates `timeout`
TEXT_FORMATS = frozenset({"markdown", "html"})  # TextFormat
SENDER_ACTIONS = frozenset(
    {"typing_on", "sending_photo", "sending_video", "sending_audio", "sending_file"}
)  # SenderAction
UPLOAD_TYPES = frozenset({"image", "video", "audio", "file"})  # UploadType
ATTACHMENT_TYPES = frozenset(
    {
        "image",
        "video",
        "audio",
        "file",
        "sticker",
        "contact",
        "inline_keyboard",
        "location",
        "share",
    }
)  # AttachmentRequest's discriminator
BUTTON_TYPES = frozenset(
    {
        "callback",
        "link",
        "request_geo_location",
        "request_contact",
        "open_app",
        "message",
        "clipboard",
    }
)  # Button's discriminator
BUTTON_NEEDS = {"callback": "payload", "link": "url", "clipboard": "payload"}
NEW_MESSAGE_REQUIRED = ("text", "attachments", "link")  # NewMessageBody.required
SECRET_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{5,256}$")  # SubscriptionRequestBody.secret
RATE_LIMIT_RPS = 30  # «максимальное количество запросов в секунду … — 30 rps» (POST /uploads)
# --- MAX's keyboard limits («Клавиатура для чат-бота», dev.max.ru) ---------------------
KEYBOARD_ROWS = 30
KEYBOARD_BUTTONS = 210
ROW_BUTTONS = 7
ROW_WIDE_BUTTONS = 3
WIDE_TYPES = frozenset({"link", "request_contact", "request_geo_location", "open_app"})

INT64 = re.compile(r"-?\d{1,19}")


class MaxApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


def bad(message: str, code: str = "proto.payload") -> MaxApiError:
    return MaxApiError(400, code, message)


def keyboard_problem(payload: Any) -> str | None:
    """Why MAX would refuse this inline keyboard, or None when it would take it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("buttons"), list):
        return "inline_keyboard payload needs a buttons array"
    rows = payload["buttons"]
    if not rows or not all(isinstance(row, list) and row for row in rows):
        return "buttons must be a non-empty array of non-empty rows"
    if len(rows) > KEYBOARD_ROWS:
        return f"too many rows: {len(rows)} (at most {KEYBOARD_ROWS})"
    if sum(len(row) for row in rows) > KEYBOARD_BUTTONS:
        return f"too many buttons (at most {KEYBOARD_BUTTONS})"
    for row in rows:
        wide = any(isinstance(b, dict) and b.get("type") in WIDE_TYPES for b in row)
        limit = ROW_WIDE_BUTTONS if wide else ROW_BUTTONS
        if len(row) > limit:
            return f"too many buttons in a row: {len(row)} (at most {limit})"
        for button in row:
            if problem := button_problem(button):
                return problem
    return None


def button_problem(button: Any) -> str | None:
    if not isinstance(button, dict):
        return "a button must be an object"
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        return f"unknown button type {kind!r}"
    text = button.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= LABEL_CHARS:
        return f"button text must be 1-{LABEL_CHARS} characters"
    needed = BUTTON_NEEDS.get(kind)
    if needed is not None and not isinstance(button.get(needed), str):
        return f"a {kind} button needs {needed}"
    if kind == "callback" and len(button["payload"]) > PAYLOAD_CHARS:
        return f"payload is longer than {PAYLOAD_CHARS} characters"
    if kind == "link" and len(button["url"]) > URL_CHARS:
        return f"url is longer than {URL_CHARS} characters"
    return None


def int64(query: dict[str, str], name: str, *, required: bool = False) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        if required:
            raise bad(f"{name} is required", "param.required")
        return None
    if not INT64.fullmatch(raw):
        raise bad(f"{name} must be an integer", "param.invalid")
    return int(raw)


def bounded(query: dict[str, str], name: str, bounds: tuple[int, int]) -> int | None:
    value = int64(query, name)
    if value is not None and not bounds[0] <= value <= bounds[1]:
        raise bad(f"{name} must be between {bounds[0]} and {bounds[1]}", "param.invalid")
    return value


def boolean(query: dict[str, str], name: str) -> None:
    if name in query and query[name] not in ("true", "false"):
        raise bad(f"{name} must be true or false", "param.invalid")
