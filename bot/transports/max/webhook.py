"""MAX updates pushed to the bot (`POST /subscriptions`), checked by their secret.

`subscribe` tells MAX where to send updates and with which secret; MAX then posts each
update to that URL with the header `X-Max-Bot-Api-Secret`. `add_webhook_route` mounts
the receiving handler on an aiohttp app (the one serving Telegram's webhook, or its own):
a request without the right secret is refused (401) and never reaches the Dispatcher
(with no secret configured every request is refused: nothing would prove it MAX's);
a good one is answered 200 at once and handled in the background, since MAX counts an
answer slower than 30 seconds as a failed delivery and sends the update again (the
update's own key lets `OnceMiddleware` drop such a repeat).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetMe
from aiohttp import web

from bot.transports.max.polling import UPDATE_TYPES, feed, max_session

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Max-Bot-Api-Secret"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def subscribe(bot: Bot, url: str, secret: str | None) -> None:
    """POST /subscriptions: updates for this bot go to `url` with `secret` (while a
    subscription is active, MAX's long poll answers nothing)."""
    body: dict[str, Any] = {"url": url, "update_types": list(UPDATE_TYPES)}
    if secret:
        body["secret"] = secret
    await max_session(bot).client.call(GetMe(), "POST", "/subscriptions", body=body)


async def unsubscribe(bot: Bot, url: str) -> None:
    await max_session(bot).client.call(GetMe(), "DELETE", "/subscriptions", query={"url": url})


def webhook_handler(
    dp: Dispatcher,
    bot: Bot,
    secret: str | None,
    *,
    tasks: set[asyncio.Task[Any]] | None = None,
) -> Handler:
    """The aiohttp handler for MAX's webhook requests: each update handled in a task
    kept in `tasks` (None: handled before the request is answered)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "")
        # Fail closed: without a secret configured nothing proves a request is MAX's.
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("MAX webhook request without the right secret refused")
            return web.json_response({"ok": False}, status=401)
        try:
            update = json.loads(await request.read())
        except ValueError:
            return web.json_response({"ok": False}, status=400)
        if not isinstance(update, dict):
            return web.json_response({"ok": False}, status=400)
        await feed(dp, bot, [update], tasks=tasks)
        return web.json_response({"ok": True})

    return handle


def add_webhook_route(
    app: web.Application,
    path: str,
    dp: Dispatcher,
    bot: Bot,
    secret: str | None,
    *,
    handle_in_background: bool = True,
) -> None:
    """Mount the MAX webhook at `path` on an aiohttp app; updates still being handled
    when the app shuts down are waited for."""
    tasks: set[asyncio.Task[Any]] | None = set() if handle_in_background else None

    async def finish(_app: web.Application) -> None:
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    app.on_shutdown.append(finish)
    app.router.add_post(path, webhook_handler(dp, bot, secret, tasks=tasks))
