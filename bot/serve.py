"""`libbot run`: every configured messenger, their senders and the scheduler.

Telegram (polling or webhook), the VK community and the MAX bot (polling or webhook) —
any of them, any combination — share one Dispatcher, one database and one scheduler; each
messenger has its own outbox sender with its own rate limit.
`--role` splits the work across processes: `web` takes updates, `sender` drains the
outbox (any number of them: rows are claimed with row locks), `scheduler` runs timed
jobs — and only the process holding the scheduler lease runs it (`broadcasts.leader`).
Several processes taking updates need Redis (shared conversation state, each update
handled once) and, for Telegram, webhook mode. SIGINT/SIGTERM stop everything in
order: transports stop taking updates, senders finish the messages in flight, the
scheduler stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiohttp import web

from bot.app import App, open_app
from bot.kernel.config import Config
from bot.kernel.messengers import Messengers
from bot.monitoring import add_routes
from bot.transports.paced import pace_for
from broadcasts.pacing import Priority
from broadcasts.sender import Sender
from storage.outbox import Report

ROLES = ("all", "web", "sender", "scheduler")
REJECTED = {
    "telegram": "Telegram rejected [telegram] token: check it with @BotFather",
    "vk": "VK rejected [vk] token: check it in the community's settings (Manage → API usage)"
    " and [vk] group_id",
    "max": "MAX rejected [max] token: check it with @MasterBot in MAX"
    " (or on the bot's page at business.max.ru)",
}
# How long start-up waits for a messenger to say whether it takes the token; one that
# does not answer by then is left to its transport, which keeps retrying.
TOKEN_CHECK_SECONDS = 10.0
JOB_LOGGER = "apscheduler.executors.default"
log = logging.getLogger(__name__)


class TokenRejected(Exception):
    """A messenger refused the configured token; the message names the setting."""


def note_jobs_cut_short(record: logging.LogRecord) -> bool:
    """APScheduler logs a job that its shutdown cancelled as a failure, with the traceback
    of the cancellation (#19: some 65 lines before «Telegram rejected [telegram] token»).
    It is no failure: the job's transaction is rolled back and the job runs again on
    schedule. One warning line instead."""
    failure = record.exc_info[1] if record.exc_info else None
    if isinstance(failure, asyncio.CancelledError):
        job = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        record.msg = "job %s stopped unfinished: libbot is stopping; it runs again on schedule"
        record.args = (job,)
        record.exc_info = None
        record.exc_text = None
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
    return True


async def _check_tokens(messengers: Messengers, stop: asyncio.Event) -> None:
    """Ask each messenger who the bot is before anything else starts: a token it refuses
    ends start-up with one line, before a job or a sender has begun only to be cut off.
    A messenger that cannot be reached now is left to its transport, which retries; a
    stop signal ends the wait at once."""
    for platform, bot in messengers.items():
        asking = asyncio.ensure_future(bot.get_me())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                {asking, stopping},
                timeout=TOKEN_CHECK_SECONDS,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            asking.cancel()
            stopping.cancel()
            await asyncio.gather(asking, stopping, return_exceptions=True)
        if stop.is_set():
            return
        if not asking.cancelled() and isinstance(asking.exception(), TelegramUnauthorizedError):
            raise TokenRejected(REJECTED[platform])


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
    if config.max.token is not None:
        from bot.transports.max.polling import max_bot, max_session

        max_ = max_bot(config.max)
        if telegram is not None:  # photos staff sent in Telegram, shown in MAX
            max_session(max_).files.fetch_foreign = file_fetcher(telegram)
        messengers.add("max", max_)
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
        try:
            await app.dispatcher.stop_polling()
        except RuntimeError:
            # Polling had not started: it is still waiting for the Bot API to answer,
            # and that wait must not outlast a stop.
            polling.cancel()
    waiting.cancel()
    try:
        await polling
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # this task itself is being cancelled, not only the polling we stopped


async def _vk(dp: Dispatcher, bot: Bot, stop: asyncio.Event, *, data_dir: Path) -> None:
    from bot.transports.vk.polling import VkPolling

    await VkPolling(dp, bot, position_file=data_dir / "vk-longpoll-position").run(stop)


async def _max(dp: Dispatcher, bot: Bot, config: Config, stop: asyncio.Event) -> None:
    """The MAX bot's updates: its long poll, or in webhook mode a server of its own on
    `[max] listen_host:listen_port` that MAX posts to (subscribed at start; the
    subscription stays when libbot stops, so MAX keeps the updates and retries them)."""
    from bot.transports.max.polling import MaxPolling

    if config.max.mode == "polling":
        position = config.data_dir / "max-longpoll-position"
        await MaxPolling(dp, bot, position_file=position).run(stop)
        return
    await _max_webhook(dp, bot, config, stop)


async def _max_webhook(dp: Dispatcher, bot: Bot, config: Config, stop: asyncio.Event) -> None:
    from bot.kernel.messengers import register
    from bot.transports.max.polling import check_token
    from bot.transports.max.webhook import add_webhook_route, subscribe
    from bot.transports.paced import pace_served

    section = config.max
    secret = section.webhook_secret.get_secret_value() if section.webhook_secret else None
    path = section.webhook_path or urlparse(section.webhook_url).path or "/"
    register(dp, "max", bot)
    pace_served(dp, "max", bot)
    await _max_reachable(lambda: check_token(bot), stop)  # the bot's name, for links
    server = web.Application()
    add_webhook_route(server, path, dp, bot, secret)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        # Listening before subscribing: MAX's first post finds the server up.
        await web.TCPSite(runner, section.listen_host, section.listen_port).start()
        log.info("MAX webhook listening on %s:%s%s", section.listen_host, section.listen_port, path)
        await _max_reachable(lambda: subscribe(bot, section.webhook_url, secret), stop)
        await stop.wait()
    finally:
        await runner.cleanup()


async def _max_reachable(call: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """Retry a start-up call while MAX is unreachable or busy; a refused token or request
    fails at once, a stop ends the wait."""
    delay = 1.0
    while not stop.is_set():
        try:
            await call()
            return
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
            wait = exc.retry_after if isinstance(exc, TelegramRetryAfter) else delay
            log.warning("MAX Bot API not available (%s); retrying in %.0f s", exc, wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            delay = min(delay * 2, 60.0)


async def _until(stop: asyncio.Event) -> None:
    await stop.wait()


async def _monitoring(app: App, config: Config, *, webhook_here: bool) -> web.AppRunner | None:
    """/healthz and /metrics on `[monitoring] listen_port`, when set — unless this process
    runs the webhook server, which has both already."""
    if not config.monitoring.listen_port or webhook_here:
        return None
    server = web.Application()
    add_routes(server, app.dispatcher["metrics"], app.db)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, config.monitoring.listen_host, config.monitoring.listen_port).start()
    return runner


def _runs_lifecycle(config: Config, messengers: Messengers, role: str) -> bool:
    """Telegram's polling and webhook server emit the dispatcher's startup and shutdown;
    otherwise this process does (the library system connector closes on shutdown)."""
    return not (role in ("all", "web") and messengers.get("telegram") is not None)


async def serve(config: Config, *, role: str = "all") -> None:
    """Serve in one of the roles: `all` (everything), `web` (the messengers' updates),
    `sender` (the outbox) or `scheduler` (timed jobs; one process at a time leads)."""
    from broadcasts.announcements import on_finished
    from broadcasts.leader import Lease, lead_while_held
    from broadcasts.scheduler import build_scheduler, persistent_store, start_scheduler

    if role not in ROLES:
        msg = f"unknown role {role!r}; expected one of {', '.join(ROLES)}"
        raise ValueError(msg)
    async with open_app(config) as app:
        dp = app.dispatcher
        messengers: Messengers = dp["messengers"]
        for platform, bot in messengers_for(config).items():
            messengers.add(platform, bot)
        scheduler = build_scheduler(
            app.db,
            messengers,
            app.locales,
            config,
            library_system=dp.workflow_data.get("library_system"),
            store=persistent_store(config),
        )
        started = False

        def lead() -> None:
            nonlocal started
            if started:
                scheduler.resume()
            else:
                start_scheduler(scheduler)
                started = True

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
        logging.getLogger(JOB_LOGGER).addFilter(note_jobs_cut_short)
        try:
            await _check_tokens(messengers, stop)
        except TokenRejected:
            await _close_sessions(messengers)
            raise
        stop_background = asyncio.Event()
        redis = getattr(dp.storage, "redis", None)
        lifecycle = _runs_lifecycle(config, messengers, role)
        webhook_here = (
            role in ("all", "web")
            and messengers.get("telegram") is not None
            and config.telegram.mode == "webhook"
        )
        monitoring = await _monitoring(app, config, webhook_here=webhook_here)
        any_bot = next(iter(messengers.items()))[1]
        if lifecycle:
            await dp.emit_startup(bot=any_bot, dispatcher=dp, **dp.workflow_data)
        try:
            async with asyncio.TaskGroup() as group:
                if role in ("all", "sender"):
                    for platform, bot in messengers.items():
                        sender = Sender(
                            app.db,
                            bot,
                            platform=platform,
                            # The token's pacer, shared with the replies (bulk after them).
                            limiter=pace_for(bot, platform, config, redis).lane(Priority.BULK),
                            on_report=reporter(platform),
                            metrics=dp["metrics"],
                            stale_after=timedelta(seconds=config.outbox.lease_seconds),
                        )
                        group.create_task(sender.run(stop_background), name=f"sender-{platform}")
                if role in ("all", "scheduler"):
                    lease = Lease(app.db, lock_dir=config.data_dir)
                    group.create_task(
                        lead_while_held(lease, lead, scheduler.pause, stop_background),
                        name="scheduler-lease",
                    )
                transports = []
                if role in ("all", "web"):
                    telegram = messengers.get("telegram")
                    if telegram is not None:
                        transports.append(
                            _rejecting(_telegram(app, telegram, stop), REJECTED["telegram"])
                        )
                    vk = messengers.get("vk")
                    if vk is not None:
                        transports.append(
                            _rejecting(_vk(dp, vk, stop, data_dir=config.data_dir), REJECTED["vk"])
                        )
                    max_ = messengers.get("max")
                    if max_ is not None:
                        transports.append(_rejecting(_max(dp, max_, config, stop), REJECTED["max"]))
                else:
                    transports.append(_until(stop))
                try:
                    await asyncio.gather(*transports)
                finally:
                    stop.set()
                    stop_background.set()
        except* TokenRejected as rejected:
            raise rejected.exceptions[0] from None
        finally:
            if monitoring is not None:
                await monitoring.cleanup()
            if scheduler.running:
                scheduler.shutdown(wait=False)
            if lifecycle:
                await dp.emit_shutdown(bot=any_bot, dispatcher=dp, **dp.workflow_data)
            await _close_sessions(messengers)


async def _close_sessions(messengers: Messengers) -> None:
    for _platform, bot in messengers.items():
        await bot.session.close()
