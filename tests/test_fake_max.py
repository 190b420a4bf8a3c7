"""The fake MAX Bot API refuses and answers what MAX does: its rules checked against the
published OpenAPI schema (when ../shared is present), its answers driven over plain HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SHARED
from tests.fakes import max_rules as fake_module
from tests.fakes.max_api import FakeMax
from tests.max_harness import max_server

__all__ = ["max_server"]  # the fixture these tests use

SCHEMA = SHARED / "specs" / "max" / "max-bot-api-openapi-2026-07-01.json"


@pytest.fixture
def schema() -> dict[str, Any]:
    if not SCHEMA.is_file():
        pytest.skip(f"the MAX schema is not present at {SCHEMA} (a user's own clone)")
    data: dict[str, Any] = json.loads(Path(SCHEMA).read_text(encoding="utf-8"))
    return data


def _props(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """A component's properties, through its allOf parts."""
    found: dict[str, Any] = {}
    part = schema["components"]["schemas"][name]
    for piece in [part, *part.get("allOf", [])]:
        found.update(piece.get("properties", {}))
    return found


def _query(schema: dict[str, Any], path: str, verb: str) -> dict[str, Any]:
    return {p["name"]: p for p in schema["paths"][path][verb].get("parameters", [])}


def test_the_fake_encodes_the_schemas_limits(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert _props(schema, "NewMessageBody")["text"]["maxLength"] == fake_module.TEXT_LIMIT
    assert tuple(components["NewMessageBody"]["required"]) == fake_module.NEW_MESSAGE_REQUIRED
    assert _props(schema, "Button")["text"]["maxLength"] == fake_module.LABEL_CHARS
    assert _props(schema, "CallbackButton")["payload"]["maxLength"] == fake_module.PAYLOAD_CHARS
    assert _props(schema, "LinkButton")["url"]["maxLength"] == fake_module.URL_CHARS
    payload = _props(schema, "BotStartedUpdate")["payload"]
    assert payload["maxLength"] == fake_module.START_PAYLOAD_CHARS
    assert set(components["TextFormat"]["enum"]) == fake_module.TEXT_FORMATS
    assert set(components["SenderAction"]["enum"]) == fake_module.SENDER_ACTIONS
    assert set(components["UploadType"]["enum"]) == fake_module.UPLOAD_TYPES
    buttons = components["Button"]["discriminator"]["mapping"]
    assert set(buttons) == fake_module.BUTTON_TYPES
    attachments = components["AttachmentRequest"]["discriminator"]["mapping"]
    assert set(attachments) == fake_module.ATTACHMENT_TYPES
    secret = _props(schema, "SubscriptionRequestBody")["secret"]["pattern"]
    assert secret == fake_module.SECRET_PATTERN.pattern
    updates = _query(schema, "/updates", "get")
    limit, timeout = updates["limit"]["schema"], updates["timeout"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == fake_module.UPDATES_LIMIT
    assert (timeout["minimum"], timeout["maximum"]) == fake_module.UPDATES_TIMEOUT
    assert components["Error"]["required"] == ["code", "message"]
    uploads = schema["paths"]["/uploads"]["post"]["description"]
    assert f"— {fake_module.RATE_LIMIT_RPS} rps" in uploads


def test_the_transport_paces_under_maxs_rate_limit() -> None:
    from bot.kernel.config import Max
    from bot.transports.max.client import MAX_RPS

    assert MAX_RPS == fake_module.RATE_LIMIT_RPS
    assert Max().rate < MAX_RPS, "replies and broadcasts leave room for polls and answers"


def test_the_transport_keeps_within_the_same_limits(schema: dict[str, Any]) -> None:
    from bot.transports.max import markup

    assert _props(schema, "NewMessageBody")["text"]["maxLength"] == markup.TEXT_LIMIT
    assert _props(schema, "Button")["text"]["maxLength"] == markup.LABEL_CHARS
    assert _props(schema, "CallbackButton")["payload"]["maxLength"] == markup.PAYLOAD_CHARS
    assert (markup.KEYBOARD_ROWS, markup.KEYBOARD_BUTTONS) == (
        fake_module.KEYBOARD_ROWS,
        fake_module.KEYBOARD_BUTTONS,
    )


def test_every_route_the_fake_serves_is_in_the_schema(schema: dict[str, Any]) -> None:
    served = {
        ("get", "/me"),
        ("get", "/updates"),
        ("post", "/messages"),
        ("put", "/messages"),
        ("delete", "/messages"),
        ("post", "/answers"),
        ("post", "/uploads"),
        ("post", "/chats/{chatId}/actions"),
        ("post", "/subscriptions"),
        ("get", "/subscriptions"),
        ("delete", "/subscriptions"),
    }
    for verb, path in served:
        assert verb in schema["paths"][path], f"{verb.upper()} {path}"


# --- the fake over plain HTTP -------------------------------------------------------------


@pytest.fixture
async def http(max_server: FakeMax) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        base_url=max_server.base_url, headers={"Authorization": max_server.token}
    ) as session:
        yield session


async def call(
    http: aiohttp.ClientSession, verb: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.request(verb, path, **kwargs) as response:
        return response.status, await response.json()


def body(text: str | None = "Здравствуйте", attachments: Any = None) -> dict[str, Any]:
    return {"text": text, "attachments": attachments, "link": None}


async def test_a_wrong_or_missing_token_is_refused_with_maxs_error(max_server: FakeMax) -> None:
    async with aiohttp.ClientSession(base_url=max_server.base_url) as anonymous:
        status, error = await call(anonymous, "GET", "/me")
        assert (status, error["code"]) == (401, "verify.token")
        status, me = await call(anonymous, "GET", "/me", params={"access_token": max_server.token})
        assert status == 200, "the schema's query parameter works too"
        assert me["user_id"] == max_server.bot_id


async def test_new_messages_are_checked_as_the_schema_says(
    max_server: FakeMax, http: aiohttp.ClientSession
) -> None:
    max_server.add_user(501, "Анна")
    to_anna = {"user_id": "501"}
    status, sent = await call(http, "POST", "/messages", params=to_anna, json=body())
    assert status == 200
    assert sent["message"]["recipient"]["chat_type"] == "dialog"
    assert isinstance(sent["message"]["body"]["seq"], int)
    refusals = [
        ({"user_id": "анна"}, body()),  # not an integer
        ({"user_id": "501", "chat_id": "-1"}, body()),  # both
        ({}, body()),  # neither
        (to_anna, {"text": "без link и attachments"}),  # required fields missing
        (to_anna, body("x" * 4001)),  # over 4000 characters
        (to_anna, {**body(), "format": "bbcode"}),
        (to_anna, body(None)),  # nothing to show
        (to_anna, body(attachments=[{"type": "file", "payload": {"token": "never-uploaded"}}])),
        (to_anna, body(attachments=[{"type": "poll", "payload": {}}])),
    ]
    for params, payload in refusals:
        status, error = await call(http, "POST", "/messages", params=params, json=payload)
        assert status == 400, (params, payload)
        assert set(error) == {"code", "message"}


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([[{"type": "callback", "text": str(n), "payload": "p"} for n in range(8)]], "in a row"),
        ([[{"type": "link", "text": str(n), "url": "https://a.b"} for n in range(4)]], "in a row"),
        ([[{"type": "callback", "text": "r", "payload": "p"}] for _ in range(31)], "rows"),
        ([[{"type": "callback", "text": "x" * 129, "payload": "p"}]], "text"),
        ([[{"type": "callback", "text": "x", "payload": "p" * 1025}]], "payload"),
        ([[{"type": "callback", "text": "x"}]], "needs payload"),
        ([[{"type": "reply", "text": "x"}]], "unknown button type"),
    ],
)
async def test_keyboards_over_maxs_limits_are_refused(
    max_server: FakeMax, http: aiohttp.ClientSession, rows: list[Any], problem: str
) -> None:
    max_server.add_user(501, "Анна")
    keyboard = [{"type": "inline_keyboard", "payload": {"buttons": rows}}]
    status, error = await call(
        http, "POST", "/messages", params={"user_id": "501"}, json=body(attachments=keyboard)
    )
    assert status == 400
    assert problem in error["message"]


