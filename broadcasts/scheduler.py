"""Jobs the running bot does on its own: the nightly catalogue import, the
«книгу вернули» notices and due-date reminders. Recurring jobs come from the config
at every start, so they need no persistent job store; ids are fixed, so re-adding
replaces.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Config
from bot.i18n import Locales
from broadcasts.announcements import start_due
from broadcasts.consultation_notices import sweep_appointments, sweep_unclaimed
from broadcasts.digest import send_weekly_digest
from broadcasts.event_reminders import sweep_event_reminders
from broadcasts.reminders import sweep
from broadcasts.returns import notify_returned
from broadcasts.seat_offers import lapse_and_offer
from storage.catalogue.importer import import_catalogue
from storage.circulation.base import LibrarySystem
from storage.db import Database

log = logging.getLogger(__name__)
# Scheduled announcements start within this many seconds of their time.
ANNOUNCEMENT_CHECK_SECONDS = 15
# Unconfirmed seat offers lapse to the next person on the waiting list, and event
# reminders are enqueued, this often.
OFFER_CHECK_MINUTES = 5


async def nightly_import(db: Database, config: Config) -> None:
    settings = config.catalogue
    paths = [config.base_dir / p for p in settings.import_paths]
    missing = [str(p) for p in paths if not await asyncio.to_thread(Path(p).is_file)]
    if missing:
        log.error("nightly import skipped: missing %s", missing)
        return
    summary = await import_catalogue(
        db,
        paths,
        format=settings.import_format or None,
        encoding=settings.import_encoding or None,
        full=settings.import_full,
    )
    log.info("nightly import: %s", "; ".join(summary.lines()[:4]))


def build_scheduler(
    db: Database,
    bot: Bot,
    locales: Locales,
    config: Config,
    *,
    platform: str,
    library_system: LibrarySystem | None = None,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=config.library.zone)

    async def loan_reminders() -> None:
        await sweep(db, library_system, locales, config, now=datetime.now(UTC))

    async def seat_offers() -> None:
        await lapse_and_offer(db, locales, config, now=datetime.now(UTC))
        await sweep_event_reminders(db, locales, config, now=datetime.now(UTC))

    async def consultations() -> None:
        now = datetime.now(UTC)
        await sweep_unclaimed(db, locales, config, now=now)
        await sweep_appointments(db, locales, config, now=now)

    async def weekly_digest() -> None:
        await send_weekly_digest(db, locales, config, now=datetime.now(UTC))

    async def returns() -> None:
        await notify_returned(db, bot, locales, config, platform=platform, now=datetime.now(UTC))

    async def announcements() -> None:
        await start_due(db, config, platforms=(platform,), now=datetime.now(UTC))

    scheduler.add_job(
        announcements,
        IntervalTrigger(seconds=ANNOUNCEMENT_CHECK_SECONDS),
        id="broadcasts-due",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        returns,
        IntervalTrigger(minutes=config.catalogue.watch_check_minutes),
        id="catalogue-returns",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        seat_offers,
        IntervalTrigger(minutes=OFFER_CHECK_MINUTES),
        id="events-seat-offers",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        consultations,
        IntervalTrigger(minutes=config.consultations.check_minutes),
        id="consultations-sweep",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    if config.subscriptions.digest_topic and config.subscriptions.digest_at:
        day, clock = config.subscriptions.digest_at.split()
        hour, minute = (int(part) for part in clock.split(":"))
        scheduler.add_job(
            weekly_digest,
            CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=config.library.zone),
            id="events-weekly-digest",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    if library_system is not None:
        scheduler.add_job(
            loan_reminders,
            IntervalTrigger(minutes=config.reminders.check_minutes),
            id="loan-reminders",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
    if config.catalogue.import_paths:
        hour, minute = (int(part) for part in config.catalogue.import_at.split(":"))
        scheduler.add_job(
            nightly_import,
            CronTrigger(hour=hour, minute=minute, timezone=config.library.zone),
            args=(db, config),
            id="catalogue-import",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler
