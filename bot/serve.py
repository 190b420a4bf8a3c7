"""`libbot run`: every configured messenger, their senders and the scheduler, in one process.

Telegram (polling or webhook) and the VK community share one Dispatcher, one database
and one scheduler; each messenger has its own outbox sender with its own rate limit.
SIGINT/SIGTERM stop everything in order: transports stop taking updates, senders finish
the messages in flight, the scheduler stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError

from bot.app import App, open_app
from bot.config import Config
from bot.transports.messengers import Messengers
from broadcasts.limits import RateLimiter
from broadcasts.sender import Sender
from storage.outbox import Report

TELEGRAM_RATE = 30.0


class TokenRejected(Exception):
    """A messenger refused the configured token; the message names the setting."""


def messengers_for(config: Config) -> Messengers:
    from bot.transports.telegram import file_fetcher, telegram_bot
    from bot.transports.vk.polling import vk_bot, vk_session

    messengers = Messengers()
    telegram = telegram_bot(config) if config.telegram.token is not None else None
    if telegram is not None:
        messengers.add("telegram", telegram)
    if config.vk.token is not None:
        vk = vk_bot(config.vk)
        if telegram is not None:  # photos staff sent in Telegram, shown in VK
            vk_session(vk).files.fetch_foreign = file_fetcher(telegram)
        messengers.add("vk", vk)
    return messengers


async def _rejecting(work: Awaitable[None], message: str) -> None:
    try:
        await work
    except TelegramUnauthorizedError:
        raise TokenRejected(message) from None


async def _telegram(app: App, bot: Bot, stop: asyncio.Event) -> None:
    from bot.transports.telegram import run_polling, run_webhook

    if app.config.telegram.mode == "webhook":
        await run_webhook(app.dispatcher, bot, app.config, app.locales, stop=stop)
        return
    polling = asyncio.create_task(
        run_polling(app.dispatcher, bot, app.locales, handle_signals=False)
    )
    waiting = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not polling.done():
        with contextlib.suppress(RuntimeError):  # polling had not started yet
            await app.dispatcher.stop_polling()
    waiting.cancel()
    await polling


async def _vk(dp: Dispatcher, bot: Bot, stop: asyncio.Event, *, own_lifecycle: bool) -> None:
    """VK's long poll; when Telegram does not run polling, VK emits the dispatcher's
    startup and shutdown (the library system connector closes on shutdown)."""
    from bot.transports.vk.polling import VkPolling

    if own_lifecycle:
        await dp.emit_startup(bot=bot, dispatcher=dp, **dp.workflow_data)
    try:
        await VkPolling(dp, bot).run(stop)
    finally:
        if own_lifecycle:
            await dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data)


async def serve(config: Config) -> None:
    from broadcasts.announcements import on_finished
    from broadcasts.scheduler import build_scheduler, persistent_store, start_scheduler

    async with open_app(config) as app:
        messengers: Messengers = app.dispatcher["messengers"]
        for platform, bot in messengers_for(config).items():
            messengers.add(platform, bot)
        scheduler = build_scheduler(
            app.db,
            messengers,
            app.locales,
            config,
            library_system=app.dispatcher.workflow_data.get("library_system"),
            store=persistent_store(config),
        )
        start_scheduler(scheduler)

        def reporter(platform: str) -> Callable[[Report], Awaitable[None]]:
            """The staff chat hears of a finished broadcast once, from the sender that saw
            its last row; the reach is logged under that messenger."""

            async def report(found: Report) -> None:
                await on_finished(app.db, messengers, app.locales, config, found, platform=platform)

            return report

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        stop_sending = asyncio.Event()
        rates = {"telegram": TELEGRAM_RATE, "vk": config.vk.rate}
        try:
            async with asyncio.TaskGroup() as group:
                for platform, bot in messengers.items():
                    sender = Sender(
                        app.db,
                        bot,
                        platform=platform,
                        limiter=RateLimiter(rates[platform]),
                        on_report=reporter(platform),
                    )
                    group.create_task(sender.run(stop_sending), name=f"sender-{platform}")
                transports = []
                telegram = messengers.get("telegram")
                if telegram is not None:
                    transports.append(
                        _rejecting(
                            _telegram(app, telegram, stop),
                            "Telegram rejected [telegram] token: check it with @BotFather",
                        )
                    )
                vk = messengers.get("vk")
                if vk is not None:
                    polls_telegram = telegram is not None and config.telegram.mode == "polling"
                    transports.append(
                        _rejecting(
                            _vk(app.dispatcher, vk, stop, own_lifecycle=not polls_telegram),
                            "VK rejected [vk] token: check it in the community's settings"
                            " (Manage → API usage) and [vk] group_id",
                        )
                    )
                try:
                    await asyncio.gather(*transports)
                finally:
                    stop.set()
                    stop_sending.set()
        except* TokenRejected as rejected:
            raise rejected.exceptions[0] from None
        finally:
            scheduler.shutdown(wait=False)
            for _platform, bot in messengers.items():
                await bot.session.close()
