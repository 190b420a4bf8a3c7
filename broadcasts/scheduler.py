"""Jobs the running bot does on its own, in APScheduler 3 with its job store in the database.

Every job is a module-level coroutine referenced by name, with deterministic ids and
only ids as arguments: that is all a persistent store can keep. What a job works with
(database, bots, config) is its scheduler's `JobContext`, which the scheduler's executor
hands each job as its first argument when it runs — no module-global state, so each
scheduler (a process's, a test's, the demo's) runs its jobs against its own context.
Because the store survives restarts:
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

A little over 400 lines, kept whole: the scheduler, its jobs and the table of when they run
are one thing to read (a new module of broadcasts/ needs a place in the layer contract).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined
from sqlalchemy.engine import make_url

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from broadcasts.consultation_notices import sweep_appointments, sweep_unclaimed
from broadcasts.digest import send_weekly_digest
from broadcasts.event_reminders import sweep_event_reminders
from broadcasts.grant_reminders import sweep_grant_reminders
from broadcasts.reminders import sweep
from broadcasts.returns import notify_returned
from broadcasts.seat_offers import lapse_and_offer
from broadcasts.service_ratings import sweep_event_ratings
from broadcasts.staff_chat import notify_staff
from storage import outbox, retention
from storage.catalogue.importer import import_catalogue
from storage.catalogue.irbis_sync import import_from_irbis
from storage.circulation.base import LibrarySystem
from storage.db import Database
from storage.irbis64 import IrbisError
from storage.outbox import Broadcast
from storage.types import utcnow

log = logging.getLogger(__name__)
# New announcements become jobs within this many seconds.
ANNOUNCEMENT_SYNC_SECONDS = 15
# Unconfirmed seat offers lapse, and event reminders are enqueued, this often.
OFFER_CHECK_MINUTES = 5
JOB_TABLE = "apscheduler_jobs"
# The recurring job that turns scheduled announcements into date jobs.
SYNC_JOB = "broadcasts-due"
# The nightly privacy purge, library time: after midnight, before anyone is up.
PURGE_AT = (3, 30)


@dataclass
class JobContext:
    db: Database
    messengers: Messengers
    locales: Locales
    config: Config
    library_system: LibrarySystem | None
    scheduler: LibraryScheduler


class _WithContext:
    """A job as its executor runs it: its function gets the context first. Everything else
    (id, args, grace, its name in the logs) is the stored job's."""

    def __init__(self, job: Job, context: JobContext) -> None:
        self._job = job
        self.func = partial(job.func, context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class ContextExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, handing every job its scheduler's context."""

    def __init__(self, context: JobContext) -> None:
        super().__init__()
        self.context = context

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        super()._do_submit_job(_WithContext(job, self.context), run_times)

    async def finish_running(self) -> None:
        """Wait for the jobs running now (none start while the scheduler is paused)."""
        running = list(self._pending_futures)
        if running:
            await asyncio.wait(running)


class LibraryScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler whose jobs run with this process's `JobContext`."""

    def __init__(
        self,
        db: Database,
        messengers: Messengers,
        locales: Locales,
        config: Config,
        library_system: LibrarySystem | None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.context = JobContext(db, messengers, locales, config, library_system, self)
        self.executor = ContextExecutor(self.context)

    def _create_default_executor(self) -> BaseExecutor:
        return self.executor

    async def finish(self) -> None:
        """Stop once the jobs running now are done, so none is cut off halfway (the demo's
        end: what they enqueue is still delivered)."""
        if self.running:
            self.pause()
            await self.executor.finish_running()
            self.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn


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


# The jobs. Module-level, so the persistent store can name them; the executor gives each
# its scheduler's context as the first argument.

JobFunction = TypeVar("JobFunction", bound=Callable[..., Awaitable[None]])


def job(func: JobFunction) -> JobFunction:
    """A job: its first parameter is the context the executor gives it. APScheduler checks
    the arguments it stores (ids only) against the function's signature, so the signature
    it reads leaves the context out; calls are unchanged."""
    signature = inspect.signature(func)
    func.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    return func


@job
async def sync_announcements(ctx: JobContext) -> None:
    """Give every scheduled announcement its date job; mark long-missed ones; drop the
    jobs of cancelled ones."""
    now = utcnow()
    grace = _grace(ctx.config)
    waiting = {b.id: b for b in await outbox.scheduled(ctx.db)}
    for broadcast in waiting.values():
        if ctx.scheduler.get_job(f"broadcast-{broadcast.id}") is not None:
            continue
        if broadcast.scheduled_at < now - grace:
            await _missed(ctx, broadcast)
        else:
            _schedule_announcement(ctx, broadcast.id, broadcast.scheduled_at)
    for job in ctx.scheduler.get_jobs():
        if job.id.startswith("broadcast-") and int(job.id.split("-")[1]) not in waiting:
            job.remove()


@job
async def start_announcement(ctx: JobContext, broadcast_id: int) -> None:
    """Freeze the audience into the outbox (`outbox.start`, the one way an announcement
    starts); at night, unless urgent, it waits: its job moves to the morning."""
    started = await outbox.start(
        ctx.db, broadcast_id, config=ctx.config, platforms=ctx.messengers.platforms
    )
    if started.waits_until is not None:
        _schedule_announcement(ctx, broadcast_id, started.waits_until)


@job
async def catalogue_returns(ctx: JobContext) -> None:
    for platform, bot in ctx.messengers.items():
        await notify_returned(
            ctx.db, bot, ctx.locales, ctx.config, platform=platform, now=datetime.now(UTC)
        )


@job
async def event_sweeps(ctx: JobContext) -> None:
    now = datetime.now(UTC)
    await lapse_and_offer(ctx.db, ctx.locales, ctx.config, now=now)
    await sweep_event_reminders(ctx.db, ctx.locales, ctx.config, now=now)
    await sweep_grant_reminders(ctx.db, ctx.locales, ctx.config, now=now)  # grant deadlines
    await sweep_event_ratings(ctx.db, ctx.locales, ctx.config, now=now)  # «Оцените» (#26)


@job
async def consultation_sweeps(ctx: JobContext) -> None:
    now = datetime.now(UTC)
    await sweep_unclaimed(ctx.db, ctx.locales, ctx.config, now=now)
    await sweep_appointments(ctx.db, ctx.locales, ctx.config, now=now)


@job
async def loan_reminders(ctx: JobContext) -> None:
    await sweep(ctx.db, ctx.library_system, ctx.locales, ctx.config, now=datetime.now(UTC))


@job
async def weekly_digest(ctx: JobContext) -> None:
    await send_weekly_digest(ctx.db, ctx.locales, ctx.config, now=datetime.now(UTC))


@job
async def privacy_purge(ctx: JobContext) -> None:
    """Nightly: texts past `[privacy] retention_days`, forms abandoned past
    `abandoned_form_hours` (see storage.retention)."""
    privacy = ctx.config.privacy
    purged = await retention.purge(
        ctx.db,
        now=utcnow(),
        retention=timedelta(days=privacy.retention_days),
        abandoned_after=timedelta(hours=privacy.abandoned_form_hours),
    )
    log.info("privacy purge: %s", purged)


@job
async def catalogue_import(ctx: JobContext) -> None:
    await nightly_import(ctx.db, ctx.config)


async def nightly_import(db: Database, config: Config) -> None:
    """The nightly catalogue: the export files `[catalogue] import_paths` names, or — an
    IRBIS64 library with no export — the catalogue databases read over the protocol
    (new and changed records only)."""
    settings = config.catalogue
    if not settings.import_paths and reads_catalogue_from_irbis(config):
        await _import_from_irbis(db, config)
        return
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


def reads_catalogue_from_irbis(config: Config) -> bool:
    return config.library_system.kind == "irbis64" and not config.catalogue.import_paths


async def _import_from_irbis(db: Database, config: Config) -> None:
    try:
        summary = await import_from_irbis(
            db,
            config.library_system.irbis64,
            data_dir=config.data_dir,
            call_timeout=config.library_system.timeout_seconds,
        )
    except IrbisError as exc:  # nothing was withdrawn: tomorrow's run reads on
        log.error("nightly import from IRBIS64 failed: %s", exc)
        return
    log.info("nightly import from IRBIS64: %s", "; ".join(summary.lines()[:4]))


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
        SYNC_JOB: (sync_announcements, every(seconds=ANNOUNCEMENT_SYNC_SECONDS), 60),
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
    if config.catalogue.import_paths or reads_catalogue_from_irbis(config):
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


# The demo's pace (bot/demo): how often a recurring job runs, by id, instead of its trigger.
Cadence = Callable[[str], timedelta]


def build_scheduler(
    db: Database,
    messengers: Messengers,
    locales: Locales,
    config: Config,
    *,
    library_system: LibrarySystem | None = None,
    store: BaseJobStore | None = None,
) -> LibraryScheduler:
    """A scheduler whose jobs run against this process's context. Start it with
    `start_scheduler`, which puts the configured recurring jobs in its store."""
    return LibraryScheduler(
        db,
        messengers,
        locales,
        config,
        library_system,
        timezone=config.library.zone,
        jobstores={"default": store or MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1},
    )


def start_scheduler(scheduler: LibraryScheduler, *, cadence: Cadence | None = None) -> None:
    """Start, then make the store's recurring jobs match the config: a job whose trigger
    is unchanged keeps its next run time (so a run missed while stopped fires once, within
    its grace); changed ones are replaced, ones no longer configured removed.

    With a `cadence` (the demo's) every recurring job runs at once and then at that pace."""
    ctx = scheduler.context
    scheduler.start(paused=True)
    wanted = recurring_jobs(ctx.config, ctx.library_system)
    for job in scheduler.get_jobs():
        if not job.id.startswith("broadcast-") and job.id not in wanted:
            job.remove()
    for job_id, (func, trigger, grace) in wanted.items():
        first_run: Any = undefined
        if cadence is not None:
            trigger = IntervalTrigger(seconds=cadence(job_id).total_seconds())
            first_run = datetime.now(UTC)
        existing = scheduler.get_job(job_id)
        if (
            existing is not None
            and existing.func is func
            and str(existing.trigger) == str(trigger)
            and existing.next_run_time is not None
        ):
            continue
        scheduler.add_job(
            func,
            trigger,
            id=job_id,
            replace_existing=True,
            misfire_grace_time=grace,
            next_run_time=first_run,
        )
    scheduler.resume()


def persistent_store(config: Config) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(url=job_store_url(config), tablename=JOB_TABLE)
