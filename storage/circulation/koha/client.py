"""Koha's REST API as a staff API user: authorised requests, paged lists, and answers
that cannot be used turned into `SystemUnavailable` (logged without the request).

Authorisation is Basic for an API user (Koha's RESTBasicAuth) or a cached OAuth Bearer
token for a client; a token Koha no longer accepts is replaced once. List filters are
sent with `_match=exact` (Koha matches with `contains` otherwise), every page is read,
and a Koha too old for `x-koha-embed` on a list is asked without it from then on.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.kernel.config import Koha
from storage.circulation.base import SystemUnavailable

# The package's name: log lines read as they did before the package was split.
log = logging.getLogger("storage.circulation.koha")

API = "/api/v1"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5000 rows: far more than one reader has; stops a server that ignores paging
TOKEN_MARGIN = 60.0  # seconds before `expires_in` when a token is replaced
# Shorter than Apache's KeepAliveTimeout (5 s): reusing a connection the server has just
# closed would turn a renewal POST into an unconfirmed one.
KEEPALIVE_SECONDS = 2.0
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)
# Errors that mean a request never reached Koha (nothing can have changed).
UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON
    total: int | None  # X-Total-Count of list endpoints


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    usable_until: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.usable_until


class KohaClient:
    """One HTTP session to one Koha; requests carry the configured credentials."""

    def __init__(self, settings: Koha, *, timeout: float) -> None:
        self._settings = settings
        self.base = settings.url.rstrip("/") + API
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()
        self._no_embed: set[str] = set()  # list paths whose Koha refused x-koha-embed

    async def list(
        self, path: str, params: dict[str, str], *, embed: str | None = None
    ) -> list[dict[str, Any]]:
        """Every page of a list endpoint, filters matched exactly."""
        headers = {"x-koha-embed": embed} if embed and path not in self._no_embed else {}
        rows: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query = {**params, "_match": "exact", "_page": str(page), "_per_page": str(PAGE_SIZE)}
            reply = await self.call("GET", path, params=query, headers=headers)
            if reply.status == 400 and headers:
                log.info("Koha refuses x-koha-embed %r on %s; fetching titles apart", embed, path)
                self._no_embed.add(path)
                headers = {}
                reply = await self.call("GET", path, params=query, headers=headers)
            if reply.status != 200 or not isinstance(reply.body, list):
                raise failure("GET", path, reply)
            rows.extend(row for row in reply.body if isinstance(row, dict))
            total = reply.total if reply.total is not None else len(rows) + 1
            if len(reply.body) < PAGE_SIZE or len(rows) >= total:
                break
        return rows

    async def call(self, method: str, path: str, **kwargs: Any) -> Reply:
        """A request whose loss changes nothing: no answer at all is SystemUnavailable."""
        try:
            return await self.request(method, path, **kwargs)
        except TRANSPORT_ERRORS as exc:
            log.warning("Koha did not answer %s %s: %s", method, path, type(exc).__name__)
            raise SystemUnavailable(f"Koha did not answer {method} {path}") from exc

    async def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        """An authorised request; an OAuth token Koha no longer accepts is replaced once.

        Transport errors pass through: a caller whose request changes something tells a
        request that never left from one whose answer was lost.
        """
        reply = await self._exchange(method, path, await self._authorization(), **kwargs)
        if reply.status == 401 and self._settings.client_id:
            self._token = None  # revoked or expired early (401 comes before any change)
            reply = await self._exchange(method, path, await self._authorization(), **kwargs)
        return reply

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _exchange(
        self,
        method: str,
        path: str,
        authorization: str | None,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Accept": "application/json", **(headers or {})}
        if authorization:
            sent["Authorization"] = authorization
        url = self.base + path
        async with self._client().request(
            method, url, params=params, json=body, data=form, headers=sent
        ) as response:
            raw = await response.read()
            total = opt_int(response.headers.get("X-Total-Count"))
            return Reply(response.status, _decode(raw), total)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._session

    async def _authorization(self) -> str:
        """Basic for an API user; a cached Bearer token for an OAuth client."""
        settings = self._settings
        if not settings.client_id:
            password = settings.password.get_secret_value() if settings.password else ""
            pair = f"{settings.user}:{password}".encode()  # UTF-8: staff passwords may be Cyrillic
            return "Basic " + base64.b64encode(pair).decode("ascii")
        async with self._token_lock:
            if self._token is None or not self._token.fresh():
                self._token = await self._fetch_token()
            return f"Bearer {self._token.value}"

    async def _fetch_token(self) -> _Token:
        secret = self._settings.client_secret
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.client_id,
            "client_secret": secret.get_secret_value() if secret else "",
        }
        path = "/oauth/token"
        try:
            reply = await self._exchange("POST", path, None, form=form)
        except TRANSPORT_ERRORS as exc:
            log.warning("Koha did not answer POST %s: %s", path, type(exc).__name__)
            raise SystemUnavailable("Koha did not answer the token request") from exc
        body = reply.body
        if reply.status != 200 or not isinstance(body, dict):
            raise failure("POST", path, reply)
        token, lifetime = body.get("access_token"), opt_int(body.get("expires_in"))
        if not isinstance(token, str) or not token:
            raise failure("POST", path, reply)
        seconds = float(lifetime) if lifetime and lifetime > 0 else 3600.0
        return _Token(token, time.monotonic() + seconds - min(TOKEN_MARGIN, seconds / 10))


def failure(method: str, path: str, reply: Reply) -> SystemUnavailable:
    """Log an answer we cannot use (never the request: it may carry a password)."""
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    said = str(error)[:200] if error else "no usable answer"
    if reply.status in (401, 403):
        log.error(
            "Koha refused libbot's API account on %s %s (HTTP %s: %s); "
            "check [library_system.koha] credentials and the account's permissions",
            method, path, reply.status, said,
        )  # fmt: skip
    else:
        log.warning("Koha answered %s %s with HTTP %s: %s", method, path, reply.status, said)
    return SystemUnavailable(f"Koha answered {method} {path} with HTTP {reply.status}")


def opt_int(value: object) -> int | None:
    """A whole number Koha sent as a number or as digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
