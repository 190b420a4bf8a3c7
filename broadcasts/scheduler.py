"""Jobs the running bot does on its own, in APScheduler 3 with its job store in the database.

Every job is a module-level coroutine referenced by name, with deterministic ids and
only ids as arguments; what it works with (database, bot, config) is the process's
`JobContext`, installed by `open_scheduler`. Because the store survives restarts:
- each announcement is a date job `broadcast-<id>`: one whose time passed while the bot
  was down still fires once after restart if it is within `[notifications]
  missed_grace_hours`; later than that it is marked missed and staff are told;
- recurring jobs (the weekly афиша, the nightly catalogue import, reminder sweeps) keep
  their next run time across restarts, so a digest or an import missed during a short
  stop runs once when the bot is back (within its grace).
Announcements created elsewhere (the bot's compose form, `libbot broadcast`, another
process) are turned into jobs by a sync that runs every few seconds.

SQLite allows one writer at a time and APScheduler's store is synchronous: sharing the
file would let a job-store write block the event loop against the bot's own open write
transaction. So on SQLite the store is a sibling file (`scheduler.sqlite3` next to the
database); on PostgreSQL it is a table in the same database (through psycopg).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import make_url

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from broadcasts.consultation_notices import sweep_appointments, sweep_unclaimed
from broadcasts.digest import morning_after, send_weekly_digest
from broadcasts.event_reminders import sweep_event_reminders
from broadcasts.reminders import sweep
from broadcasts.returns import notify_returned
from broadcasts.seat_offers import lapse_and_offer
from broadcasts.staff_chat import notify_staff
from storage import outbox, retention
from storage.catalogue.importer import import_catalogue
from storage.circulation.base import LibrarySystem
from storage.db import Database
from storage.outbox import Broadcast
from storage.types import utcnow

log = logging.getLogger(__name__)
# New announcements become jobs within this many seconds.
ANNOUNCEMENT_SYNC_SECONDS = 15
# Unconfirmed seat offers lapse, and event reminders are enqueued, this often.
OFFER_CHECK_MINUTES = 5
JOB_TABLE = "apscheduler_jobs"
# The nightly privacy purge, library time: after midnight, before anyone is up.
PURGE_AT = (3, 30)


@dataclass
class JobContext:
    db: Database
    messengers: Messengers
    locales: Locales
    config: Config
    library_system: LibrarySystem | None
    scheduler: AsyncIOScheduler


_context: JobContext | None = None


def _ctx() -> JobContext:
    if _context is None:
        raise RuntimeError("no scheduler context: jobs run only inside open_scheduler")
    return _context


def job_store_url(config: Config) -> str:
    """Where the job store lives: a sibling SQLite file, or the same PostgreSQL database."""
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        database = Path(url.database or "")
        folder = database.parent if url.database else config.data_dir
        return f"sqlite:///{folder / 'scheduler.sqlite3'}"
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _grace(config: Config) -> timedelta:
    return timedelta(hours=config.notifications.missed_grace_hours)


# The jobs. Module-level, so the persistent store can name them.


async def sync_announcements() -> None:
    """Give every scheduled announcement its date job; mark long-missed ones; drop the
    jobs of cancelled ones."""
    ctx = _ctx()
    now = utcnow()
    grace = _grace(ctx.config)
    waiting = {b.id: b for b in await outbox.scheduled(ctx.db)}
    for broadcast in waiting.values():
        job_id = f"broadcast-{broadcast.id}"
        if broadcast.scheduled_at < now - grace and ctx.scheduler.get_job(job_id) is None:
            await _missed(ctx, broadcast)
        elif ctx.scheduler.get_job(job_id) is None:
            _schedule_announcement(ctx, broadcast.id, broadcast.scheduled_at)
    for job in ctx.scheduler.get_jobs():
        if job.id.startswith("broadcast-") and int(job.id.split("-")[1]) not in waiting:
            job.remove()


async def start_announcement(broadcast_id: int) -> None:
    """Freeze the audience into the outbox; at night (unless urgent) wait for the morning."""
    ctx = _ctx()
    now = utcnow()
    async with ctx.db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        urgent = bool(broadcast and broadcast.urgent)
    if broadcast is None or broadcast.status != outbox.BroadcastStatus.SCHEDULED:
        return
    zone = ctx.config.library.zone
    if not urgent and ctx.config.notifications.is_quiet(now.astimezone(zone).time()):
        _schedule_announcement(ctx, broadcast_id, morning_after(ctx.config, now))
        return
    count = await outbox.start(ctx.db, broadcast_id, platforms=ctx.messengers.platforms)
    log.info("broadcast %s started for %s recipients", broadcast_id, count)


async def catalogue_returns() -> None:
    ctx = _ctx()
    for platform, bot in ctx.messengers.items():
        await notify_returned(
            ctx.db, bot, ctx.locales, ctx.config, platform=platform, now=datetime.now(UTC)
        )


async def event_sweeps() -> None:
    ctx = _ctx()
    now = datetime.now(UTC)
    await lapse_and_offer(ctx.db, ctx.locales, ctx.config, now=now)
    await sweep_event_reminders(ctx.db, ctx.locales, ctx.config, now=now)


async def consultation_sweeps() -> None:
    ctx = _ctx()
    now = datetime.now(UTC)
    await sweep_unclaimed(ctx.db, ctx.locales, ctx.config, now=now)
    await sweep_appointments(ctx.db, ctx.locales, ctx.config, now=now)


async def loan_reminders() -> None:
    ctx = _ctx()
    await sweep(ctx.db, ctx.library_system, ctx.locales, ctx.config, now=datetime.now(UTC))


async def weekly_digest() -> None:
    ctx = _ctx()
    await send_weekly_digest(ctx.db, ctx.locales, ctx.config, now=datetime.now(UTC))


async def privacy_purge() -> None:
    """Nightly: texts past `[privacy] retention_days`, forms abandoned past
    `abandoned_form_hours` (see storage.retention)."""
    ctx = _ctx()
    privacy = ctx.config.privacy
    purged = await retention.purge(
        ctx.db,
        now=utcnow(),
        retention=timedelta(days=privacy.retention_days),
        abandoned_after=timedelta(hours=privacy.abandoned_form_hours),
    )
    log.info("privacy purge: %s", purged)


async def catalogue_import() -> None:
    ctx = _ctx()
    await nightly_import(ctx.db, ctx.config)


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


def _schedule_announcement(ctx: JobContext, broadcast_id: int, at: datetime) -> None:
    ctx.scheduler.add_job(
        start_announcement,
        DateTrigger(run_date=at),
        args=(broadcast_id,),
        id=f"broadcast-{broadcast_id}",
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=int(_grace(ctx.config).total_seconds()),
    )


async def _missed(ctx: JobContext, broadcast: Broadcast) -> None:
    if await outbox.mark_missed(ctx.db, broadcast.id):
        local = broadcast.scheduled_at.astimezone(ctx.config.library.zone)
        texts = ctx.locales.texts(None)
        await notify_staff(
            ctx.messengers,
            ctx.config,
            texts("broadcast-missed", id=broadcast.id, when=f"{local:%d.%m.%Y %H:%M}"),
        )


def recurring_jobs(config: Config, library_system: LibrarySystem | None) -> dict[str, tuple]:
    """id → (job, trigger, grace seconds): what the config asks for."""
    zone = config.library.zone
    every = IntervalTrigger
    jobs: dict[str, tuple[Any, BaseTrigger, int]] = {
        "broadcasts-due": (sync_announcements, every(seconds=ANNOUNCEMENT_SYNC_SECONDS), 60),
        "catalogue-returns": (
            catalogue_returns,
            every(minutes=config.catalogue.watch_check_minutes),
            600,
        ),
        "events-seat-offers": (event_sweeps, every(minutes=OFFER_CHECK_MINUTES), 600),
        "privacy-purge": (
            privacy_purge,
            CronTrigger(hour=PURGE_AT[0], minute=PURGE_AT[1], timezone=zone),
            24 * 3600,
        ),
        "consultations-sweep": (
            consultation_sweeps,
            every(minutes=config.consultations.check_minutes),
            600,
        ),
    }
    if library_system is not None:
        jobs["loan-reminders"] = (
            loan_reminders,
            every(minutes=config.reminders.check_minutes),
            3600,
        )
    if config.catalogue.import_paths:
        hour, minute = (int(part) for part in config.catalogue.import_at.split(":"))
        jobs["catalogue-import"] = (
            catalogue_import,
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            3 * 3600,
        )
    if config.subscriptions.digest_topic and config.subscriptions.digest_at:
        day, clock = config.subscriptions.digest_at.split()
        hour, minute = (int(part) for part in clock.split(":"))
        jobs["events-weekly-digest"] = (
            weekly_digest,
            CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=zone),
            6 * 3600,
        )
    return jobs


def build_scheduler(
    db: Database,
    messengers: Messengers,
    locales: Locales,
    config: Config,
    *,
    library_system: LibrarySystem | None = None,
    store: BaseJobStore | None = None,
) -> AsyncIOScheduler:
    """A scheduler whose jobs run against this process's context. Start it with
    `start_scheduler`, which puts the configured recurring jobs in its store."""
    global _context
    scheduler = AsyncIOScheduler(
        timezone=config.library.zone,
        jobstores={"default": store or MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    _context = JobContext(db, messengers, locales, config, library_system, scheduler)
    return scheduler


def start_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Start, then make the store's recurring jobs match the config: a job whose trigger
    is unchanged keeps its next run time (so a run missed while stopped fires once, within
    its grace); changed ones are replaced, ones no longer configured removed."""
    ctx = _ctx()
    scheduler.start(paused=True)
    wanted = recurring_jobs(ctx.config, ctx.library_system)
    for job in scheduler.get_jobs():
        if not job.id.startswith("broadcast-") and job.id not in wanted:
            job.remove()
    for job_id, (func, trigger, grace) in wanted.items():
        existing = scheduler.get_job(job_id)
        if (
            existing is not None
            and existing.func is func
            and str(existing.trigger) == str(trigger)
            and existing.next_run_time is not None
        ):
            continue
        scheduler.add_job(func, trigger, id=job_id, replace_existing=True, misfire_grace_time=grace)
    scheduler.resume()


def persistent_store(config: Config) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(url=job_store_url(config), tablename=JOB_TABLE)
