"""Fixtures: a configured library, a clean database (SQLite, and PostgreSQL when it is
reachable), the fake Bot API server, and the real bot polling it."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_dispatcher
from bot.kernel.config import Config, Vk, parse_config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from bot.transports.telegram import create_bot, file_fetcher, run_polling
from bot.transports.vk.polling import VkPolling, vk_bot, vk_session
from storage.db import Database
from storage.schema import metadata
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk
from tests.harness import Person
from tests.run_database import POSTGRES_TEST_DATABASE, RUN_DATABASE_PREFIX
from tests.vk_harness import VkPerson

ADMIN_ID = 900001
STAFF_CHAT_ID = -1001234567890
# The server's existing `test` database is only used to create libbot's own scratch database.
POSTGRES_SERVER_URL = os.environ.get(
    "LIBBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LIBBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Keys and channels of this run only: two runs (or two workers) share one Redis.
REDIS_PREFIX = POSTGRES_TEST_DATABASE
REDIS = {"url": REDIS_URL, "prefix": REDIS_PREFIX}
SHARED = Path(__file__).resolve().parents[2] / "shared"


def unavailable(reason: str) -> None:
    """Skip with the reason, or fail where CI promised the service (LIBBOT_REQUIRE_SERVICES=1)."""
    if os.environ.get("LIBBOT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


async def redis_or_skip() -> None:
    """The tests that need Redis: reachable at REDIS_URL, or skipped with the reason."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with this reason"
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()


def library_config(**sections: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "library": {
            "name": "Библиотека имени Тестова",
            "timezone": "Europe/Moscow",
            "phone": "+7 (495) 000-00-00",
            "branches": [
                {
                    "id": "central",
                    "name": "Центральная библиотека",
                    "address": "ул. Ленина, 1",
                    "phone": "+7 (495) 000-00-01",
                    "codes": ["ЦБ"],
                    "hours": {d: "10:00-19:00" for d in ("mon", "tue", "wed", "thu", "fri")}
                    | {"sat": "11:00-17:00"},
                },
                {
                    "id": "children",
                    "name": "Детская библиотека",
                    "address": "пр. Мира, 15",
                    "hours": {"sun": "11:00-16:00"},
                    "codes": ["ДБ"],
                },
            ],
        },
        "staff": {"admins": [ADMIN_ID], "chat_id": STAFF_CHAT_ID},
        "privacy": {"operator": "МБУК «ЦБС»", "policy_url": "https://library.example/privacy"},
        # Stories click faster than people; the flood test sets its own limits, and the
        # pacing tests their own chat burst.
        "limits": {"burst": 1000},
        "telegram": {"chat_burst": 100},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return data


def make_config(tmp_path: Path, **sections: Any) -> Config:
    return parse_config(library_config(**sections), source="test config", base_dir=tmp_path)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture(autouse=True)
def no_translation_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A missing translation or placeholder is a bug even if the test's story passed."""
    yield
    broken = [
        r.getMessage() for r in caplog.records if r.name == "bot.kernel.i18n" and r.levelno >= 40
    ]
    assert not broken, broken


# --- databases ------------------------------------------------------------------------


async def _postgres_reachable(url: str) -> str | None:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with this reason"
        return str(exc).splitlines()[0]
    finally:
        await db.dispose()
    return None


def _run_of(database: str) -> int | None:
    """The process id a scratch database was named after, if it was."""
    rest = database.removeprefix(RUN_DATABASE_PREFIX)
    digits = rest.split("_", 1)[0]
    return int(digits) if rest != database and digits.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def create_database(server_url: str, name: str = POSTGRES_TEST_DATABASE) -> str:
    """Create (fresh) and return the URL of this run's scratch database on that server.

    Scratch databases of runs that died without cleaning up are dropped on the way."""
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            names = await conn.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": RUN_DATABASE_PREFIX + "%"},
            )
            for old in list(names):
                pid = _run_of(old)
                if old == name or (pid is not None and pid != os.getpid() and not _alive(pid)):
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return str(make_url(server_url).set(database=name).render_as_string(hide_password=False))


