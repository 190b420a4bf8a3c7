"""The MAX Bot API over aiohttp: JSON in and out, a timeout on every call, MAX's errors
turned into the exceptions the Telegram path raises.

The token goes in the `Authorization` header (as every example of the schema shows;
its `access_token` query parameter would put the token in every proxy's access log).
Errors have MAX's shape `{"code": "...", "message": "..."}` and an HTTP status; they
become aiogram's exceptions so the outbox sender and the handlers treat MAX like
Telegram: 401 is a rejected token, 403 «chat.denied» a reader who blocked the bot
(forbidden: unsubscribed), 429 «retry after», 5xx a server error — except on a new
message, where only 503 (unavailable) says MAX did not carry it out, and any other 5xx is
a lost answer like a timeout — a request that never reached MAX a connector error (safe
to send again) and one that timed out after it went out is not (the outbox marks it
«unknown», never resends it). Calls that change nothing
when repeated (GET, PUT, DELETE) are retried here on 502/503/504 and on a refused
connection; a new message (POST) is not — MAX offers no idempotency key for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any, Protocol

import aiohttp
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from pydantic import SecretStr

log = logging.getLogger(__name__)

# «максимальное количество запросов в секунду на platform-api.max.ru — 30 rps» (POST /uploads).
MAX_RPS = 30
UPLOAD_TIMEOUT = 120.0
# Error codes of a reader who cannot be written to (blocked or removed the bot).
FORBIDDEN_CODES = frozenset({"chat.denied", "dialog.suspended", "user.blocked"})
NOT_READY = "attachment.not.ready"
DEFAULT_RETRY_AFTER = 1
SAFE_RETRIES = 2  # extra tries of a GET/PUT/DELETE that met a gateway error
SAFE_VERBS = frozenset({"GET", "PUT", "DELETE"})
GATEWAY_ERRORS = frozenset({502, 503, 504})


class MaxSettings(Protocol):
    """What the transport needs of `[max]` (bot.kernel.config's `Max` section)."""

    token: SecretStr | None
    api_server: str
    timeout_seconds: float
    rate: float


class MaxError(Exception):
    """MAX refused a call: its HTTP status and error object."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: int | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        super().__init__(f"MAX {status} {code}: {message}")


def as_telegram_error(
    method: TelegramMethod[Any], exc: MaxError, *, repeatable: bool = True
) -> TelegramAPIError:
    """The aiogram exception the Telegram path would raise for the same refusal. A server
    error on a call that is not `repeatable` (a new message) may have come after MAX
    carried it out — unless MAX says it is unavailable (503) — so it is a lost answer
    (TelegramNetworkError: the outbox marks it unknown), not one to send again."""
    text = f"MAX {exc.status} {exc.code}: {exc.message}"
    if exc.status >= 500 and exc.status != 503 and not repeatable:
        return TelegramNetworkError(method=method, message=f"{text} (may have been delivered)")
    if exc.status == 429:
        retry_after = exc.retry_after or DEFAULT_RETRY_AFTER
        return TelegramRetryAfter(method=method, message=text, retry_after=retry_after)
    if exc.status == 401 or exc.code == "verify.token":
        return TelegramUnauthorizedError(method=method, message=text)
    if exc.status == 403 and (exc.code in FORBIDDEN_CODES or "suspended" in exc.message):
        return TelegramForbiddenError(method=method, message=text)
    if exc.status >= 500:
        return TelegramServerError(method=method, message=text)
    return TelegramBadRequest(method=method, message=text)


def bot_token(settings: MaxSettings) -> str:
    """An aiogram-shaped token (`<digits>:max`) that names this MAX token without holding
    it: aiogram needs one, and the pacer keys its budget by it."""
    if settings.token is None:
        msg = "[max] token is required (or set LIBBOT_MAX__TOKEN)"
        raise ValueError(msg)
    digest = hashlib.sha256(settings.token.get_secret_value().encode()).hexdigest()
    return f"{int(digest[:12], 16)}:max-bot"


def _retry_after(response: aiohttp.ClientResponse, body: dict[str, Any]) -> int | None:
    for raw in (response.headers.get("Retry-After"), body.get("retry_after")):
        try:
            return max(1, int(float(raw))) if raw is not None else None
        except (TypeError, ValueError):
            continue
    return None


class MaxClient:
    """Calls into the MAX Bot API with one token; one aiohttp session, made on first use."""

    def __init__(self, settings: MaxSettings) -> None:
        if settings.token is None:
            msg = "[max] token is required (or set LIBBOT_MAX__TOKEN)"
            raise ValueError(msg)
        self.base_url = settings.api_server.rstrip("/")
        self.timeout = float(settings.timeout_seconds)
        self._token = settings.token.get_secret_value()
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(headers={"Authorization": self._token})
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()

    async def call(
        self,
        method: TelegramMethod[Any],
        verb: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-call limit (the long poll's is longer)
        repeatable: bool | None = None,
    ) -> Any:
        """One API call; `method` is the Bot API call it carries out (for the error).
        `repeatable`: the call may be made twice with no harm (GET, PUT, DELETE are; a
        POST that shows nothing to anyone — an upload URL, «typing…» — may say so)."""
        if repeatable is None:
            repeatable = verb in SAFE_VERBS
        tries = 1 + (SAFE_RETRIES if repeatable else 0)
        delay = 0.5
        for attempt in range(tries):
            try:
                return await self._once(verb, path, query, body, timeout or self.timeout)
            except MaxError as exc:
                if exc.status in GATEWAY_ERRORS and attempt + 1 < tries:
                    log.info("MAX %s %s: %s; trying again", verb, path, exc)
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                raise as_telegram_error(method, exc, repeatable=repeatable) from exc
            except aiohttp.ClientConnectorError as exc:  # MAX never saw it
                if attempt + 1 < tries:
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                raise TelegramNetworkError(
                    method=method, message=f"ClientConnectorError: {exc}"
                ) from exc
            except TimeoutError as exc:
                raise TelegramNetworkError(method=method, message="Request timeout") from exc
            except aiohttp.ClientError as exc:  # dropped after it went out: MAX may have it
                raise TelegramNetworkError(
                    method=method, message=f"Connection lost: {exc}"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        verb: str,
        path: str,
        query: dict[str, Any] | None,
        body: dict[str, Any] | None,
        timeout: float,  # noqa: ASYNC109
    ) -> Any:
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        async with self.http.request(
            verb,
            self.base_url + path,
            params=params,
            json=body,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            raw = await response.read()
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = None
            if response.status >= 400 or not isinstance(data, dict | list):
                found = data if isinstance(data, dict) else {}
                raise MaxError(
                    response.status if response.status >= 400 else 502,
                    str(found.get("code") or found.get("error") or "http"),
                    str(found.get("message") or raw[:200].decode("utf-8", "replace")),
                    _retry_after(response, found),
                )
            if isinstance(data, dict) and data.get("success") is False:
                raise MaxError(400, "not.successful", str(data.get("message") or ""))
            return data

    async def upload(
        self, method: TelegramMethod[Any], kind: str, data: bytes, filename: str
    ) -> dict[str, Any]:
        """Upload a file (`kind` «file» or «image») through POST /uploads and the URL it
        names; the attachment payload a message sends it with."""
        endpoint = await self.call(
            method, "POST", "/uploads", query={"type": kind}, repeatable=True
        )
        url = endpoint.get("url") if isinstance(endpoint, dict) else None
        if not url:
            raise TelegramServerError(method=method, message="MAX named no upload URL")
        form = aiohttp.FormData()
        form.add_field("data", data, filename=filename)
        try:
            async with (
                aiohttp.ClientSession() as uploads,
                uploads.post(
                    url, data=form, timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)
                ) as response,
            ):
                raw = await response.read()
                if response.status >= 400:
                    msg = f"MAX upload {response.status}: {raw[:200]!r}"
                    raise TelegramServerError(method=method, message=msg)
                answer = json.loads(raw) if raw else {}
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TelegramServerError(method=method, message=f"MAX upload failed: {exc}") from exc
        if kind == "image" and isinstance(answer.get("photos"), dict):
            return {"photos": answer["photos"]}
        token = answer.get("token") or endpoint.get("token")
        if not token:
            raise TelegramServerError(method=method, message="MAX upload gave no token")
        return {"token": token}


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        return ",".join(map(str, value))
    return str(value)
