"""`libbot demo`: the bot in this terminal, with a made-up library and its own database.

No token, no server: the console transport feeds the same Dispatcher the
messengers use. The demo database is kept apart from the real one and upgraded
freely, since it holds nothing but demo data.

What the bot sends on its own comes the way it does in `libbot run`: the real scheduler
(`broadcasts.scheduler`, every job it has: announcements, loan and event reminders, the
digest, seat offers, «книгу вернули», consultation notices, the privacy purge) and the
same outbox senders. Only the pace differs, since a demo lasts minutes: the job store is
in memory, every recurring job runs at start and then every `DEMO_JOB_SECONDS`, and new
announcements are looked for every `DEMO_SYNC_SECONDS`, so one composed «now» arrives at
once. At the end the jobs under way finish and what is due is still delivered, so a
scripted demo shows it too.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import tomllib
from datetime import UTC, date, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select

from bot.app import open_app
from bot.kernel.config import Config, parse_config
from bot.transports.console import PLATFORM, PLAYED, ConsoleTransport
from broadcasts.announcements import start_due
from broadcasts.limits import RateLimiter
from broadcasts.scheduler import SYNC_JOB, build_scheduler, start_scheduler
from broadcasts.sender import Sender
from storage import people
from storage.catalogue.importer import import_catalogue
from storage.catalogue.models import CatalogueRecord
from storage.circulation.local_import import import_holds, import_loans
from storage.circulation.models import LocalPatron
from storage.consultations import directory
from storage.consultations.models import Expert
from storage.db import Database
from storage.events.importing import import_events
from storage.events.models import Event
from storage.models import Role

# The demo is short: the scheduler's recurring jobs run at its start and then this often,
# not on their production cadence...
DEMO_JOB_SECONDS = 30.0
# ... and announcements are looked for every second (in production every 15 s).
DEMO_SYNC_SECONDS = 1.0

DEMO_USERS = {
    "reader": (1001, "Анна"),
    "admin": (1, "Мария Ивановна"),
    "expert": (2, "Ирина Соколова"),
}
# The demo expert who uses the bot (`libbot demo --as expert`).
DEMO_EXPERT = "Ирина Соколова"


def demo_cadence(job_id: str) -> timedelta:
    """The demo's pace for each recurring job (see the module's docstring)."""
    return timedelta(seconds=DEMO_SYNC_SECONDS if job_id == SYNC_JOB else DEMO_JOB_SECONDS)


def demo_config(base_dir: Path | None = None) -> Config:
    source = files(__package__).joinpath("demo.toml").read_text(encoding="utf-8")
    return parse_config(tomllib.loads(source), source="demo.toml", base_dir=base_dir or Path.cwd())


async def seed_catalogue(db: Database) -> None:
    """Load the demo catalogue once; due dates in it are days from today («+5»)."""
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(CatalogueRecord)):
            return
    today = datetime.now(UTC).date()
    source = files(__package__).joinpath("catalogue.csv").read_text(encoding="utf-8")
    dated = re.sub(
        r",\+(\d+)$",
        lambda m: f",{today + timedelta(days=int(m.group(1))):%Y-%m-%d}",
        source,
        flags=re.MULTILINE,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-catalogue.csv"
        path.write_text(dated, encoding="utf-8")
        await import_catalogue(db, [path], format="csv")


def _dated(name: str, today: date) -> str:
    """A demo CSV with day offsets («+3», «-20») turned into real dates."""
    source = files(__package__).joinpath(name).read_text(encoding="utf-8")
    return re.sub(
        r"(?<=,)([+-]\d+)(?=,|$)",
        lambda m: f"{today + timedelta(days=int(m.group(1))):%Y-%m-%d}",
        source,
        flags=re.MULTILINE,
    )


async def seed_loans(db: Database, config: Config) -> None:
    """Load the demo loans and holds once (the `local` library system)."""
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(LocalPatron)):
            return
    today = datetime.now(config.library.zone).date()
    with tempfile.TemporaryDirectory() as folder:
        for name, load in (("loans.csv", import_loans), ("holds.csv", import_holds)):
            path = Path(folder) / name
            path.write_text(_dated(name, today), encoding="utf-8")
            await load(db, path)


async def seed_events(db: Database, config: Config) -> None:
    """Load the demo events once; «+3 18:00» is three days from today at 18:00."""
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Event)):
            return
    today = datetime.now(config.library.zone).date()
    source = files(__package__).joinpath("events.csv").read_text(encoding="utf-8")
    dated = re.sub(
        r"(?<=,)\+(\d+) (\d\d:\d\d)",
        lambda m: f"{today + timedelta(days=int(m.group(1))):%Y-%m-%d} {m.group(2)}",
        source,
    )
    soon = datetime.now(config.library.zone).replace(minute=0, second=0, microsecond=0)
    dated = re.sub(  # «+20h»: that many hours from now, so a reminder can be seen at once
        r"(?<=,)\+(\d+)h(?=,)",
        lambda m: f"{soon + timedelta(hours=int(m.group(1))):%Y-%m-%d %H:%M}",
        dated,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        path.write_text(dated, encoding="utf-8")
        await import_events(
            db,
            path,
            zone=config.library.zone,
            branches={b.id for b in config.library.branches},
            author="demo",
        )


async def seed_consultations(db: Database, config: Config) -> None:
    """The demo expert directory and FAQ, once; the accountant uses the bot as console
    user 2, so `--as expert` shows what an expert gets."""
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Expert)):
            return
    topics = {t.id for t in config.consultations.topics}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("experts.csv", "faq.csv"):
            path = Path(folder) / name
            path.write_text(files(__package__).joinpath(name).read_text(encoding="utf-8"))
            if name == "experts.csv":
                await directory.import_experts(db, path)
            else:
                await directory.import_faq(db, path, topics)
    user_id, _first_name = DEMO_USERS["expert"]
    person = await people.resolve(db, PLATFORM, str(user_id), language_hint="ru")
    await people.grant(db, person.id, Role.EXPERT, granted_by=None)
    async with db.transaction() as session:
        expert = await session.scalar(select(Expert).where(Expert.name == DEMO_EXPERT))
        if expert is not None:
            expert.person_id = person.id


async def seed_library_faq(db: Database) -> None:
    """The starter set of the library FAQ (`faq.example.csv`, the file a library edits),
    once: what the front door answers typed questions from."""
    from storage.faq.entries import stamp
    from storage.faq.files import import_file

    if (await stamp(db))[0]:
        return
    with as_file(files(__package__).joinpath("faq.example.csv")) as path:
        await import_file(db, path, replace=False, author="demo")


async def seed_everything(db: Database, config: Config) -> None:
    """What the demo starts with: the catalogue, loans, events, experts and FAQ, and nine
    months of past work for the reports. On IRBIS64 the catalogue is read from its server
    and the loans live there."""
    from bot.demo.history import seed_history

    if config.library_system.kind == "irbis64":
        from bot.demo.irbis import seed_irbis_catalogue

        await seed_irbis_catalogue(db, config)
    else:
        await seed_catalogue(db)
    if config.library_system.kind == "local":
        await seed_loans(db, config)
    await seed_events(db, config)
    await seed_consultations(db, config)
    await seed_library_faq(db)
    await seed_history(db, config)
    from storage.work.files import import_file as import_work  # last season's hand-kept sheet

    with as_file(files(__package__).joinpath("work.example.csv")) as path:
        await import_work(db, path, config.work, zone=config.library.zone, now=datetime.now(UTC))
    from storage.grants.files import import_file as import_grants  # the grants calendar (#27)

    with as_file(files(__package__).joinpath("grants.example.csv")) as path:
        await import_grants(db, path, zone=config.library.timezone, by="demo")


def demo_database_url(config: Config) -> str:
    return f"sqlite+aiosqlite:///{config.data_dir / 'demo.sqlite3'}"


async def run_demo(
    config: Config,
    *,
    as_user: str = "reader",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    library_system: str | None = None,
) -> None:
    """The demo; `library_system="irbis64"` runs it on a fake IRBIS64 server started in
    this process (`bot.demo.irbis`)."""
    if library_system == "irbis64":
        from bot.demo.irbis import demo_irbis

        async with demo_irbis(config) as on_irbis:
            await _run_demo(on_irbis, as_user=as_user, stdin=stdin, stdout=stdout)
        return
    await _run_demo(config, as_user=as_user, stdin=stdin, stdout=stdout)


async def _run_demo(config: Config, *, as_user: str, stdin: TextIO, stdout: TextIO) -> None:
    user_id, first_name = DEMO_USERS[as_user]
    if as_user == "admin" and f"console:{user_id}" not in config.staff.admins:
        config = config.model_copy(
            update={
                "staff": config.staff.model_copy(
                    update={"admins": [*config.staff.admins, f"console:{user_id}"]}
                )
            }
        )
    async with open_app(config, database_url=demo_database_url(config), migrate=True) as app:
        await seed_everything(app.db, config)
        transport = ConsoleTransport(
            app.dispatcher,
            user_id=user_id,
            first_name=first_name,
            stdin=stdin,
            stdout=stdout,
            files_dir=config.data_dir / "demo-files",
        )
        # What the bot sends on its own arrives in this terminal, as it would in a
        # messenger: the same outbox and senders — one for each messenger the console
        # plays, so the staff chat's cards (a Telegram group) print here too — and the
        # same scheduler as `libbot run`, at the demo's pace.
        platforms = (PLATFORM, *PLAYED)
        senders = [
            Sender(
                app.db,
                transport.bot,
                platform=platform,
                limiter=RateLimiter(30.0, per_chat_interval=0),
            )
            for platform in platforms
        ]
        scheduler = build_scheduler(  # a job store in memory: the demo starts afresh
            app.db,
            app.dispatcher["messengers"],
            app.locales,
            config,
            library_system=app.dispatcher.workflow_data.get("library_system"),
        )
        interactive = stdin.isatty()
        if interactive:
            stdout.write(
                f"libbot demo — «{config.library.name}». Пишите как в мессенджере; "
                "цифра нажимает кнопку; Ctrl+D — выход.\n"
            )
        stop = asyncio.Event()
        start_scheduler(scheduler, cadence=demo_cadence)
        sending = [
            asyncio.create_task(sender.run(stop), name=f"demo-sender-{sender.platform}")
            for sender in senders
        ]
        try:
            await transport.run(greet=interactive)
        finally:
            await scheduler.finish()
            stop.set()
            await asyncio.gather(*sending)
        # What is due at the end of a scripted demo still arrives: an announcement composed
        # a moment ago (started the one way there is, quiet hours kept), then the outbox.
        await start_due(app.db, config, platforms=platforms, now=datetime.now(UTC))
        for sender in senders:
            await sender.drain()
