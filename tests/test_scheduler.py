"""Jobs the running bot does by itself, in a job store that survives restarts: the nightly
import, the digest, reminder sweeps, and each announcement as a date job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from bot.transports.telegram import create_bot
from broadcasts.scheduler import (
    LibraryScheduler,
    build_scheduler,
    job_store_url,
    nightly_import,
    recurring_jobs,
    start_announcement,
    start_scheduler,
    sync_announcements,
)
from storage import outbox, people
from storage.catalogue.search import search
from storage.db import Database
from storage.outbox import Audience, Broadcast, BroadcastStatus, OutboxMessage
from tests.conftest import make_config

CSV = 'id,title,authors,branch,barcode\nn1,Лавр,"Водолазкин, Е. Г.",ЦБ,1\n'


async def test_nightly_import_follows_the_export(tmp_path: Path, sqlite_db: Database) -> None:
    export = tmp_path / "export.csv"
    export.write_text(CSV, encoding="utf-8")
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"]})
    await nightly_import(sqlite_db, config)
    assert (await search(sqlite_db, "лавр")).total == 1
    export.write_text("id,title\nn2,Другая книга\n", encoding="utf-8")
    await nightly_import(sqlite_db, config)  # a full export: «Лавр» is gone from it
    assert (await search(sqlite_db, "лавр")).total == 0
    assert (await search(sqlite_db, "другая книга")).total == 1


async def test_nightly_import_with_a_missing_file_changes_nothing(
    tmp_path: Path, sqlite_db: Database
) -> None:
    (tmp_path / "export.csv").write_text(CSV, encoding="utf-8")
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"]})
    await nightly_import(sqlite_db, config)
    missing = make_config(tmp_path, catalogue={"import_paths": ["gone.csv"]})
    await nightly_import(sqlite_db, missing)
    assert (await search(sqlite_db, "лавр")).total == 1


@pytest.fixture
def store_url(database: Database, tmp_path: Path) -> str:
    """The job store next to the test database: a sibling SQLite file, or the same
    PostgreSQL database — as `libbot run` does it."""
    config = make_config(tmp_path, database={"url": database.url})
    return job_store_url(config)


@asynccontextmanager
async def running(
    db: Database, config: Config, url: str, **options: Any
) -> AsyncIterator[LibraryScheduler]:
    """A scheduler as `libbot run` starts it, on a persistent store; shut down after."""
    bot = create_bot("1:unused", api_server="http://127.0.0.1:9")
    store = SQLAlchemyJobStore(url=url, tablename="apscheduler_jobs")
    scheduler = build_scheduler(db, Messengers.of(bot), Locales(), config, store=store)
    try:
        start_scheduler(scheduler)
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        await bot.session.close()


async def _status(db: Database, broadcast_id: int) -> str:
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        return broadcast.status


async def test_jobs_have_fixed_ids_and_library_time(
    tmp_path: Path, database: Database, store_url: str
) -> None:
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"], "import_at": "02:30"})
    async with running(database, config, store_url) as scheduler:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {
            "catalogue-returns",
            "catalogue-import",
            "broadcasts-due",
            "events-seat-offers",
            "consultations-sweep",
            "events-weekly-digest",
            "privacy-purge",
        }
        trigger = jobs["catalogue-import"].trigger
        assert isinstance(trigger, CronTrigger)
        assert str(trigger.timezone) == "Europe/Moscow"
        assert "hour='2'" in str(trigger)
        assert "minute='30'" in str(trigger)
        assert all(job.args == () for job in jobs.values())


async def test_jobs_survive_a_restart_and_keep_their_next_run(
    tmp_path: Path, database: Database, store_url: str
) -> None:
    config = make_config(tmp_path)
    async with running(database, config, store_url) as scheduler:
        before = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    async with running(database, config, store_url) as scheduler:
        after = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    assert after["events-weekly-digest"] == before["events-weekly-digest"]
    assert set(after) == set(before)
    # A job the config no longer asks for leaves the store.
    quiet = make_config(tmp_path, subscriptions={"digest_topic": ""})
    async with running(database, quiet, store_url) as scheduler:
        assert scheduler.get_job("events-weekly-digest") is None


async def test_announcements_become_date_jobs_holding_only_their_id(
    tmp_path: Path, database: Database, store_url: str
) -> None:
    config = make_config(tmp_path, notifications={"quiet_hours": ""})
    later = datetime.now(UTC) + timedelta(days=2)
    future = await outbox.create(
        database, text="Через два дня", audience=Audience(everyone=True), scheduled_at=later
    )
    async with running(database, config, store_url) as scheduler:
        await sync_announcements(scheduler.context)
        job = scheduler.get_job(f"broadcast-{future}")
        assert job is not None
        assert job.args == (future,)
        assert job.next_run_time == later
        await outbox.cancel(database, future)
        await sync_announcements(scheduler.context)
        assert scheduler.get_job(f"broadcast-{future}") is None


async def test_a_missed_announcement_fires_once_after_restart_within_the_grace(
    tmp_path: Path, database: Database, store_url: str
) -> None:
    config = make_config(tmp_path, notifications={"quiet_hours": "", "missed_grace_hours": 6})
    await people.resolve(database, "telegram", "501")
    recent = await outbox.create(
        database,
        text="Было на 10 минут раньше",
        audience=Audience(everyone=True),
        scheduled_at=datetime.now(UTC) + timedelta(seconds=2),
    )
    long_ago = await outbox.create(
        database,
        text="Было позавчера",
        audience=Audience(everyone=True),
        scheduled_at=datetime.now(UTC) - timedelta(days=2),
    )
    # The bot was running when the first was scheduled, then stopped before its time.
    async with running(database, config, store_url) as scheduler:
        await sync_announcements(scheduler.context)
    await asyncio.sleep(2.5)
    async with running(database, config, store_url) as scheduler:
        for _ in range(50):
            # As the bot's periodic sync does: on a slow machine the first run may already
            # have reached the job and been stopped in it — then the job is gone and the
            # sync gives it back; otherwise the stored job fires on its own.
            await sync_announcements(scheduler.context)
            if await _status(database, recent) != BroadcastStatus.SCHEDULED:
                break
            await asyncio.sleep(0.1)
    assert await _status(database, recent) == BroadcastStatus.SENDING
    assert await _status(database, long_ago) == BroadcastStatus.MISSED
    async with database.transaction() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id == recent))
        )
    assert len(rows) == 1  # started once


async def test_at_night_an_announcement_waits_for_the_morning(
    tmp_path: Path, database: Database, store_url: str
) -> None:
    local = datetime.now(UTC).astimezone(make_config(tmp_path).library.zone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    quiet = f"{start:%H:%M}-{end:%H:%M}"  # it is «night» now, whatever the clock says
    config = make_config(tmp_path, notifications={"quiet_hours": quiet})
    due = await outbox.create(
        database, text="Ночью", audience=Audience(everyone=True), scheduled_at=datetime.now(UTC)
    )
    async with running(database, config, store_url) as scheduler:
        await start_announcement(scheduler.context, due)
        assert await _status(database, due) == BroadcastStatus.SCHEDULED
        job = scheduler.get_job(f"broadcast-{due}")
        assert job is not None
        morning = job.next_run_time.astimezone(config.library.zone)
        assert (morning.hour, morning.minute) == (end.hour, end.minute)
        assert morning > local


async def test_each_scheduler_runs_its_jobs_against_its_own_database(
    tmp_path: Path, database: Database
) -> None:
    """No module-global context: a second scheduler built in the same process (a test's,
    the demo's) does not send the first one's jobs to its database."""
    config = make_config(tmp_path, notifications={"quiet_hours": ""})
    await people.resolve(database, "telegram", "601")
    due = await outbox.create(
        database, text="Сейчас", audience=Audience(everyone=True), scheduled_at=datetime.now(UTC)
    )
    bot = create_bot("1:unused", api_server="http://127.0.0.1:9")
    elsewhere = Database(f"sqlite+aiosqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    first = build_scheduler(database, Messengers.of(bot), Locales(), config)
    build_scheduler(elsewhere, Messengers.of(bot), Locales(), config)
    first.start()
    try:
        await sync_announcements(first.context)  # its date job fires through the executor
        for _ in range(50):
            if await _status(database, due) != BroadcastStatus.SCHEDULED:
                break
            await asyncio.sleep(0.1)
    finally:
        first.shutdown(wait=False)
        await asyncio.sleep(0)
        await bot.session.close()
        await elsewhere.dispose()
    assert await _status(database, due) == BroadcastStatus.SENDING


async def test_at_a_cadence_every_recurring_job_runs_at_once_and_then_at_that_pace(
    tmp_path: Path, sqlite_db: Database
) -> None:
    """The demo's pace: the same jobs as `libbot run`, each run at start, then often."""
    config = make_config(tmp_path)
    bot = create_bot("1:unused", api_server="http://127.0.0.1:9")
    scheduler = build_scheduler(sqlite_db, Messengers.of(bot), Locales(), config)
    before = datetime.now(UTC)
    try:
        start_scheduler(scheduler, cadence=lambda job_id: timedelta(seconds=len(job_id)))
        scheduler.pause()  # before the loop's next turn: listed, none has run
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        await bot.session.close()
    assert set(jobs) == set(recurring_jobs(config, None))
    for job_id, job in jobs.items():
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=len(job_id))
        assert job.next_run_time <= before + timedelta(seconds=1)
