"""The VK API behind vk_api, made safe for an asyncio bot.

vk_api is synchronous: every call runs in a worker thread, never on the event loop.
Its HTTP calls have no timeout and its base URL is fixed (`https://api.vk.ru/method/…`),
so a requests adapter mounted on its session adds the timeout and, when `[vk]
api_server` names another base URL (a proxy, the tests' fake VK API), sends the calls
there. vk_api retries «too many requests» forever by itself; that handler is removed, so
the error reaches us and becomes `TelegramRetryAfter` like a Telegram 429.

VK errors become the exceptions the Telegram path raises, so the outbox sender and the
handlers treat both messengers alike: 900/901/902 (blacklisted, no permission to write,
privacy settings) are «forbidden», rate limits are «retry after», 5xx and internal errors
are server errors, a request that never reached VK is a connector error (safe to
retry) and one that timed out after it went out is not.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import requests
import vk_api
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
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from vk_api.exceptions import ApiError, ApiHttpError
from vk_api.upload import VkUpload
from vk_api.vk_api import TOO_MANY_RPS_CODE

from bot.kernel.config import PUBLIC_VK_API, Vk
from bot.transports.vk.updates import attachment_id

log = logging.getLogger(__name__)
T = TypeVar("T")

# https://dev.vk.com/ru/reference/errors
AUTHORISATION_FAILED = {5, 27, 28}
# Only these are about one reader (blacklisted, messages not allowed, privacy): the
# sender marks them blocked and unsubscribes them. 7/15 (the token lacks a right,
# community messages switched off) are the library's configuration: a failed send, not
# a reader to drop.
FORBIDDEN = {900, 901, 902}
RETRY_AFTER = {6: 1, 9: 10, 29: 60}  # too many requests, flood control, method limit
SERVER_SIDE = {1, 10, 603}
UPLOAD_TIMEOUT = 120.0
API_THREADS = 4


class _VkAdapter(HTTPAdapter):
    """Gives every request a timeout and, for API calls, the configured base URL."""

    def __init__(self, timeout: float, rewrite: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.rewrite = rewrite

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.rewrite is not None and request.url is not None:
            public, local = self.rewrite
            if request.url.startswith(public):
                request.url = local + request.url[len(public) :]
                # Proxies were chosen for api.vk.ru: choose again for the real address.
                kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)
        if not kwargs.get("timeout"):
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def open_api(settings: Vk) -> vk_api.VkApiGroup:
    """A community-token API object (20 calls a second) pointed at `api_server`."""
    if settings.token is None:
        msg = "[vk] token is required (or set LIBBOT_VK__TOKEN)"
        raise ValueError(msg)
    api = vk_api.VkApiGroup(
        token=settings.token.get_secret_value(), api_version=settings.api_version
    )
    api.error_handlers.pop(TOO_MANY_RPS_CODE, None)
    rewrite = None
    if settings.api_server != PUBLIC_VK_API:
        rewrite = (PUBLIC_VK_API, settings.api_server)
    # Uploads go to whatever server VK names: a longer timeout, no rewriting.
    api.http.mount("http://", _VkAdapter(UPLOAD_TIMEOUT))
    api.http.mount("https://", _VkAdapter(UPLOAD_TIMEOUT))
    api.http.mount(PUBLIC_VK_API + "/", _VkAdapter(settings.timeout_seconds, rewrite))
    return api


def as_telegram_error(method: TelegramMethod[Any], exc: Exception) -> TelegramAPIError:
    """The aiogram exception the Telegram path would raise for the same situation."""
    if isinstance(exc, ApiError):
        code, text = exc.code, f"VK error {exc.code}: {exc.error.get('error_msg', '')}"
        if code in RETRY_AFTER:
            return TelegramRetryAfter(method=method, message=text, retry_after=RETRY_AFTER[code])
        if code in AUTHORISATION_FAILED:
            return TelegramUnauthorizedError(method=method, message=text)
        if code in FORBIDDEN:
            return TelegramForbiddenError(method=method, message=text)
        if code in SERVER_SIDE:
            return TelegramServerError(method=method, message=text)
        return TelegramBadRequest(method=method, message=text)
    if isinstance(exc, ApiHttpError):
        return TelegramServerError(method=method, message=f"VK HTTP {exc.response.status_code}")
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return TelegramNetworkError(method=method, message=f"ClientConnectorError: {exc}")
    if isinstance(exc, requests.Timeout):
        return TelegramNetworkError(method=method, message=f"Request timeout: {exc}")
    if isinstance(exc, requests.ConnectionError):
        if _never_connected(exc):  # refused, unreachable, no such host: VK never saw it
            return TelegramNetworkError(method=method, message=f"ClientConnectorError: {exc}")
        # Dropped after the request went out: VK may have carried it out.
        return TelegramNetworkError(method=method, message=f"Connection lost: {exc}")
    if isinstance(exc, ValueError):  # not JSON: a proxy's error page
        return TelegramServerError(method=method, message=f"VK answered garbage: {exc}")
    raise exc


def _never_connected(exc: requests.ConnectionError) -> bool:
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError | NameResolutionError | ConnectTimeoutError)


def vk_error_code(exc: BaseException | None) -> int | None:
    return exc.code if isinstance(exc, ApiError) else None


class VkClient:
    """Async calls into one VkApiGroup; every blocking call runs in a worker thread."""

    def __init__(self, settings: Vk, api: vk_api.VkApiGroup | None = None) -> None:
        self.settings = settings
        self.group_id = settings.group_id or 0
        self.api = api or open_api(settings)
        # vk_api makes one call at a time anyway (a lock around each); its own threads keep
        # the default pool — and the long poll's thread — free while a broadcast waits.
        self._threads = ThreadPoolExecutor(max_workers=API_THREADS, thread_name_prefix="vk-api")
        # Uploads through the API's session: its adapters give them a timeout.
        self._uploads = VkUpload(self.api)
        self._uploads.http = self.api.http

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def _in_thread(self, method: TelegramMethod[Any], work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._threads, work)
        except (ApiError, ApiHttpError, requests.RequestException, ValueError) as exc:
            raise as_telegram_error(method, exc) from exc

    async def call(self, method: TelegramMethod[Any], name: str, **values: Any) -> Any:
        """One API method; `method` is the Bot API call it carries out (for the error)."""
        clean = {k: v for k, v in values.items() if v is not None}
        return await self._in_thread(method, lambda: self.api.method(name, clean))

    async def upload_document(
        self, method: TelegramMethod[Any], data: bytes, filename: str, peer_id: int
    ) -> str:
        """Upload a file for a message; the attachment string to send it with."""

        def upload() -> str:
            file = io.BytesIO(data)
            file.name = filename
            saved = self._uploads.document_message(file, title=filename, peer_id=peer_id)
            doc = saved.get("doc") or saved.get(saved.get("type", "doc")) or {}
            return attachment_id("doc", doc)

        return await self._in_thread(method, upload)

    async def upload_photo(
        self, method: TelegramMethod[Any], data: bytes, filename: str, peer_id: int
    ) -> str:
        def upload() -> str:
            file = io.BytesIO(data)
            file.name = filename if "." in filename else f"{filename}.png"
            photos = self._uploads.photo_messages(file, peer_id=peer_id)
            return attachment_id("photo", photos[0])

        return await self._in_thread(method, upload)
