"""The composition root: one function builds the Dispatcher for every transport and test.

Nothing here runs at import time; `open_app` owns the database and FSM storage
and closes them on the way out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from bot.kernel.metrics import Metrics
from bot.middlewares.activity import ActivityMiddleware
from bot.middlewares.once import OnceMiddleware
from bot.middlewares.person import PersonMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.monitoring import MetricsMiddleware
from handlers import build_router
from storage.circulation import open_library_system
from storage.circulation.base import LibrarySystem
from storage.circulation.link_guard import GuardPolicy
from storage.db import Database
from storage.fsm import DatabaseStorage
from storage.people_cache import SharedInvalidation
from storage.volatile import RecentQueries


def build_dispatcher(
    config: Config,
    db: Database,
    locales: Locales,
    *,
    storage: BaseStorage | None = None,
    isolation: BaseEventIsolation | None = None,
    library_system: LibrarySystem | None = None,
    messengers: Messengers | None = None,
    link_guard: GuardPolicy | None = None,
) -> Dispatcher:
    """The whole conversation. `library_system` defaults to the configured connector,
    which the dispatcher closes when it shuts down; `link_guard` to the configured
    numbers, keyed with the secret in the data directory."""
    system = library_system or open_library_system(config, db)
    dp = Dispatcher(
        storage=storage or DatabaseStorage(db, ttl=abandoned_form_ttl(config)),
        # One update at a time per chat, so a fast double tap cannot race a form.
        events_isolation=isolation or SimpleEventIsolation(),
        config=config,
        db=db,
        locales=locales,
        library_system=system,
        messengers=messengers or Messengers(),
        metrics=Metrics(),
        recent_queries=RecentQueries(),
        link_guard=link_guard or GuardPolicy.from_config(config),
    )
    if system is not None and library_system is None:
        dp.shutdown.register(system.close)
    redis = getattr(storage, "redis", None)
    if redis is not None:  # several processes: the first to claim an update handles it
        dp.update.outer_middleware(OnceMiddleware(redis, config.redis.prefix))
        sharing = SharedInvalidation(
            db, redis, config.redis.prefix
        )  # and they tell each other whom they changed
        dp.startup.register(sharing.start)
        dp.shutdown.register(sharing.stop)
    dp.update.outer_middleware(MetricsMiddleware(dp["metrics"]))
    dp.update.outer_middleware(
        ThrottlingMiddleware(
            locales, db, burst=config.limits.burst, per_second=config.limits.per_second
        )
    )
    dp.update.outer_middleware(PersonMiddleware(db, config, locales))
    dp.update.outer_middleware(ActivityMiddleware(db))
    dp.include_router(build_router())
    return dp


def abandoned_form_ttl(config: Config) -> timedelta:
    """A conversation nobody wrote to for this long is dropped, with what was typed in it."""
    return timedelta(hours=config.privacy.abandoned_form_hours)


def fsm_backend(config: Config, db: Database) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when `[redis] url` is set (several processes), the database otherwise."""
    ttl = abandoned_form_ttl(config)
    if not config.redis.url:
        return DatabaseStorage(db, ttl=ttl), SimpleEventIsolation()
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

    storage = RedisStorage.from_url(
        config.redis.url,
        key_builder=DefaultKeyBuilder(
            prefix=f"{config.redis.prefix}:fsm", with_bot_id=True, with_destiny=True
        ),
        state_ttl=ttl,
        data_ttl=ttl,
    )
    return storage, RedisEventIsolation(redis=storage.redis)


@dataclass
class App:
    config: Config
    db: Database
    locales: Locales
    dispatcher: Dispatcher


@asynccontextmanager
async def open_app(
    config: Config, *, database_url: str | None = None, migrate: bool = False
) -> AsyncIterator[App]:
    """Open the database (creating the schema if it is empty) and build the dispatcher.

    `migrate=True` also upgrades an existing schema: the demo database is ours to change.
    """
    db = Database(database_url or config.database_url, echo=config.database.echo)
    storage: BaseStorage | None = None
    try:
        if migrate:
            await db.upgrade()
        else:
            await db.prepare()
        locales = Locales()
        storage, isolation = fsm_backend(config, db)
        yield App(
            config,
            db,
            locales,
            build_dispatcher(config, db, locales, storage=storage, isolation=isolation),
        )
    finally:
        if storage is not None:
            await storage.close()
        await db.dispose()