async def drop_database(server_url: str, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def _reset_postgres(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await db.upgrade()
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This run's own PostgreSQL database, migrated; dropped when the run ends."""
    problem = asyncio.run(_postgres_reachable(POSTGRES_SERVER_URL))
    if problem:
        unavailable(f"PostgreSQL not reachable at {POSTGRES_SERVER_URL}: {problem}")
    url = asyncio.run(create_database(POSTGRES_SERVER_URL))
    asyncio.run(_reset_postgres(url))
    yield url
    asyncio.run(drop_database(POSTGRES_SERVER_URL, POSTGRES_TEST_DATABASE))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time is slower)."""
    path = tmp_path_factory.mktemp("template") / "libbot.sqlite3"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """Each database test runs on SQLite and on PostgreSQL (skipped if unreachable)."""
    if request.param == "sqlite":
        target = tmp_path / "libbot.sqlite3"
        shutil.copy(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    if db.dialect == "postgresql":
        tables = ", ".join([t.name for t in metadata.sorted_tables] + ["catalogue_search"])
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    await db.dispose()


@pytest.fixture
async def sqlite_db(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    """SQLite only, for tests whose subject is not the database."""
    target = tmp_path / "libbot.sqlite3"
    shutil.copy(sqlite_template, target)
    db = Database(f"sqlite+aiosqlite:///{target}")
    yield db
    await db.dispose()


# --- the fake Bot API and the bot -------------------------------------------------------


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


class RunningBot:
    def __init__(self, server: FakeTelegram, db: Database, config: Config) -> None:
        self.server = server
        self.db = db
        self.config = config

    def person(self, user_id: int, first_name: str = "Анна", language: str = "ru") -> Person:
        return Person(self.server, user_id, first_name, language)

    def admin(self) -> Person:
        return self.person(ADMIN_ID, "Мария Ивановна")


StartBot = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_bot(
    telegram: FakeTelegram, database: Database, config: Config
) -> AsyncIterator[StartBot]:
    """Start the real aiogram bot, long-polling the fake server; stop it afterwards."""
    running: list[tuple[Any, asyncio.Task[None], Any]] = []

    async def start(config_override: Config | None = None, **dispatcher_options: Any) -> RunningBot:
        cfg = config_override or config
        locales = Locales()
        dp = build_dispatcher(cfg, database, locales, **dispatcher_options)
        bot = create_bot(telegram.token, api_server=telegram.base_url)
        task = asyncio.create_task(
            run_polling(
                dp, bot, locales, handle_signals=False, handle_as_tasks=False, polling_timeout=1
            )
        )
        running.append((dp, task, bot))
        return RunningBot(telegram, database, cfg)

    yield start
    for dp, task, bot in running:
        if not task.done():
            await dp.stop_polling()
        await task
        await bot.session.close()  # polling leaves it open: it may be shared with a sender


@pytest.fixture
async def bot(start_bot: StartBot) -> RunningBot:
    return await start_bot()


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data not present at {path} (a user's own clone)")
    return path


# --- the fake VK API and the same bot in a VK community ----------------------------------


@pytest.fixture
async def vk() -> AsyncIterator[FakeVk]:
    server = await FakeVk().start()
    yield server
    await server.stop()


def with_vk(config: Config, server: FakeVk) -> Config:
    """The config plus a `[vk]` section pointing at the fake VK API."""
    section = Vk(token=server.token, group_id=server.group_id, api_server=server.base_url)
    return config.model_copy(update={"vk": section})


class RunningVkBot:
    """The bot serving a VK community; its staff chat stays in Telegram."""

    def __init__(self, server: FakeVk, telegram: FakeTelegram, db: Database, config: Config):
        self.server = server
        self.telegram = telegram
        self.db = db
        self.config = config

    def person(self, user_id: int, first_name: str = "Анна") -> VkPerson:
        return VkPerson(self.server, user_id, first_name)


StartVkBot = Callable[..., Awaitable[RunningVkBot]]


@pytest.fixture
async def start_vk_bot(
    vk: FakeVk, telegram: FakeTelegram, database: Database, config: Config
) -> AsyncIterator[StartVkBot]:
    """The real aiogram Dispatcher fed by VK's long poll (through vk_api and the fake VK
    API); staff notices go to the Telegram staff chat through the fake Bot API."""
    running: list[tuple[asyncio.Event, asyncio.Task[None], Any]] = []
    community_bots: list[Any] = []

    async def start(config_override: Config | None = None, **options: Any) -> RunningVkBot:
        cfg = with_vk(config_override or config, vk)
        staff_bot = create_bot(telegram.token, api_server=telegram.base_url)
        messengers = Messengers({"telegram": staff_bot})
        dp = build_dispatcher(cfg, database, Locales(), messengers=messengers, **options)
        stop = asyncio.Event()
        community_bot = vk_bot(cfg.vk)
        vk_session(community_bot).files.fetch_foreign = file_fetcher(staff_bot)
        polling = VkPolling(dp, community_bot, wait=1, handle_as_tasks=False)
        polls = vk.longpoll_requests
        running.append((stop, asyncio.create_task(polling.run(stop)), staff_bot))
        community_bots.append(community_bot)
        await vk.wait_polls(polls)  # VK delivers only events after the bot connected
        return RunningVkBot(vk, telegram, database, cfg)

    yield start
    for stop, task, staff_bot in running:
        stop.set()
        await task
        await staff_bot.session.close()
    for community_bot in community_bots:
        await community_bot.session.close()
