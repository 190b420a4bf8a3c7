"""Telegram over HTTP with aiogram: long polling (default) or a webhook with its secret checked.

`[telegram] api_server` sets the Bot API base URL, so a library can use a
self-hosted Bot API server and the tests a local fake one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.kernel.config import Config
from bot.kernel.i18n import LANGUAGES, Locales
from bot.kernel.messengers import register
from bot.kernel.text_limits import TextLimits
from bot.monitoring import add_routes
from bot.transports.paced import pace_served
from bot.transports.response_types import PinResponseTypes

log = logging.getLogger(__name__)
PLATFORM = "telegram"
STARTUP_RETRY_CAP = 60.0
PUBLIC_COMMANDS = (
    "start",
    "menu",
    "ask",
    "cancel",
    "help",
    "language",
    "link",
    "stop",
    "myid",
    "forget",
)


def create_bot(
    token: str, *, api_server: str | None = None, session: BaseSession | None = None
) -> Bot:
    """A Bot whose every request passes through TextLimits; HTML by default."""
    if session is None:
        session = AiohttpSession()
        if api_server:
            session.api = TelegramAPIServer.from_base(api_server)
    session.middleware(TextLimits())
    session.middleware(PinResponseTypes())
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def file_fetcher(bot: Bot) -> Callable[[str], Awaitable[bytes]]:
    """Downloads a Telegram file by id: how another messenger shows a photo staff sent here."""

    async def fetch(file_id: str) -> bytes:
        downloaded = await bot.download(file_id)
        return downloaded.read() if downloaded is not None else b""

    return fetch


def telegram_bot(config: Config) -> Bot:
    token = config.telegram.token
    if token is None:
        msg = "[telegram] token is required to run (or set LIBBOT_TELEGRAM__TOKEN)"
        raise ValueError(msg)
    return create_bot(token.get_secret_value(), api_server=config.telegram.api_server)


async def register_commands(bot: Bot, locales: Locales) -> None:
    """The command menu in Russian for everyone, in English for English-speaking clients."""
    for language in LANGUAGES:
        texts = locales.texts(language)
        commands = [BotCommand(command=c, description=texts(f"cmd-{c}")) for c in PUBLIC_COMMANDS]
        await bot.set_my_commands(
            commands,
            scope=BotCommandScopeDefault(),
            language_code=None if language == "ru" else language,
        )


async def run_polling(
    dp: Dispatcher,
    bot: Bot,
    locales: Locales,
    *,
    handle_signals: bool = True,
    handle_as_tasks: bool = True,
    polling_timeout: int = 30,
) -> None:
    """Long polling until SIGINT/SIGTERM (or `dp.stop_polling()`).

    `handle_as_tasks=False` handles one update at a time; the tests use it so each
    step of a story finishes before the next begins.
    """
    register(dp, PLATFORM, bot)
    pace_served(dp, PLATFORM, bot)
    await _when_reachable(lambda: bot.delete_webhook(drop_pending_updates=False))
    await _when_reachable(lambda: register_commands(bot, locales))
    await dp.start_polling(
        bot,
        handle_signals=handle_signals,
        handle_as_tasks=handle_as_tasks,
        polling_timeout=polling_timeout,
        # The session is shared with the outbox sender: closing it on stop would fail the
        # sends in flight (rows left «unknown», never resent). Whoever made it closes it.
        close_bot_session=False,
        platform=PLATFORM,
    )


async def _when_reachable(call: Callable[[], Awaitable[object]]) -> None:
    """Retry a start-up call while the Bot API is unreachable or failing (a network blip,
    a restarting local Bot API server); a rejected token or request still fails at once."""
    delay = 1.0
    while True:
        try:
            await call()
            return
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
            wait = exc.retry_after if isinstance(exc, TelegramRetryAfter) else delay
            log.warning("Telegram Bot API not available (%s); retrying in %.0f s", exc, wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, STARTUP_RETRY_CAP)


def webhook_path(config: Config) -> str:
    return config.telegram.webhook_path or urlparse(config.telegram.webhook_url).path or "/"


def build_webhook_app(
    dp: Dispatcher, bot: Bot, config: Config, *, handle_in_background: bool = True
) -> web.Application:
    """An aiohttp app that accepts Telegram updates only with the configured secret header."""
    secret = config.telegram.webhook_secret
    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher=dp,
        bot=bot,
        secret_token=secret.get_secret_value() if secret else None,
        handle_in_background=handle_in_background,
        platform=PLATFORM,
    )
    handler.register(app, path=webhook_path(config))
    add_routes(app, dp["metrics"], dp["db"])
    setup_application(app, dp, bot=bot, platform=PLATFORM)
    return app


async def run_webhook(
    dp: Dispatcher, bot: Bot, config: Config, locales: Locales, *, stop: asyncio.Event
) -> None:
    secret = config.telegram.webhook_secret
    register(dp, PLATFORM, bot)
    pace_served(dp, PLATFORM, bot)
    await _when_reachable(lambda: register_commands(bot, locales))
    await _when_reachable(
        lambda: bot.set_webhook(
            config.telegram.webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=dp.resolve_used_update_types(),
        )
    )
    runner = web.AppRunner(build_webhook_app(dp, bot, config))
    await runner.setup()
    site = web.TCPSite(runner, config.telegram.listen_host, config.telegram.listen_port)
    await site.start()
    log.info(
        "webhook listening on %s:%s%s",
        config.telegram.listen_host,
        config.telegram.listen_port,
        webhook_path(config),
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()