async def test_a_callback_is_answered_once(
    max_server: FakeMax, http: aiohttp.ClientSession
) -> None:
    number = max_server.message_callback(501, "b:1", None)
    callback_id = max_server.updates[number - 1]["callback"]["callback_id"]
    answer = {"params": {"callback_id": callback_id}, "json": {"notification": "Готово"}}
    assert (await call(http, "POST", "/answers", **answer))[0] == 200
    status, error = await call(http, "POST", "/answers", **answer)
    assert (status, error["code"]) == (400, "callback.answered")
    status, _ = await call(http, "POST", "/answers", params={"callback_id": "no-such"}, json={})
    assert status == 404


async def test_uploads_give_a_url_then_a_token_a_message_can_carry(
    max_server: FakeMax, http: aiohttp.ClientSession
) -> None:
    status, _ = await call(http, "POST", "/uploads", params={"type": "photo"})
    assert status == 400, "type=photo is no longer supported: image"
    status, endpoint = await call(http, "POST", "/uploads", params={"type": "file"})
    assert status == 200
    form = aiohttp.FormData()
    form.add_field("data", b"%PDF-1.4", filename="устав.pdf")
    async with aiohttp.ClientSession() as uploads, uploads.post(endpoint["url"], data=form) as r:
        token = (await r.json())["token"]
    max_server.add_user(501, "Анна")
    file = [{"type": "file", "payload": {"token": token}}]
    status, sent = await call(
        http, "POST", "/messages", params={"user_id": "501"}, json=body(attachments=file)
    )
    assert status == 200
    assert sent["message"]["body"]["attachments"][0]["filename"] == "устав.pdf"
    keyboard = {
        "type": "inline_keyboard",
        "payload": {"buttons": [[{"type": "message", "text": "Ок"}]]},
    }
    status, _ = await call(
        http,
        "POST",
        "/messages",
        params={"user_id": "501"},
        json=body(attachments=[*file, keyboard]),
    )
    assert status == 400, "a file must be a message's only attachment"


async def test_long_polling_follows_the_marker(
    max_server: FakeMax, http: aiohttp.ClientSession
) -> None:
    max_server.add_user(501, "Анна")
    first = max_server.message_created(501, "раз")
    max_server.message_created(501, "два")
    status, latest = await call(http, "GET", "/updates", params={"timeout": "0"})
    assert status == 200
    assert [u["message"]["body"]["text"] for u in latest["updates"]] == ["два"], (
        "without a marker: only the latest update"
    )
    status, all_of_them = await call(
        http, "GET", "/updates", params={"marker": str(first), "timeout": "0"}
    )
    assert [u["message"]["body"]["text"] for u in all_of_them["updates"]] == ["раз", "два"]
    status, empty = await call(
        http, "GET", "/updates", params={"marker": str(all_of_them["marker"]), "timeout": "0"}
    )
    assert (empty["updates"], empty["marker"]) == ([], all_of_them["marker"])
    typed = {"marker": str(first), "timeout": "0", "types": "message_callback"}
    status, filtered = await call(http, "GET", "/updates", params=typed)
    assert filtered["updates"] == []
    assert filtered["marker"] == all_of_them["marker"], "the marker passes what was filtered"
    for wrong in ({"timeout": "91"}, {"limit": "0"}, {"marker": "abc"}):
        status, _ = await call(http, "GET", "/updates", params=wrong)
        assert status == 400, wrong


async def test_a_subscription_needs_https_and_a_well_formed_secret(
    max_server: FakeMax, http: aiohttp.ClientSession
) -> None:
    for wrong in (
        {"url": "http://bot.example/max"},
        {"url": "https://bot.example/max", "secret": "abc"},
        {"url": "https://bot.example/max", "secret": "no spaces allowed"},
    ):
        status, _ = await call(http, "POST", "/subscriptions", json=wrong)
        assert status == 400, wrong
    good = {"url": "https://bot.example/max", "secret": "s3cret-1", "update_types": ["bot_started"]}
    assert (await call(http, "POST", "/subscriptions", json=good))[0] == 200
    status, _ = await call(http, "GET", "/updates", params={"timeout": "0"})
    assert status == 405, "no long polling while a webhook is subscribed"
    status, listed = await call(http, "GET", "/subscriptions")
    assert listed["subscriptions"][0]["url"] == "https://bot.example/max"
    assert "secret" not in listed["subscriptions"][0]


async def test_unknown_routes_and_verbs(http: aiohttp.ClientSession) -> None:
    assert (await call(http, "GET", "/no/such"))[0] == 404
    assert (await call(http, "PATCH", "/messages"))[0] == 405
